// Command floor is the Go floor of bench/compare.sh: the least a Go wrapper
// can do, exec.Command(args).Run() with inherited stdio and the child's exit
// status passed on (128+N for signal N). runp's start+exit cost is measured
// against it.
//
// "floor -exit" exits at once: the Go runtime's own start and exit, with
// no child.
package main

import (
	"os"

	"runp/bench/internal/wrap"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-exit" {
		os.Exit(0)
	}
	os.Exit(wrap.Run("floor", os.Args[1:]))
}
