//go:build linux

package main

import (
	"crypto/sha256"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"runp/internal/testenv"
)

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      run
		status int
	}{
		{"zero", run{helper: "exit", args: []string{"0"}}, 0},
		{"one", run{helper: "exit", args: []string{"1"}}, 1},
		{"three", run{helper: "exit", args: []string{"3"}}, 3},
		{"255", run{helper: "exit", args: []string{"255"}}, 255},
		{"SIGKILL", run{helper: "selfkill", args: []string{"9"}}, 128 + 9},
		{"SIGTERM", run{helper: "selfkill", args: []string{"15"}}, 128 + 15},
		{"no-pty three", run{flags: []string{"--no-pty"}, helper: "exit", args: []string{"3"}}, 3},
		{"no-pty SIGHUP", run{flags: []string{"--no-pty"}, helper: "selfkill", args: []string{"1"}}, 128 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, status := runOnce(t, tc.r)
			if status != tc.status {
				t.Fatalf("status %d, want %d (stderr %q)", status, tc.status, stderr)
			}
		})
	}
}

func TestStartFailures(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		argv   []string
		status int
		msg    string
	}{
		{"no command", []string{}, 125, "no command given"},
		{"only dashes", []string{"--"}, 125, "no command given"},
		{"bad flag", []string{"--no-such-flag", "true"}, 125, "unknown option --no-such-flag"},
		{"not found", []string{"--", "runp-no-such-command"}, 127, "command not found"},
		{"not found by path", []string{filepath.Join(dir, "missing")}, 127, "command not found"},
		{"not executable", []string{noexec}, 126, "permission denied"},
		{"a directory", []string{dir}, 126, dir},
		{"no-pty not found", []string{"--no-pty", "runp-no-such-command"}, 127, "command not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, status := runpCLI(t, tc.argv...)
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "runp: ") || !strings.Contains(stderr, tc.msg) {
				t.Errorf("stderr %q: want one line starting runp: and naming %q", stderr, tc.msg)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}

func TestArgsAfterCommandBelongToIt(t *testing.T) {
	want := `["--no-pty" "-v" "--help" "--" "x" "--generate-bash-completion"]` + "\n"
	// With and without "--" before the command.
	for _, argv := range [][]string{
		{"--", os.Args[0], "--no-pty", "-v", "--help", "--", "x", "--generate-bash-completion"},
		{os.Args[0], "--no-pty", "-v", "--help", "--", "x", "--generate-bash-completion"},
	} {
		cmd := exec.Command(runpBin, argv...)
		cmd.Env = append(os.Environ(), helperEnv+"=args", "RUNP_STATE_DIR="+stateDir(t))
		out, stderr, status := runToEnd(t, cmd)
		if status != 0 {
			t.Fatalf("%v: status %d: %s", argv, status, stderr)
		}
		if out != want {
			t.Errorf("%v: child got %s, want %s", argv, out, want)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	out, _, status := runpCLI(t, "--help")
	if status != 0 || !strings.Contains(out, "runp -- make test") || !strings.Contains(out, "--no-pty") {
		t.Errorf("--help: status %d, output:\n%s", status, out)
	}
	out, _, status = runpCLI(t, "--version")
	if status != 0 || !strings.Contains(out, version) {
		t.Errorf("--version: status %d, output %q", status, out)
	}
}

func TestChildStdoutIsTerminalWhenPiped(t *testing.T) {
	out, _, status := runOnce(t, run{helper: "isatty"})
	// stdin is /dev/null (not a terminal: passed through), stdout the PTY,
	// stderr a pipe (passed through, so 2>file keeps working).
	if status != 0 || out != "0:false 1:true 2:false\n" {
		t.Fatalf("status %d, output %q", status, out)
	}
}

func TestNoPTYInheritsStdio(t *testing.T) {
	out, _, status := runOnce(t, run{flags: []string{"--no-pty"}, helper: "isatty"})
	if status != 0 || out != "0:false 1:false 2:false\n" {
		t.Fatalf("status %d, output %q", status, out)
	}
}

func TestStdinPassesThroughExactly(t *testing.T) {
	for _, flags := range [][]string{nil, {"--no-pty"}} {
		out, _, status := runOnce(t, run{flags: flags, helper: "cat", stdin: strings.NewReader("a\nb")})
		if status != 0 || out != "a\nb" {
			t.Errorf("%v: status %d, output %q, want %q", flags, status, out, "a\nb")
		}
	}
}

func TestStderrSeparateWhenNotTerminal(t *testing.T) {
	out, stderr, status := runOnce(t, run{helper: "stderr", args: []string{"e"}})
	if status != 0 || out != "" || stderr != "e\n" {
		t.Fatalf("status %d, stdout %q, stderr %q", status, out, stderr)
	}
}

// TestBinaryStreamExact pushes 50 MB of every byte value through the PTY
// into a pipe: not one byte may change ("\n" must not become "\r\n").
func TestBinaryStreamExact(t *testing.T) {
	const n = 50 << 20
	want := sha256.New()
	if _, err := io.CopyN(want, newStream(), n); err != nil {
		t.Fatal(err)
	}
	tag := newTag(t)
	cmd := run{helper: "emit", args: []string{"52428800"}}.command(t, tag)
	t.Cleanup(func() { killTagged(t, tag) })
	got := sha256.New()
	var copied byteCount
	cmd.Stdout = io.MultiWriter(got, &copied)
	if err := testenv.Run(t, cmd); err != nil {
		t.Fatal(err)
	}
	if copied != n || string(got.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatalf("got %d bytes with a different checksum, want %d bytes exact", copied, n)
	}
}

// byteCount counts the bytes written to it.
type byteCount int64

func (c *byteCount) Write(p []byte) (int, error) {
	*c += byteCount(len(p))
	return len(p), nil
}

func TestManPage(t *testing.T) {
	out, _, status := runpCLI(t, "--man")
	for _, want := range []string{".TH runp", "--idle-timeout", "--on-exit", "--report", "ps", "reap"} {
		if status != 0 || !strings.Contains(out, want) {
			t.Fatalf("--man: status %d, no %q in:\n%s", status, want, out)
		}
	}
}

// TestBrokenPipe: `runp -- yes | head -1`. The reader of runp's stdout
// goes away; the command gets SIGPIPE as it would without runp, and runp
// itself does not die of it (which would orphan the tree).
func TestBrokenPipe(t *testing.T) {
	for _, tc := range []struct {
		name string
		argv []string
		env  []string
		want []int
	}{
		// yes dies of SIGPIPE, as in `yes | head -1`.
		{"yes", []string{"--", "yes"}, nil, []int{141}},
		// A Go program ignores a SIGPIPE it did not cause; it dies when
		// the PTY hangs up (SIGHUP), or of its next write.
		{"go", []string{"--", os.Args[0], "1000000000"}, []string{helperEnv + "=emit"}, []int{129, 141, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tag := newTag(t)
			cmd := exec.Command(runpBin, tc.argv...)
			cmd.Env = append(os.Environ(), append(tc.env, tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t))...)
			t.Cleanup(func() { killTagged(t, tag) })
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if err := stdout.(*os.File).SetReadDeadline(testenv.Deadline(t)); err != nil {
				t.Fatal(err)
			}
			if _, err := stdout.Read(make([]byte, 1)); err != nil {
				t.Fatal(err)
			}
			_ = stdout.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(testenv.Patience):
				t.Fatal("runp did not end after its reader went away")
			}
			// runp dies of the command's SIGPIPE (141 to a shell), once the
			// tree is cleaned up: not of its own write.
			if status := shellStatus(cmd.ProcessState); !slices.Contains(tc.want, status) {
				t.Fatalf("runp ended with %v, want status in %v", cmd.ProcessState, tc.want)
			}
			noLeaks(t, tag)
		})
	}
}
