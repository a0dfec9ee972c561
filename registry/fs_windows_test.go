//go:build windows

package registry

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/windows"

	"runp/internal/testenv"
)

// A new version of a session file replaces the old one while a reader
// (runp ps, a reaper) has the old one open: the reader opens it with
// FILE_SHARE_DELETE, and rename asks for POSIX semantics, without which
// the rename is refused for as long as the file is open.
func TestRenameOverOpenFile(t *testing.T) {
	testenv.SkipUnderWine(t, "no POSIX rename semantics (FILE_RENAME_POSIX_SEMANTICS): a rename over an open file is refused")
	dir := testenv.TempDir(t)
	target, next := filepath.Join(dir, "s.toml"), filepath.Join(dir, ".s.tmp")
	for name, data := range map[string]string{target: "old", next: "new"} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p, err := windows.UTF16PtrFromString(target)
	if err != nil {
		t.Fatal(err)
	}
	// Opened as readFile opens it, and held open.
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: read-only
	if err := renameOnce(next, target); err != nil {
		t.Fatalf("rename over a file being read: %v", err)
	}
	if data, err := readFile(target); err != nil || string(data) != "new" {
		t.Errorf("after the rename: %q, %v; want the new version", data, err)
	}
}
