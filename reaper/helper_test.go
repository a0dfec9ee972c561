package reaper

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"runp/internal/testenv"
	"runp/proc"
)

// The tests that need processes of their own run a copy of the test binary
// in echo mode: it echoes stdin lines to stdout until EOF. A copy, because
// proc.Signal never sends SIGKILL to a process of this very executable (a
// live runp), and the tests must be able to kill their helpers.
const helperEnv = "RUNP_REAPER_HELPER"

// helperBin is the copy of the test binary that the helpers run.
var helperBin string

// helpers are the bodies of the helper processes (testenv.Helpers).
var helpers = testenv.Helpers{Env: helperEnv, Bodies: map[string]func([]string) int{
	"echo": func([]string) int {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			fmt.Println(sc.Text())
		}
		return 0
	},
}}

func TestMain(m *testing.M) {
	helpers.Main()
	dir, err := os.MkdirTemp("", "reaper-helper")
	if err == nil {
		helperBin = filepath.Join(dir, filepath.Base(os.Args[0]))
		err = copyFile(os.Args[0], helperBin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper binary:", err)
		os.Exit(2)
	}
	code := m.Run()
	_ = os.RemoveAll(dir) // best effort: a temp dir
	os.Exit(code)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o700)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// child is a started helper process.
type child = testenv.Child

// startHelper starts an echo helper with env added, its stdin and stdout
// piped; the cleanup kills it by PID and waits for it with a deadline.
func startHelper(tb testing.TB, env []string, mode string) *child {
	tb.Helper()
	c := exec.Command(helperBin)
	c.Env = append(append(os.Environ(), helpers.Setting(mode)), env...)
	return testenv.StartChild(tb, c)
}

func readAll(tb testing.TB, pids []int) []proc.Identity {
	tb.Helper()
	var ids []proc.Identity
	for _, pid := range pids {
		id, err := proc.Read(pid)
		if err != nil {
			tb.Fatalf("Read(%d): %v", pid, err)
		}
		ids = append(ids, id)
	}
	return ids
}
