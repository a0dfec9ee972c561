package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Helpers is a test binary's table of helper processes. The tests re-execute
// their own binary as the child processes they need (immortal-style), so a
// test needs no shell and no other program, and behaves alike on every OS.
// A process that has Env in its environment is a helper: Main runs the body
// that Env's value names instead of the tests.
type Helpers struct {
	// Env names the environment variable that makes the binary a helper.
	// Its value is the helper's mode, or ModeInArgs.
	Env string
	// Bodies maps a mode to its body. args are the process's arguments
	// after the binary's name (and after the mode, with ModeInArgs); the
	// body's result is the exit status.
	Bodies map[string]func(args []string) int
}

// ModeInArgs as Env's value makes the first argument the mode, so that one
// command line (a cmd.exe line, say) can start helpers of different modes.
const ModeInArgs = "mode-in-args"

// Main runs this process as the helper its environment names, and exits
// with the helper's status; in any other process it returns, and the tests
// run. Call it first in TestMain. It also gives GORACE atexit_sleep_ms=0 to
// every process started from then on: built with -race, each helper would
// otherwise sleep a second at exit, and nothing waits for its race report.
func (h Helpers) Main() {
	if mode, ok := os.LookupEnv(h.Env); ok {
		args := os.Args[1:]
		if mode == ModeInArgs && len(args) > 0 {
			mode, args = args[0], args[1:]
		}
		body, ok := h.Bodies[mode]
		if !ok {
			fmt.Fprintf(os.Stderr, "no helper %q\n", mode)
			os.Exit(100)
		}
		os.Exit(body(args))
	}
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	if err := os.Setenv("GORACE", gorace); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Setting is the environment entry that makes a process the helper mode.
func (h Helpers) Setting(mode string) string { return h.Env + "=" + mode }

// Command returns an unstarted helper process of mode with args: this
// binary, with this process's environment and the mode's setting.
func (h Helpers) Command(mode string, args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), h.Setting(mode))
	return c
}
