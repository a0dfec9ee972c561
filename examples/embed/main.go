// Command embed shows runp's supervisor used as a Go library: it runs a
// command under a PTY with a time limit, prints what the command wrote, and
// what had to be cleaned up.
//
//	go run ./examples/embed -- sh -c 'sleep 60 & echo started; sleep 5'
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"runp/supervisor"
)

func main() {
	argv := os.Args[1:]
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		argv = []string{"sh", "-c", "sleep 60 & echo started; sleep 5"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	var out bytes.Buffer
	res, err := supervisor.Run(ctx, supervisor.Config{
		Argv:   argv,
		Stdout: &out,
		Grace:  500 * time.Millisecond,
	})
	fmt.Printf("output: %q\n", out.String())
	var limit supervisor.Limit
	if n := len(res.Attempts); n > 0 {
		limit = res.Attempts[n-1].Limit
	}
	fmt.Printf("exit status %d (limit %q, err %v)\n", res.ExitCode, limit, err)
	for _, a := range res.Attempts {
		for _, k := range a.Killed {
			fmt.Printf("stopped pid %d with %s: %s\n", k.PID, k.SignalName, k.Command)
		}
	}
	os.Exit(res.ExitCode)
}
