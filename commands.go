package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/urfave/cli/v2"

	"runp/reaper"
	"runp/registry"
)

// To run a program called ps or reap, put "--" before it: runp -- ps aux.

func psCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:            "ps",
		Usage:           "list runp sessions and the processes they track",
		UsageText:       "runp ps [--json] [--state-dir DIR]",
		HideHelpCommand: true,
		OnUsageError:    commandUsageError("ps"),
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON (fields documented in the README)"},
			stateDirFlag(),
		},
		Action: func(c *cli.Context) error {
			// ps only looks: it creates no state dir and moves no file.
			store, err := registry.OpenReadOnly(c.String("state-dir"))
			if err != nil {
				return err
			}
			sessions, problems, err := reaper.Status(store)
			reportProblems(c.App.ErrWriter, problems)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(stdout, convert(sessions, sessionView))
			}
			return printSessions(stdout, sessions)
		},
	}
}

func reapCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:            "reap",
		Usage:           "clean up the sessions of runps that died (killed with SIGKILL, or their machine crashed)",
		UsageText:       "runp reap [--dry-run] [--json] [--state-dir DIR] [--stop-signal SIG] [--grace D]",
		HideHelpCommand: true,
		OnUsageError:    commandUsageError("reap"),
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "show what would be signalled and removed, change nothing"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON (fields documented in the README)"},
		}, commonFlags()...),
		Action: func(c *cli.Context) error {
			if err := notNegative(c, c.Command.Flags); err != nil {
				return err
			}
			stop, err := stopSignal(c)
			if err != nil {
				return err
			}
			dry := c.Bool("dry-run")
			open := registry.Open
			if dry {
				open = registry.OpenReadOnly // creates nothing, moves nothing
			}
			store, err := open(c.String("state-dir"))
			if err != nil {
				return err
			}
			reports, problems := reaper.Recover(store, reaper.RecoverOptions{
				Stop: stop, Grace: c.Duration("grace"), DryRun: dry, Logger: logger(c, stderr),
				Unwritten: true, // "runp reap" is where a whole scan of the machine belongs
			})
			problems, failed := failure(problems)
			reportProblems(stderr, problems)
			if failed != nil && len(reports) == 0 {
				return failed // nothing to show: the state dir could not be read
			}
			if reports == nil {
				reports = []reaper.Report{}
			}
			if c.Bool("json") {
				err = writeJSON(stdout, convert(reports, recoveredView))
			} else {
				err = printReports(stdout, reports, dry)
			}
			if err == nil {
				err = failed
			}
			return err
		},
	}
}

// failure takes out of problems the first one that makes reap fail:
// anything but a bad session file moved aside (or, with --dry-run, found),
// which reap has dealt with. runMain prints it, last.
func failure(problems []error) (rest []error, failed error) {
	for i, p := range problems {
		var q *registry.QuarantineError
		if !errors.As(p, &q) {
			rest = append(slices.Clip(problems[:i]), problems[i+1:]...)
			return rest, errors.New(printable(p.Error()))
		}
	}
	return problems, nil
}

// commandOptions takes the options typed before "ps" or "reap" that the
// command has ("runp --state-dir D ps" is "runp ps --state-dir D"; typed on
// both sides, the one after wins), and refuses the others and any argument:
// "runp --no-pty ps aux" means to run a program called ps.
func commandOptions(c *cli.Context) error {
	name := c.Command.Name
	hint := " (to run a program called " + name + ", put -- before it)"
	if c.Args().Present() {
		return usageError{fmt.Errorf("runp %s takes no arguments, got %s%s", name, printable(c.Args().First()), hint)}
	}
	parent := c.Lineage()[1]
	for _, f := range c.App.Flags {
		n := f.Names()[0]
		if !parent.IsSet(n) || fromEnv(f) {
			continue
		}
		if lookupFlag(c.Command.Flags, n) == nil {
			return usageError{optionError{f.Names(), "%s does not apply to runp " + name + hint, false}}
		}
		if !c.IsSet(n) {
			if err := c.Set(n, parent.String(n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// fromEnv reports whether f may have been set by the environment, where it
// was not typed before "ps" or "reap" (IsSet cannot tell).
func fromEnv(f cli.Flag) bool {
	if e, ok := f.(interface{ GetEnvVars() []string }); ok {
		for _, v := range e.GetEnvVars() {
			if _, set := os.LookupEnv(v); set {
				return true
			}
		}
	}
	return false
}

// commandUsageError is the OnUsageError of "ps" and "reap": one line, no help.
func commandUsageError(name string) cli.OnUsageErrorFunc {
	return func(c *cli.Context, err error, _ bool) error {
		return usageError{flagParseError(err, name, c.Command.Flags)}
	}
}
