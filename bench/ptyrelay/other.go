//go:build !linux

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "ptyrelay: Linux only (the benchmark harness is)")
	os.Exit(2)
}
