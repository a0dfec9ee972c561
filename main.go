// runp needs no GOMAXPROCS that follows the CPU limit. Without this line the
// Go runtime reads the cgroup's limit again each time it wakes a second or
// more after the last read, which is every time an idle runp wakes.
//
//go:debug updatemaxprocs=0

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
	"syscall"

	"github.com/urfave/cli/v2"

	_ "runp/internal/sigsub/early" // the signal subscription starts while the program initialises
	"runp/supervisor"
)

// version is runp's version; release builds set it with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const description = `runp runs CMD the way you would run it yourself: in a pseudo-terminal,
so it line-buffers and colours its output, with your signals forwarded and
its zombies reaped, and returns CMD's exit status.

Everything after CMD belongs to CMD. Use "--" before CMD when CMD starts
with a dash.

Exit status: CMD's own; 128+N if CMD died of signal N; 124 if --timeout or
--idle-timeout fired; 125 if runp failed before CMD ran (bad flags, a --report
FILE that cannot be written); 126 if CMD is not executable; 127 if CMD was not
found.

Clean-up: when CMD exits, every process it started that still runs gets
the stop signal (--stop-signal, default SIGTERM), then SIGKILL after the
grace (--grace, default 5s), and runp exits once all are gone. Processes are
tracked by PID and start time in the state dir (--state-dir), so runp never
signals a process that merely reuses a recorded PID. "runp ps" lists the
sessions; "runp reap" cleans up after a runp that was killed with SIGKILL.

Signals: every signal runp can catch is forwarded to CMD (with --group, to
its foreground process group), but SIGWINCH, which resizes CMD's terminal,
SIGCHLD, the job-control stops, and the Go runtime's SIGURG and SIGPROF;
SIGHUP is forwarded every time. A Ctrl-C typed at the terminal goes to CMD
through its terminal, not to runp. A second SIGINT or SIGTERM sent to runp
itself within 3 seconds of the first (kill -INT or kill -TERM on runp's PID,
an orchestrator's repeated stop), while CMD still runs, kills CMD with
SIGKILL. When CMD dies of a signal, runp dies of the same signal (the
shell's $? is 128+N); of a Ctrl-C (or the quit key) typed at runp's terminal,
runp sends it to its own process group, as the terminal would have, so that
a script's loop around runp stops.`

// newApp builds the CLI. unprepare undoes supervisor.Prepare for the
// commands that run no command of their own (ps, reap).
func newApp(stdout, stderr io.Writer, exit *status, unprepare func()) *cli.App {
	// -v is --verbose here, as in most supervisors; --version stays long.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print runp's version"}
	commands := []*cli.Command{psCommand(stdout), reapCommand(stdout, stderr)}
	for _, cmd := range commands {
		cmd.Before = func(c *cli.Context) error { unprepare(); return commandOptions(c) }
	}
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
		Flags:           append(runFlags(), commonFlags()...),
		Commands:        commands,
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError{flagParseError(err, "", c.App.Flags)}
		},
		Action: func(c *cli.Context) error {
			if shell := c.String("completion"); shell != "" {
				return printCompletion(c.App, stdout, shell)
			}
			if c.Bool("man") {
				page, err := renderMan(c.App)
				if err == nil {
					_, err = io.WriteString(stdout, page)
				}
				return err
			}
			return runCommand(c, stderr, exit)
		},
	}
}

// runFlags are the options of running a command that ps and reap do not
// have (see commonFlags for those they share).
func runFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "no-pty", Usage: "give CMD runp's stdio directly instead of a pseudo-terminal"},
		&cli.BoolFlag{Name: "group", Aliases: []string{"g"}, Usage: "forward signals to CMD's process group (the PTY's foreground job)"},
		&cli.BoolFlag{Name: "keep-pager", EnvVars: []string{"RUNP_KEEP_PAGER"}, Usage: "keep PAGER, GIT_PAGER, MANPAGER... when stdin is not a terminal (by default they are set to cat: nobody could answer a pager)"},
		&cli.StringFlag{Name: "on-exit", Value: string(supervisor.OnExitKill), Usage: "what happens to CMD's descendants when CMD exits: kill, wait (init-style) or leave"},
		&cli.DurationFlag{Name: "reap-interval", Value: supervisor.DefaultReapInterval, Usage: "how often the reaper looks for new descendants"},
		&cli.DurationFlag{Name: "timeout", Aliases: []string{"t"}, Usage: "stop an attempt that runs longer than this (exit status 124)"},
		&cli.DurationFlag{Name: "idle-timeout", Usage: "stop an attempt that prints nothing for this long (exit status 124)"},
		&cli.IntFlag{Name: "retries", Usage: "run a failed attempt again, up to this many more times, after cleaning its tree up"},
		&cli.DurationFlag{Name: "retry-delay", Usage: "pause before each retry"},
		&cli.StringFlag{Name: "report", Usage: "write a JSON report of the run to this file (schema in the README)"},
		&cli.StringFlag{Name: "completion", Usage: "print the shell completion script for bash, zsh or fish, and exit"},
		&cli.BoolFlag{Name: "man", Usage: "print runp's man page (roff), generated from these options, and exit"},
	}
}

// runCommand runs the command that c's arguments name, writes the report
// that --report asks for, and sets exit to how runp is to end.
func runCommand(c *cli.Context, stderr io.Writer, exit *status) error {
	argv := c.Args().Slice()
	if len(argv) == 0 {
		return usageError{errors.New("no command given; usage: runp [options] [--] CMD [ARGS...]")}
	}
	stop, err := checkRunOptions(c)
	if err != nil {
		return err
	}
	// The report's path is checked before the command runs: finding out
	// at the end would cost the run and leave no report.
	if path := c.String("report"); path != "" {
		if err := checkReport(path); err != nil {
			return usageError{err}
		}
	}
	res, err := supervisor.Run(context.Background(), runConfig(c, argv, stop, stderr))
	*exit = status{code: res.ExitCode, signal: res.DeathSignal(), group: res.Keyboard}
	if path := c.String("report"); path != "" {
		if rerr := writeReport(path, version, argv, res); rerr != nil {
			fmt.Fprintf(stderr, "runp: %v\n", rerr)
		}
	}
	return err
}

// runConfig is the supervisor.Config that c's options ask for.
func runConfig(c *cli.Context, argv []string, stop syscall.Signal, stderr io.Writer) supervisor.Config {
	// runp's messages and its log follow the terminal: "\r\n" in raw mode,
	// held while a full-screen program owns the screen.
	msgs := supervisor.MessageWriter(stderr)
	cfg := supervisor.Config{
		Argv:         argv,
		NoPTY:        c.Bool("no-pty"),
		Group:        c.Bool("group"),
		KeepPager:    c.Bool("keep-pager"),
		Subreaper:    true,
		Interactive:  true,
		JobControl:   true,
		RecoverDead:  true,
		OnExit:       supervisor.OnExit(c.String("on-exit")),
		StopSignal:   stop,
		Grace:        c.Duration("grace"),
		ReapInterval: c.Duration("reap-interval"),
		StateDir:     c.String("state-dir"),
		Timeout:      c.Duration("timeout"),
		IdleTimeout:  c.Duration("idle-timeout"),
		Retries:      c.Int("retries"),
		RetryDelay:   c.Duration("retry-delay"),
		Stderr:       msgs,
		Logger:       logger(c, msgs),
	}
	if c.IsSet("grace") && cfg.Grace == 0 {
		cfg.Grace = supervisor.NoGrace // --grace 0: no grace at all
	}
	return cfg
}

// commonFlags belong to running a command and to the ps and reap commands.
// Each call makes new flags: a flag keeps parsing state, so one set is not
// shared between the commands.
func commonFlags() []cli.Flag {
	return []cli.Flag{
		stateDirFlag(),
		&cli.StringFlag{Name: "stop-signal", Value: "TERM", Usage: "the signal that asks descendants to stop at clean-up"},
		&cli.DurationFlag{Name: "grace", Value: supervisor.DefaultGrace, Usage: "time between the stop signal and SIGKILL"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log the lifecycle (spawned, tracked, signalled, reaped) on stderr"},
	}
}

func stateDirFlag() cli.Flag {
	// No EnvVars: the registry reads $RUNP_STATE_DIR itself, and "set" must
	// mean typed, to tell "runp --state-dir D ps" from "runp ps --state-dir D".
	return &cli.StringFlag{Name: "state-dir",
		Usage: "the registry's directory (default $RUNP_STATE_DIR, else $XDG_STATE_HOME/runp, else ~/.local/state/runp)"}
}

func logger(c *cli.Context, stderr io.Writer) *slog.Logger {
	if !c.Bool("verbose") {
		return nil
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// status is how runp ends: its exit status, and the signal it dies of, if
// any: the one that killed the command (see supervisor.Result.DeathSignal),
// sent to runp's whole process group when group is set: it came from the
// keyboard (see supervisor.Result.Keyboard).
type status struct {
	code   int
	signal syscall.Signal
	group  bool
}

func main() {
	if code, ok := supervisor.Monitor(); ok {
		os.Exit(code) // this runp is the job-control monitor of a command
	}
	st := runMain(os.Args, os.Stdout, os.Stderr)
	if st.signal != 0 {
		die(st.signal, st.group) // returns only where runp cannot die of it (PID 1)
	}
	os.Exit(st.code)
}

// runMain runs the CLI and says how runp ends.
func runMain(args []string, stdout, stderr io.Writer) status {
	// The signal subscription that every run needs is made while the flags
	// are parsed; a run takes it over, anything else undoes it.
	unprepare := supervisor.Prepare()
	defer unprepare()
	var exit status
	app := newApp(stdout, stderr, &exit, unprepare)
	if err := app.Run(args); err != nil {
		fmt.Fprintf(stderr, "runp: %s\n", describe(err, args, app))
		var ue usageError
		if errors.As(err, &ue) || exit.code == 0 {
			return status{code: supervisor.ExitRunpFailed}
		}
	}
	return exit
}
