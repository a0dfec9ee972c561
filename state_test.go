//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"runp/internal/testenv"
	process "runp/proc"
	"runp/registry"
)

// namedSleeper starts a "sleep 3600" whose argv[0] is name (any bytes but NUL),
// with env added to its environment; the test kills it by PID at the end.
func namedSleeper(t *testing.T, name string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "3600")
	cmd.Args[0] = name
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// deadSession records in the state dir dir a session whose runp is dead
// (its lock is free), with argv and the processes pids recorded with
// command, and returns its id. boot "" is this boot.
func deadSession(t *testing.T, dir, boot string, argv []string, command string, pids ...int) string {
	t.Helper()
	if boot == "" {
		var err error
		if boot, err = process.BootID(); err != nil {
			t.Fatal(err)
		}
	}
	store, err := registry.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sess := &registry.Session{ID: registry.NewID(), PID: 999999, BootID: boot, Argv: argv, Cwd: "/", Started: now}
	for _, pid := range pids {
		id, err := process.Read(pid)
		if err != nil {
			t.Fatal(err)
		}
		sess.Processes = append(sess.Processes, registry.Process{PID: pid, PPID: os.Getpid(), Start: id.Start,
			Command: command, Role: registry.RoleDescendant, FirstSeen: now})
	}
	h, err := store.Create(sess)
	if err != nil {
		t.Fatal(err)
	}
	_ = h.Close() // its runp "dies": the lock is free
	return sess.ID
}

// TestPsReapStateDirEveryForm: ps and reap use the state dir however it is given,
// before the command name or after it, or in the environment (#12 point 7).
func TestPsReapStateDirEveryForm(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	id := deadSession(t, dir, "", []string{"dead-cmd"}, "")
	for _, argv := range [][]string{
		{"--state-dir", dir, "ps"},
		{"--state-dir=" + dir, "ps", "--json"},
		{"ps", "--state-dir", dir},
		{"--state-dir", other, "ps", "--state-dir", dir}, // the one after the command wins
		{"--state-dir", dir, "reap", "--dry-run"},
		{"--state-dir", dir, "reap", "-n", "--json"},
	} {
		out, stderr, status := runpIn(t, other, argv...)
		if status != 0 || !strings.Contains(out, id) || stderr != "" {
			t.Errorf("runp %s: status %d, stderr %q, output:\n%s\nwant session %s", strings.Join(argv, " "), status, stderr, out, id)
		}
	}
	if out, _, status := runpIn(t, dir, "ps"); status != 0 || !strings.Contains(out, id) {
		t.Errorf("RUNP_STATE_DIR: status %d, output:\n%s", status, out)
	}
	// An option of runp's set in the environment is not one typed before ps.
	t.Setenv("RUNP_KEEP_PAGER", "1")
	if out, stderr, status := runpIn(t, dir, "ps"); status != 0 || !strings.Contains(out, id) {
		t.Errorf("RUNP_KEEP_PAGER=1 runp ps: status %d, stderr %q, output:\n%s", status, stderr, out)
	}
	// Options that mean nothing to ps or reap, before them: the user meant
	// a program called ps.
	for _, argv := range [][]string{{"--no-pty", "ps"}, {"-t", "1s", "reap"}, {"ps", "aux"}} {
		out, stderr, status := runpIn(t, other, argv...)
		if status != 125 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "put -- before it") {
			t.Errorf("runp %s: status %d, stdout %q, stderr %q; want 125 and one line", strings.Join(argv, " "), status, out, stderr)
		}
	}
}

// TestPsReapStateDirEmpty: an empty result says so, to a person; JSON stays [].
// A state dir that does not exist is not created by ps or reap --dry-run.
func TestPsReapStateDirEmpty(t *testing.T) {
	empty := t.TempDir()
	missing := filepath.Join(t.TempDir(), "none")
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"ps"}, "no runp sessions\n"},
		{[]string{"ps", "--json"}, "[]\n"},
		{[]string{"reap"}, "no dead runp sessions\n"},
		{[]string{"reap", "--json"}, "[]\n"},
		{[]string{"ps", "--state-dir", missing}, "no runp sessions\n"},
		{[]string{"reap", "--dry-run", "--state-dir", missing}, "no dead runp sessions\n"},
	} {
		out, stderr, status := runpIn(t, empty, tc.argv...)
		if status != 0 || out != tc.want || stderr != "" {
			t.Errorf("runp %s: status %d, stdout %q, stderr %q; want %q", strings.Join(tc.argv, " "), status, out, stderr, tc.want)
		}
	}
	if _, err := os.Lstat(missing); err == nil {
		t.Errorf("%s was created", missing)
	}
}

// TestPsReapStateDirUnusable: a state dir that cannot be used gets one line and a
// non-zero exit, in every form of ps and reap.
func TestPsReapStateDirUnusable(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	open := filepath.Join(base, "open")
	link := filepath.Join(base, "link")
	noSessions := filepath.Join(base, "nosessions")
	for _, err := range []error{
		os.WriteFile(file, nil, 0o600),
		os.Mkdir(open, 0o700), os.Chmod(open, 0o777),
		os.Symlink(t.TempDir(), link),
		os.Mkdir(noSessions, 0o700), os.WriteFile(filepath.Join(noSessions, "sessions"), nil, 0o600),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	forms := func(dir string) [][]string {
		return [][]string{
			{"ps"}, {"ps", "--json"}, {"--state-dir", dir, "ps"}, {"ps", "--state-dir", dir},
			{"reap"}, {"reap", "--dry-run"}, {"reap", "--json"}, {"--state-dir", dir, "reap", "-n"},
		}
	}
	for _, dir := range []string{file, open, link, noSessions} {
		for _, argv := range forms(dir) {
			out, stderr, status := runpIn(t, dir, argv...)
			if status == 0 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "runp: ") || !strings.Contains(stderr, dir) {
				t.Errorf("%s: runp %s: status %d, stdout %q, stderr %q; want one line naming the dir, non-zero", filepath.Base(dir), strings.Join(argv, " "), status, out, stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(open, "sessions")); err == nil {
		t.Errorf("sessions/ was created in the world-writable %s", open)
	}
	if os.Geteuid() != 0 {
		t.Skip("unreadable sessions/: needs root to run runp as another user")
	}
	// Unreadable: the user's own state dir, sessions/ mode 000.
	const nobody = 65534
	pub, err := os.MkdirTemp("", "runp-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(pub) })
	bin := filepath.Join(pub, "runp")
	unreadable := filepath.Join(pub, "state")
	data, err := os.ReadFile(runpBin)
	for _, err := range []error{err, os.Chmod(pub, 0o755), os.WriteFile(bin, data, 0o755),
		os.Mkdir(unreadable, 0o700), os.Mkdir(filepath.Join(unreadable, "sessions"), 0o000),
		os.Chown(unreadable, nobody, nobody), os.Chown(filepath.Join(unreadable, "sessions"), nobody, nobody)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, argv := range forms(unreadable) {
		cmd := exec.Command(bin, argv...)
		cmd.Env = append(os.Environ(), "RUNP_STATE_DIR="+unreadable)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		_ = testenv.Run(t, cmd)
		if cmd.ProcessState.ExitCode() == 0 || out.String() != "" || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "permission denied") {
			t.Errorf("unreadable: runp %s: status %d, stdout %q, stderr %q; want one line, non-zero", strings.Join(argv, " "), cmd.ProcessState.ExitCode(), out.String(), errb.String())
		}
	}
}
