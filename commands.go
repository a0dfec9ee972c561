package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

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
				return writeJSON(stdout, sessions)
			}
			if len(sessions) == 0 {
				_, err := fmt.Fprintln(stdout, "no runp sessions")
				return err
			}
			w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			for _, s := range sessions {
				owner := "live"
				if !s.Live {
					owner = "dead: run 'runp reap'"
				}
				// No tab in the header: it would widen the process columns.
				fmt.Fprintf(w, "session %s, runp %d (%s): %s\n", s.Session, s.RunpPID, owner, printableArgv(s.Argv))
				fmt.Fprintf(w, "  PID\tSTATE\tAGE\tCOMMAND (as recorded)\n")
				for _, p := range s.Processes {
					fmt.Fprintf(w, "  %d\t%s\t%s\t%s\n", p.PID, p.State, time.Duration(p.AgeSeconds)*time.Second, printable(p.Command))
				}
			}
			return w.Flush()
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
				err = writeJSON(stdout, reports)
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

// printReports prints what reap did, or with dry, would do.
func printReports(w io.Writer, reports []reaper.Report, dry bool) error {
	if len(reports) == 0 {
		_, err := fmt.Fprintln(w, "no dead runp sessions")
		return err
	}
	removed, signalled := "removed", "signalled "
	if dry {
		removed, signalled = "would remove", "would signal "
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range reports {
		if r.OtherBoot {
			fmt.Fprintf(tw, "session %s (runp %d): from an earlier boot, %s\n", r.Session, r.RunpPID, removed)
			continue
		}
		what := printableArgv(r.Argv)
		if r.Unwritten {
			what = "no session file: found by its cookie"
		}
		fmt.Fprintf(tw, "session %s (runp %d, %s): %s\n", r.Session, r.RunpPID, what, removed)
		fmt.Fprintf(tw, "  PID\tSTATE\tACTION\tCOMMAND\n")
		for _, p := range r.Processes {
			action := "left alone"
			switch {
			case p.Signal != "":
				action = signalled + p.Signal
			case dry && (p.State == "alive" || p.State == "orphan" || p.State == "cookie"):
				action = strings.TrimSpace(signalled)
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", p.PID, p.State, action, printable(p.Command))
		}
	}
	return tw.Flush()
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

// reportProblems prints, one line each, what the registry could not read.
func reportProblems(w io.Writer, problems []error) {
	for _, p := range problems {
		fmt.Fprintf(w, "runp: %s\n", printable(p.Error()))
	}
}

// writeJSON writes v indented, without HTML escaping: a command line's &&,
// < and > stay as they are. JSON's own escaping already makes every control
// character safe, and keeps the exact strings.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
