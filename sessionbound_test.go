//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"runp/internal/testenv"
	"runp/registry"
)

// peakLimit bounds the peak RSS of a runp that met a huge session file. runp
// itself needs about 10 MiB; reading the file would need more than the file.
const peakLimit = 50 << 20

func init() {
	// peakrss runs its arguments and prints their peak RSS in KiB: from
	// this small process, the child's figure is its own.
	helpers["peakrss"] = func(args []string) int {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		_ = cmd.Run()
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			return 1
		}
		fmt.Println(ru.Maxrss)
		return 0
	}
}

// runPeak runs argv to its end and returns its peak RSS in bytes and what
// it wrote to stderr and stdout.
//
// Careful: a child that os/exec started from a large process reports that
// process's peak as well. Go starts children with CLONE_VM|CLONE_VFORK, so
// until its exec the child runs in its parent's memory, and Linux counts the
// high-water mark of that memory into the child's maxrss at the exec. Hence
// the peakrss helper, a small process that starts argv and reads its figure.
func runPeak(t *testing.T, argv ...string) (int64, string) {
	t.Helper()
	tag := newTag(t)
	cmd := exec.Command(os.Args[0], argv...)
	cmd.Env = append(os.Environ(), helperEnv+"=peakrss", tagEnv+"="+tag)
	t.Cleanup(func() { killTagged(t, tag) })
	var out, stdout strings.Builder
	cmd.Stderr, cmd.Stdout = &out, &stdout
	if err := testenv.Run(t, cmd); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out.String())
	}
	res := stdout.String()
	kib, err := strconv.ParseInt(strings.TrimSpace(string(res)), 10, 64)
	if err != nil {
		t.Fatalf("peakrss said %q", res)
	}
	return kib << 10, out.String()
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
			peak, out := runPeak(t, append([]string{runpBin}, append(sub, "--state-dir", dir)...)...)
			if peak > peakLimit {
				t.Errorf("runp %v peaked at %d MiB", sub, peak>>20)
			}
			looks := sub[0] == "ps" || slices.Contains(sub, "--dry-run")
			if quarantined(dir, name) == looks || !strings.Contains(string(out), "too large") {
				t.Errorf("runp %v: file moved: %v, want %v, and reported too large; output:\n%s", sub, quarantined(dir, name), !looks, out)
			}
		})
	}

	t.Run("recovery", func(t *testing.T) {
		// The command ends once runp's background recovery has moved the
		// file; --timeout bounds the wait if it never does.
		dir := t.TempDir()
		name := plantHuge(t, dir)
		script := `while [ -e "$1" ]; do sleep 0.01; done`
		peak, out := runPeak(t, runpBin, "--state-dir", dir, "--reap-interval", "10ms", "--timeout", "20s", "--",
			"sh", "-c", script, "sh", filepath.Join(dir, "sessions", name))
		if !quarantined(dir, name) || strings.Contains(out, "timed out") {
			t.Fatalf("the background recovery did not quarantine the file; stderr:\n%s", out)
		}
		if peak > peakLimit {
			t.Errorf("runp peaked at %d MiB", peak>>20)
		}
	})
}

// plantDense puts a session file within the size bound but dense with
// values in dir's sessions/, with its lock file, and returns its name.
func plantDense(t *testing.T, dir, body string) string {
	t.Helper()
	if _, err := registry.Open(dir); err != nil {
		t.Fatal(err)
	}
	id := registry.NewID()
	doc := "version = 1\nid = '" + id + "'\npid = 5\nstart = 1\nboot_id = 'x'\nstarted = 2026-01-01T00:00:00Z\n" + body
	if err := os.WriteFile(filepath.Join(dir, "sessions", id+".toml"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sessions", id+".lock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return id + ".toml"
}

// TestDenseSessionFileBounded: a file within the size bound that is all
// values (decoding costs per value: 8 MB of empty strings would cost the
// decoder 500 MB) is quarantined undecoded, with bounded memory.
func TestDenseSessionFileBounded(t *testing.T) {
	const size = 8<<20 - 4096
	for name, body := range map[string]string{
		"argv":    "argv = [" + strings.Repeat("'',", size/3) + "]\n",
		"process": strings.Repeat("[[process]]\n", size/12),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := plantDense(t, dir, body)
			for _, sub := range []string{"ps", "reap"} {
				peak, out := runPeak(t, runpBin, sub, "--state-dir", dir)
				if peak > peakLimit {
					t.Errorf("runp %s peaked at %d MiB", sub, peak>>20)
				}
				// ps only looks; reap moves the file.
				if quarantined(dir, file) != (sub == "reap") || !strings.Contains(out, "too large") {
					t.Errorf("runp %s: file moved: %v, and not reported too large; output:\n%s", sub, quarantined(dir, file), out)
				}
			}
		})
	}
}
