package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"runp/reaper"
	"runp/registry"
	"runp/supervisor"
)

// To run a program called ps or reap, put "--" before it: runp -- ps aux.

func psCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "ps",
		Usage:     "list runp sessions and the processes they track",
		UsageText: "runp ps [--json] [--state-dir DIR]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON (fields documented in the README)"},
			stateDirFlag(),
		},
		Action: func(c *cli.Context) error {
			store, err := registry.Open(c.String("state-dir"))
			if err != nil {
				return usageError{err}
			}
			sessions, problems, err := reaper.Status(store)
			reportProblems(c.App.ErrWriter, problems)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(stdout, sessions)
			}
			w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			for _, s := range sessions {
				owner := "live"
				if !s.Live {
					owner = "dead: run 'runp reap'"
				}
				// No tab in the header: it would widen the process columns.
				fmt.Fprintf(w, "session %s, runp %d (%s): %s\n", s.Session, s.RunpPID, owner, strings.Join(s.Argv, " "))
				fmt.Fprintf(w, "  PID\tSTATE\tAGE\tCOMMAND\n")
				for _, p := range s.Processes {
					fmt.Fprintf(w, "  %d\t%s\t%s\t%s\n", p.PID, p.State, time.Duration(p.AgeSeconds)*time.Second, p.Command)
				}
			}
			return w.Flush()
		},
	}
}

func reapCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "reap",
		Usage:     "clean up the sessions of runps that died (killed with SIGKILL, or their machine crashed)",
		UsageText: "runp reap [--dry-run] [--json] [--state-dir DIR] [--stop-signal SIG] [--grace D]",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "show what would be signalled, change nothing"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON (fields documented in the README)"},
		}, commonFlags()...),
		Action: func(c *cli.Context) error {
			stop, err := supervisor.ParseSignal(c.String("stop-signal"))
			if err != nil {
				return usageError{fmt.Errorf("--stop-signal: %w", err)}
			}
			store, err := registry.Open(c.String("state-dir"))
			if err != nil {
				return usageError{err}
			}
			reports, problems := reaper.Recover(store, reaper.RecoverOptions{
				Stop: stop, Grace: c.Duration("grace"), DryRun: c.Bool("dry-run"), Logger: logger(c, stderr),
			})
			reportProblems(stderr, problems)
			if reports == nil {
				reports = []reaper.Report{}
			}
			if c.Bool("json") {
				return writeJSON(stdout, reports)
			}
			verb := "signalled"
			if c.Bool("dry-run") {
				verb = "would signal"
			}
			for _, r := range reports {
				if r.OtherBoot {
					fmt.Fprintf(stdout, "session %s (runp %d): from an earlier boot, removed\n", r.Session, r.RunpPID)
					continue
				}
				fmt.Fprintf(stdout, "session %s (runp %d, %s):\n", r.Session, r.RunpPID, strings.Join(r.Argv, " "))
				for _, p := range r.Processes {
					action := "left alone"
					switch {
					case p.Signal != "":
						action = "signalled " + p.Signal
					case c.Bool("dry-run") && (p.State == "alive" || p.State == "orphan" || p.State == "cookie"):
						action = verb
					}
					fmt.Fprintf(stdout, "  %d\t%s\t%s\t%s\n", p.PID, p.State, action, p.Command)
				}
			}
			return nil
		},
	}
}

// reportProblems prints, one line each, what the registry could not read.
func reportProblems(w io.Writer, problems []error) {
	for _, p := range problems {
		fmt.Fprintf(w, "runp: %v\n", p)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
