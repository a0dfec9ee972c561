package supervisor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Report is the JSON document of --report; its fields are documented in the
// README ("Use in CI").
type Report struct {
	RunpVersion string    `json:"runp_version"`
	Argv        []string  `json:"argv"`
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended"`
	ExitCode    int       `json:"exit_code"`
	Attempts    []Attempt `json:"attempts"`
}

// WriteReport writes res as a Report to path atomically: a reader sees the
// old file or the whole new one, never half of one.
func WriteReport(path, version string, argv []string, res Result) error {
	attempts := res.Attempts
	if attempts == nil {
		attempts = []Attempt{}
	}
	data, err := json.MarshalIndent(Report{
		RunpVersion: version, Argv: argv, Started: res.Started, Ended: res.Ended,
		ExitCode: res.ExitCode, Attempts: attempts,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // best effort: gone after the rename
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		_ = tmp.Close() // best effort: the write error is the one to report
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
