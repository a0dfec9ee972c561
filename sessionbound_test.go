//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"runp/registry"
)

// peakLimit bounds the peak RSS of a runp that met a huge session file. runp
// itself needs about 10 MiB; reading the file would need more than the file.
const peakLimit = 50 << 20

// peakRSS is the peak resident set of an exited child, in bytes.
func peakRSS(t *testing.T, ps *os.ProcessState) int64 {
	t.Helper()
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage")
	}
	return ru.Maxrss << 10 // Linux reports KiB
}

// plantHuge puts a 100 MB session file, sparse, in dir's sessions/ and
// returns its name.
func plantHuge(t *testing.T, dir string) string {
	t.Helper()
	if _, err := registry.Open(dir); err != nil {
		t.Fatal(err)
	}
	name := registry.NewID() + ".toml"
	f, err := os.Create(filepath.Join(dir, "sessions", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

// quarantined reports whether the planted file has left sessions/.
func quarantined(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, "sessions", name))
	return os.IsNotExist(err)
}

// TestHugeSessionFileQuarantinedUnread: a session file beyond the bound is
// moved to quarantine/ without being read, by reap and by a runp's
// background recovery, each with bounded memory; ps and reap --dry-run,
// which only look, report it unread and leave it in place. (Old runp read it
// whole: 355 MB for ps of a 100 MB file.) The bound is on resources, not time.
func TestHugeSessionFileQuarantinedUnread(t *testing.T) {
	for _, sub := range [][]string{{"ps"}, {"ps", "--json"}, {"reap"}, {"reap", "--dry-run"}} {
		t.Run(strings.Join(sub, " "), func(t *testing.T) {
			dir := t.TempDir()
			name := plantHuge(t, dir)
			cmd := exec.Command(runpBin, append(sub, "--state-dir", dir)...)
			out, _ := cmd.CombinedOutput()
			if peak := peakRSS(t, cmd.ProcessState); peak > peakLimit {
				t.Errorf("runp %v peaked at %d MiB", sub, peak>>20)
			}
			looks := sub[0] == "ps" || slices.Contains(sub, "--dry-run")
			if quarantined(dir, name) == looks || !strings.Contains(string(out), "too large") {
				t.Errorf("runp %v: file moved: %v, want %v, and reported too large; output:\n%s", sub, quarantined(dir, name), !looks, out)
			}
		})
	}

	t.Run("recovery", func(t *testing.T) {
		dir := stateDir(t)
		name := plantHuge(t, dir)
		p := start(t, run{flags: []string{"--reap-interval", "10ms"}, helper: "sleep"})
		p.expect("ready")
		waitFor(t, "the background recovery to quarantine the file", func() bool { return quarantined(dir, name) })
		p.signal(syscall.SIGTERM)
		p.wait()
		if peak := peakRSS(t, p.cmd.ProcessState); peak > peakLimit {
			t.Errorf("runp peaked at %d MiB", peak>>20)
		}
		noLeaks(t, p.tag)
	})
}
