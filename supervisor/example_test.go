//go:build unix

package supervisor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"runp/supervisor"
)

// Run a command under a PTY, collect its output, and get its exit status.
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "runp-example-")
	defer os.RemoveAll(dir)
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()

	var out bytes.Buffer
	res, err := supervisor.Run(context.Background(), supervisor.Config{
		Argv:     []string{"sh", "-c", "test -t 1 && echo on a terminal; exit 3"},
		Stdin:    devnull,
		Stdout:   &out,
		Stderr:   io.Discard,
		StateDir: dir,
	})
	fmt.Print(out.String())
	fmt.Println("exit status", res.ExitCode, err)
	// Output:
	// on a terminal
	// exit status 3 <nil>
}

// What the command leaves running is stopped before Run returns, and listed.
func ExampleRun_cleanUp() {
	dir, _ := os.MkdirTemp("", "runp-example-")
	defer os.RemoveAll(dir)
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()

	res, err := supervisor.Run(context.Background(), supervisor.Config{
		Argv:     []string{"sh", "-c", "sleep 60 & echo started"},
		NoPTY:    true,
		Stdin:    devnull,
		Stdout:   io.Discard,
		Stderr:   io.Discard,
		StateDir: dir,
	})
	killed := res.Attempts[0].Killed
	fmt.Println("exit status", res.ExitCode, err)
	fmt.Println("stopped:", len(killed), killed[0].SignalName)
	// Output:
	// exit status 0 <nil>
	// stopped: 1 SIGTERM
}

// Cancelling the context stops the command and its tree, as --timeout does.
func ExampleRun_cancel() {
	dir, _ := os.MkdirTemp("", "runp-example-")
	defer os.RemoveAll(dir)
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := supervisor.Run(ctx, supervisor.Config{
		Argv:     []string{"sleep", "60"},
		Stdin:    devnull,
		Stdout:   io.Discard,
		Stderr:   io.Discard,
		StateDir: dir,
	})
	fmt.Println(res.ExitCode, res.Attempts[0].Limit, errors.Is(err, context.DeadlineExceeded))
	// Output: 124 cancelled true
}
