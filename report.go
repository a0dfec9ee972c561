package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"runp/supervisor"
)

// runReport is the JSON document of --report; its fields are documented in
// the README ("Use in CI"). It is the CLI's own, converted field by field
// from the supervisor's Result.
type runReport struct {
	RunpVersion string          `json:"runp_version"`
	Argv        []string        `json:"argv"`
	Started     time.Time       `json:"started"`
	Ended       time.Time       `json:"ended"`
	ExitCode    int             `json:"exit_code"`
	Attempts    []attemptReport `json:"attempts"`
}

// attemptReport is one run of the command.
type attemptReport struct {
	ExitCode int `json:"exit_code"`
	// Signal names the signal that killed the command ("SIGKILL"), or "".
	Signal  string    `json:"signal,omitempty"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	Seconds float64   `json:"duration_seconds"`
	// Limit is the limit that ended the attempt, or "".
	Limit  string         `json:"limit,omitempty"`
	Killed []killedReport `json:"killed"`
}

// killedReport is a process the clean-up had to signal.
type killedReport struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	Signal  string `json:"signal"` // its name, as in "SIGTERM"
}

// newRunReport is res as the --report document.
func newRunReport(version string, argv []string, res supervisor.Result) runReport {
	attempts := convert(res.Attempts, newAttemptReport)
	if attempts == nil {
		attempts = []attemptReport{}
	}
	return runReport{RunpVersion: version, Argv: argv, Started: res.Started, Ended: res.Ended,
		ExitCode: res.ExitCode, Attempts: attempts}
}

func newAttemptReport(a supervisor.Attempt) attemptReport {
	var signal string
	if a.Signal != 0 {
		signal = supervisor.SignalName(a.Signal)
	}
	var killed []killedReport // nil stays nil: JSON null, as the library had none
	if a.Killed != nil {
		killed = make([]killedReport, 0, len(a.Killed))
	}
	for _, k := range a.Killed {
		killed = append(killed, killedReport{PID: k.PID, Command: k.Command, Signal: k.SignalName})
	}
	return attemptReport{ExitCode: a.ExitCode, Signal: signal, Started: a.Started, Ended: a.Ended,
		Seconds: a.Seconds, Limit: string(a.Limit), Killed: killed}
}

// A report path names one of two kinds of thing. A regular file, or nothing
// yet, is runp's to replace: the report is written to a temporary file
// beside it and renamed over it, so a reader sees the old report or the
// whole new one. Anything else — a device such as /dev/null or a terminal,
// a FIFO, a symlink such as /dev/stdout — is somebody else's: the report is
// written into it in place, and what the path is stays as it was. Renaming
// over /dev/null would turn it into a regular 0600 file for every program on
// the machine.

// checkReport tells whether a report can be written to path, before the
// command runs: the directory that would hold a new or replaced file must
// exist and take a new file; a device, FIFO or symlink must be writable.
// It opens nothing that has a reader on the other side (a FIFO's reader
// would see EOF), and leaves nothing behind. The error names path as given.
func checkReport(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return reportErr(path, probeDir(filepath.Dir(path)))
	case err != nil:
		return reportErr(path, err)
	case fi.IsDir():
		return reportErr(path, errors.New("is a directory"))
	case fi.Mode().IsRegular():
		return reportErr(path, probeDir(filepath.Dir(path)))
	}
	target, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) && fi.Mode()&fs.ModeSymlink != 0 {
		// A dangling symlink: writing through it creates its target.
		dest, rerr := os.Readlink(path)
		if rerr != nil {
			return reportErr(path, rerr)
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		return reportErr(path, probeDir(filepath.Dir(dest)))
	} else if err != nil {
		return reportErr(path, err)
	}
	switch {
	case target.IsDir():
		return reportErr(path, errors.New("is a directory"))
	case target.Mode().Type() == fs.ModeSocket:
		return reportErr(path, errors.New("is a socket"))
	}
	return reportErr(path, writable(path))
}

// probeDir checks that dir takes a new file by creating one and removing it:
// permissions, a read-only filesystem and ACLs all answer as they will for
// the report itself.
func probeDir(dir string) error {
	f, err := os.CreateTemp(dir, ".runp-report-probe-*.tmp")
	if err != nil {
		return err
	}
	_ = f.Close() // best effort: empty, removed next
	return os.Remove(f.Name())
}

// reportErr names the path the user gave and the cause alone, not the
// temporary file the cause may mention. nil stays nil.
func reportErr(path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("--report %s: %w", path, err)
}

// writeReport writes res as the --report document to path: atomically for
// a regular file or a new one, in place for anything else (see checkReport).
func writeReport(path, version string, argv []string, res supervisor.Result) error {
	data, err := encodeJSON(newRunReport(version, argv, res))
	if err != nil {
		return reportErr(path, err)
	}
	fi, err := os.Lstat(path)
	if err == nil && !fi.Mode().IsRegular() {
		return reportErr(path, writeInPlace(path, data))
	}
	var mode fs.FileMode = 0o600
	if err == nil {
		mode = fi.Mode().Perm() // replacing a file keeps its permissions
	}
	return reportErr(path, replaceFile(path, data, mode))
}

// replaceFile writes data to a temp file beside path, then renames it over path.
func replaceFile(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // best effort: gone after the rename
	_, err = tmp.Write(data)
	if err == nil && mode != 0o600 {
		err = tmp.Chmod(mode)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeInPlace writes data into what path names now, following a symlink.
// A regular file at the end of a link is truncated first, unless it is
// runp's own stdout or stderr (--report /dev/stdout with stdout redirected
// to a log): then the report goes through that descriptor, after what was
// written there, instead of truncating the log under the shell's feet.
func writeInPlace(path string, data []byte) error {
	flags := os.O_WRONLY | os.O_CREATE | noCTTY
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		for _, std := range []*os.File{os.Stdout, os.Stderr} {
			if si, err := std.Stat(); err == nil && os.SameFile(fi, si) {
				_, err := std.Write(data)
				return err
			}
		}
		flags |= os.O_TRUNC
	}
	// A FIFO's open waits for its reader, as a shell's redirection does.
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
