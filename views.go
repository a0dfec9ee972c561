package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"runp/reaper"
)

// The views of "runp ps" and "runp reap": their tables, and their JSON,
// whose documents are the CLI's own types below (fields documented in the
// README: "runp ps --json", "runp reap --json"), converted field by field
// from what the reaper returns. The --report document is in report.go.

// sessionJSON is one session in "runp ps --json".
type sessionJSON struct {
	Session   string        `json:"session"`
	RunpPID   int           `json:"runp_pid"`
	Live      bool          `json:"live"`
	Argv      []string      `json:"argv"`
	Cwd       string        `json:"cwd"`
	Started   time.Time     `json:"started"`
	Processes []processJSON `json:"processes"`
}

// processJSON is one tracked process in "runp ps --json".
type processJSON struct {
	PID        int       `json:"pid"`
	PPID       int       `json:"ppid"`
	Command    string    `json:"command"`
	Role       string    `json:"role"`
	FirstSeen  time.Time `json:"first_seen"`
	AgeSeconds float64   `json:"age_seconds"`
	State      string    `json:"state"`
}

// recoveredJSON is one dead session in "runp reap --json".
type recoveredJSON struct {
	Session   string                 `json:"session"`
	RunpPID   int                    `json:"runp_pid"`
	Argv      []string               `json:"argv"`
	OtherBoot bool                   `json:"other_boot"`
	Unwritten bool                   `json:"unwritten,omitempty"`
	Processes []recoveredProcessJSON `json:"processes"`
}

// recoveredProcessJSON is one process of a dead session in "runp reap --json".
type recoveredProcessJSON struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	State   string `json:"state"`
	Signal  string `json:"signal,omitempty"`
}

// convert maps f over in; nil stays nil, so that JSON says null where the
// reaper had nothing, and [] where it had an empty list.
func convert[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}

func sessionView(s reaper.SessionStatus) sessionJSON {
	return sessionJSON{Session: s.Session, RunpPID: s.RunpPID, Live: s.Live, Argv: s.Argv, Cwd: s.Cwd,
		Started: s.Started, Processes: convert(s.Processes, func(p reaper.ProcessStatus) processJSON {
			return processJSON{PID: p.PID, PPID: p.PPID, Command: p.Command, Role: p.Role,
				FirstSeen: p.FirstSeen, AgeSeconds: p.AgeSeconds, State: p.State}
		})}
}

func recoveredView(r reaper.Report) recoveredJSON {
	return recoveredJSON{Session: r.Session, RunpPID: r.RunpPID, Argv: r.Argv, OtherBoot: r.OtherBoot,
		Unwritten: r.Unwritten, Processes: convert(r.Processes, func(p reaper.ProcessReport) recoveredProcessJSON {
			return recoveredProcessJSON{PID: p.PID, Command: p.Command, State: p.State, Signal: p.Signal}
		})}
}

// printSessions prints what ps found: per session a header line and a
// table of its processes.
func printSessions(w io.Writer, sessions []reaper.SessionStatus) error {
	if len(sessions) == 0 {
		_, err := fmt.Fprintln(w, "no runp sessions")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range sessions {
		owner := "live"
		if !s.Live {
			owner = "dead: run 'runp reap'"
		}
		// No tab in the header: it would widen the process columns.
		fmt.Fprintf(tw, "session %s, runp %d (%s): %s\n", s.Session, s.RunpPID, owner, printableArgv(s.Argv))
		fmt.Fprintf(tw, "  PID\tSTATE\tAGE\tCOMMAND (as recorded)\n")
		for _, p := range s.Processes {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", p.PID, p.State, time.Duration(p.AgeSeconds)*time.Second, printable(p.Command))
		}
	}
	return tw.Flush()
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

// reportProblems prints, one line each, what the registry could not read.
func reportProblems(w io.Writer, problems []error) {
	for _, p := range problems {
		fmt.Fprintf(w, "runp: %s\n", printable(p.Error()))
	}
}

// writeJSON writes v as encodeJSON does.
func writeJSON(w io.Writer, v any) error {
	data, err := encodeJSON(v)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// encodeJSON is v indented and ended by "\n", without HTML escaping: a
// command line's &&, < and > stay as they are. JSON's own escaping already
// makes every control character safe, and keeps the exact strings.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
