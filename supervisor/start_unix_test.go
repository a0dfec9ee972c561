//go:build unix

package supervisor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRelativeDir: with a relative Dir, a relative command is Dir's, and
// it still runs once the child has changed into Dir.
func TestRelativeDir(t *testing.T) {
	rel, err := os.MkdirTemp(".", "reldir") // relative to the test's directory
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(rel) })
	marker := filepath.Join(t.TempDir(), "ran")
	script := "#!/bin/sh\ntouch " + marker + "\n"
	if err := os.WriteFile(filepath.Join(rel, "x"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	res, err := Run(ctx, Config{Argv: []string{"./x"}, Dir: rel, NoPTY: true, Stdin: devNull(t),
		Stdout: os.Stdout, Stderr: os.Stderr, StateDir: t.TempDir()})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("the command did not run: %v", err)
	}
}
