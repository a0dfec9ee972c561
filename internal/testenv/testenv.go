// Package testenv is what the tests of every runp package share: the test
// binary re-executed as its own helper processes (Helpers, Child), the
// deadline that bounds every wait (Deadline, Eventually, WaitFor), a bounded
// run of a command (Run), and where the tests run. The Windows tests also
// run under wine (.ci/wine.sh), which sets RUNP_TEST_WINE=1: a test that
// meets one of wine's gaps (see README: Platforms) skips that part there,
// naming the gap, and nowhere else. It imports none of runp's packages, so
// that their own tests can import it.
package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Wine reports whether the tests run under wine.
func Wine() bool { return os.Getenv("RUNP_TEST_WINE") == "1" }

// SkipUnderWine skips the rest of the test under wine, for gap, what wine
// lacks that the rest needs.
func SkipUnderWine(tb testing.TB, gap string) {
	tb.Helper()
	if Wine() {
		tb.Skip("wine: " + gap)
	}
}

// TempDir is tb.TempDir, with a clean-up that works under wine too: the
// testing package removes the directory with os.RemoveAll, whose deletes
// ask for POSIX semantics (FILE_DISPOSITION_INFORMATION_EX), which wine 8
// does not implement ("Invalid function"). Under wine the tree is removed
// first, entry by entry, with os.Remove's DeleteFile and RemoveDirectory;
// RemoveAll then finds nothing to do.
func TempDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if Wine() {
		// TempDir makes a directory per test and numbered ones inside it;
		// the outer one is what RemoveAll removes.
		tb.Cleanup(func() { removeTree(tb, filepath.Dir(dir)) })
	}
	return dir
}

func removeTree(tb testing.TB, root string) {
	var paths []string
	_ = filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, p)
		}
		return nil // best effort: what is left makes RemoveAll fail the test
	})
	// WalkDir lists a directory before its entries: reversed, every entry
	// comes before its directory.
	slices.Reverse(paths)
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			tb.Logf("remove %s: %v", p, err)
		}
	}
}
