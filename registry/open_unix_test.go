//go:build unix

package registry

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkRefusal asserts that Open refused with one clear line naming path.
func checkRefusal(t *testing.T, dir, path, why string) {
	t.Helper()
	s, err := Open(dir)
	if err == nil {
		t.Fatalf("Open(%s) = %v, want a refusal", dir, s)
	}
	if !errors.Is(err, errUnsafeDir) {
		t.Errorf("error %q does not wrap errUnsafeDir", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, path) || !strings.Contains(msg, why) {
		t.Errorf("error %q: want one line naming %s and saying %q", msg, path, why)
	}
	t.Log(msg)
}

func TestOpenRefusesSymlink(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	checkRefusal(t, link, link, "symbolic link")
	if _, err := os.Stat(filepath.Join(real, sessionsDir)); err == nil {
		t.Error("Open created sessions/ behind the symlink")
	}

	// A symlinked subdirectory is refused just the same.
	dir := filepath.Join(base, "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, sessionsDir)); err != nil {
		t.Fatal(err)
	}
	checkRefusal(t, dir, filepath.Join(dir, sessionsDir), "symbolic link")
}

func TestOpenRefusesWorldWritable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil { // Chmod: Mkdir's mode goes through the umask
		t.Fatal(err)
	}
	checkRefusal(t, dir, dir, "world-writable")
}

func TestOpenRefusesNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(file); err == nil {
		t.Fatal("Open of a regular file succeeded")
	}
}

func TestOpenRefusesOtherOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown a directory to another uid")
	}
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	checkRefusal(t, dir, dir, "owned by uid 65534")
}

func TestOpenCreatesPrivateDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "runp")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{s.Dir(), s.sessions, s.quarantine} {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v", d, fi, err)
		}
	}
	if _, err := Open(dir); err != nil {
		t.Errorf("second Open: %v", err)
	}
}
