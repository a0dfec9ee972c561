//go:build !linux

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "driver: the benchmark harness needs Linux (/proc, subreapers)")
	os.Exit(2)
}
