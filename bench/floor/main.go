// Command floor is the Go floor of bench/compare.sh: the least a Go wrapper
// can do, exec.Command(args).Run() with inherited stdio and the child's exit
// status passed on (128+N for signal N). runp's start+exit cost is measured
// against it.
//
// "floor -exit" exits at once: the Go runtime's own start and exit, with
// no child.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-exit" {
		os.Exit(0)
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: floor CMD [ARGS...]")
		os.Exit(125)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			os.Exit(128 + int(ws.Signal()))
		}
		os.Exit(ee.ExitCode())
	default:
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(127)
	}
}
