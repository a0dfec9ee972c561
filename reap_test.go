//go:build linux

package main

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runp/registry"
)

// tree is everything about the files under dir: path, mode, size, time and
// content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		v := fmt.Sprintf("%v %d %v", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			v += fmt.Sprintf(" %x", sha256.Sum256(data))
		}
		m[path] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReapDryRunChangesNothing: "runp reap --dry-run" says what it would do
// ("would remove", "would signal") and changes nothing: no process signalled,
// no file created, moved, deleted or written (#12 point 9).
func TestReapDryRunChangesNothing(t *testing.T) {
	dir := t.TempDir()
	s := namedSleeper(t, "sleep")
	live := deadSession(t, dir, "", []string{"dead-runp-cmd"}, "sleep 3600", s.Process.Pid)
	old := deadSession(t, dir, "00000000-0000-0000-0000-000000000000", []string{"before-reboot"}, "")
	sessions := filepath.Join(dir, "sessions")
	// What a crash leaves besides records, old enough for a sweep: a temp
	// file, a lock without its record; and a record that does not parse.
	stale := time.Now().Add(-time.Hour)
	bad := registry.NewID()
	for name, data := range map[string]string{
		"." + bad + ".123.tmp":     "half a record",
		registry.NewID() + ".lock": "",
		bad + ".toml":              "not = [toml",
		bad + ".lock":              "",
	} {
		path := filepath.Join(sessions, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, stale, stale); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, dir)
	start := startOf(s.Process.Pid)
	for _, argv := range [][]string{{"reap", "--dry-run"}, {"reap", "-n", "--json"}} {
		out, stderr, status := runpIn(t, dir, argv...)
		if status != 0 {
			t.Fatalf("%v: status %d, stderr %q", argv, status, stderr)
		}
		if argv[1] == "--dry-run" {
			for _, want := range []string{
				"session " + old + " (runp 999999): from an earlier boot, would remove\n",
				"session " + live + " (runp 999999, dead-runp-cmd): would remove\n",
				"would signal",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in:\n%s", want, out)
				}
			}
			if strings.Contains(out, "removed") || strings.Contains(out, "signalled") {
				t.Errorf("a dry run says it did something:\n%s", out)
			}
		}
		if !strings.Contains(stderr, bad) || !strings.Contains(stderr, "left in place") {
			t.Errorf("%v: the bad record is not reported as left in place: %q", argv, stderr)
		}
		after := tree(t, dir)
		for path, v := range before {
			if after[path] != v {
				t.Errorf("%v changed %s: %q, then %q", argv, path, v, after[path])
			}
		}
		for path := range after {
			if _, ok := before[path]; !ok {
				t.Errorf("%v created %s", argv, path)
			}
		}
		if !running(s.Process.Pid) || startOf(s.Process.Pid) != start {
			t.Fatalf("%v: the process of the dead session is gone", argv)
		}
	}
	// The real thing does what the dry run said.
	out, _, status := runpIn(t, dir, "reap", "--grace", "10s")
	for _, want := range []string{"from an earlier boot, removed\n", "dead-runp-cmd): removed\n", "signalled SIGTERM"} {
		if status != 0 || !strings.Contains(out, want) {
			t.Errorf("reap: status %d, no %q in:\n%s", status, want, out)
		}
	}
	waitGone(t, s.Process.Pid, true)
}
