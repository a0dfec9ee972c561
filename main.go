// Command runp runs a command under a pseudo-terminal, forwards signals to it,
// reaps its zombies, and makes sure nothing it started outlives it.
//
// main.go is the CLI only: flags become a supervisor.Config, and the result
// becomes the exit status. Only this file calls os.Exit.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/urfave/cli/v2"

	"runp/supervisor"
)

// version is runp's version; release builds set it with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const description = `runp runs CMD the way you would run it yourself: in a pseudo-terminal,
so it line-buffers and colours its output, with your signals forwarded and
its zombies reaped, and returns CMD's exit status.

Everything after CMD belongs to CMD. Use "--" before CMD when CMD starts
with a dash.

Exit status: CMD's own; 128+N if CMD died of signal N; 125 if runp failed
(bad flags); 126 if CMD is not executable; 127 if CMD was not found.

Signals: SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGCONT are
forwarded to CMD (with --group, to its foreground process group); SIGWINCH
resizes CMD's terminal. A second SIGTERM, SIGINT or SIGHUP within 3 seconds
of the first, while CMD still runs, kills it with SIGKILL.`

func newApp(stdout, stderr io.Writer, exit *int) *cli.App {
	// -v is --verbose here, as in most supervisors; --version stays long.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print runp's version"}
	return &cli.App{
		Name:      "runp",
		Usage:     "run a command under a PTY and leave nothing of it behind",
		UsageText: "runp [options] [--] CMD [ARGS...]",
		Description: description + `

Examples:
   runp -- make test              run the tests in a PTY, status passed through
   runp --no-pty -- ./server      no PTY: CMD inherits runp's stdin/stdout/stderr
   runp -g -- sh -c 'a | b'       forward signals to the whole pipeline
   runp -v -- pytest -x 2>log     log the lifecycle (spawn, signals, reaping)`,
		Version:         version,
		HideHelpCommand: true,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "no-pty", Usage: "give CMD runp's stdio directly instead of a pseudo-terminal"},
			&cli.BoolFlag{Name: "group", Aliases: []string{"g"}, Usage: "forward signals to CMD's process group (the PTY's foreground job)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log the lifecycle (spawned, signalled, reaped) on stderr"},
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		Action: func(c *cli.Context) error {
			argv := c.Args().Slice()
			if len(argv) == 0 {
				return usageError{errors.New("no command given; usage: runp [options] [--] CMD [ARGS...]")}
			}
			cfg := supervisor.Config{
				Argv:      argv,
				NoPTY:     c.Bool("no-pty"),
				Group:     c.Bool("group"),
				Subreaper: true,
				Stderr:    stderr,
			}
			if c.Bool("verbose") {
				cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			res, err := supervisor.Run(context.Background(), cfg)
			*exit = res.ExitCode
			return err
		},
	}
}

// usageError marks a mistake in runp's own command line: exit 125.
type usageError struct{ error }

func main() {
	os.Exit(runMain(os.Args, os.Stdout, os.Stderr))
}

// runMain runs the CLI and returns the exit status.
func runMain(args []string, stdout, stderr io.Writer) int {
	exit := 0
	app := newApp(stdout, stderr, &exit)
	if err := app.Run(args); err != nil {
		fmt.Fprintf(stderr, "runp: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) || exit == 0 {
			return supervisor.ExitRunpFailed
		}
	}
	return exit
}
