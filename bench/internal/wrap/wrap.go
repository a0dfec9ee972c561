// Package wrap is the whole work of the Go floors of bench/compare.sh: run
// a command with inherited stdio and pass its exit status on.
package wrap

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Run runs argv with this process's stdio and returns the exit status a
// shell would give it: the command's own, 128+N for signal N, 127 when it
// cannot be started.
func Run(name string, argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintf(os.Stderr, "usage: %s CMD [ARGS...]\n", name)
		return 125
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 127
	}
}
