//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"runp/internal/testenv"
	process "runp/proc"
)

// sleeper is a process a test's shell script started and named in a file:
// it may have shed every environment variable, test tag included, so it is
// found and killed by PID and identity.
type sleeper struct {
	id  process.Identity
	arg string // sleep's argument: what its command line must show
}

// readSleeper reads the PID that a script wrote to file, waiting for it,
// and the identity of that process, and waits until it runs sleep arg. It
// is killed in cleanup from the moment its PID is read (an exec keeps the
// identity), even if it never gets to run sleep.
func readSleeper(t *testing.T, file, arg string) sleeper {
	t.Helper()
	var s sleeper
	t.Cleanup(func() { s.kill() })
	testenv.WaitFor(t, "the sleeper's PID in "+file, func() bool {
		if s.id.PID == 0 {
			b, err := os.ReadFile(file)
			if err != nil || !strings.HasSuffix(string(b), "\n") {
				return false
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("%s holds %q", file, b)
			}
			id, err := process.Read(pid)
			if err != nil {
				t.Fatalf("sleeper %d gone before it was seen: %v", pid, err)
			}
			s = sleeper{id: id, arg: arg}
		}
		// Between the fork and the exec it shows the shell's command.
		return process.Cmdline(s.id.PID) == "sleep "+arg
	})
	return s
}

// runs reports whether the sleeper still runs: same PID, same start, not a
// zombie.
func (s sleeper) runs() bool {
	id, err := process.Read(s.id.PID)
	if err != nil || id.Start != s.id.Start {
		return false
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(s.id.PID) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(st), ')')
	return i > 0 && st[i+2] != 'Z'
}

func (s sleeper) kill() {
	if s.id.PID > 0 && s.runs() {
		_ = syscall.Kill(s.id.PID, syscall.SIGKILL)
	}
}

// gate is a FIFO that a test's shell script reads a line from (read x <"$G")
// until the test opens it. The test holds it open for writing all along, so
// that the script's open never blocks and the line is never lost.
type gate struct{ *os.File }

func newGate(t *testing.T) gate {
	t.Helper()
	name := filepath.Join(t.TempDir(), "gate")
	if err := syscall.Mkfifo(name, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0) // never blocks on Linux
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return gate{f}
}

func (g gate) open() {
	_, _ = g.WriteString("go\n") // best effort: a reader that is gone needs no line
}

// TestOrphansWithoutCookie: under runp's CLI (a subreaper) every orphan
// re-parented to runp is the command's, whether or not it still carries
// the session cookie: env -i, env -u RUNP_SESSION, and a double fork after
// the reaper has backed off its tick all leave nothing behind.
func TestOrphansWithoutCookie(t *testing.T) {
	cases := []struct {
		name, flags, script, arg string
	}{
		{"env-i-setsid", "", `env -i setsid sleep 1031 & echo $! >"$F"; read x <"$G"`, "1031"},
		{"env-u", "", `env -u RUNP_SESSION setsid sleep 1032 & echo $! >"$F"; read x <"$G"`, "1032"},
		// The reaper ticks at 20ms, 100ms, 420ms, then every 640ms: the
		// double fork comes while it has backed off.
		{"doublefork-backed-off", "--reap-interval=20ms", `sleep 0.5; (env -i setsid sleep 1033 & echo $! >"$F"); read x <"$G"`, "1033"},
	}
	for _, c := range cases {
		for _, mode := range []string{"", "--no-pty"} {
			t.Run(c.name+mode, func(t *testing.T) {
				file := filepath.Join(t.TempDir(), "pid")
				gate := newGate(t)
				args := []string{"--grace=1s"}
				for _, f := range []string{c.flags, mode} {
					if f != "" {
						args = append(args, f)
					}
				}
				args = append(args, "--", "sh", "-c", c.script)
				tag := newTag(t)
				cmd := exec.Command(runpBin, args...)
				cmd.Env = append(os.Environ(), tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t), "F="+file, "G="+gate.Name())
				t.Cleanup(func() { killTagged(t, tag) })
				done := make(chan error, 1)
				// A file, not a pipe: a leaked process holding it open
				// must not keep Wait from returning.
				out, err := os.Create(filepath.Join(t.TempDir(), "out"))
				if err != nil {
					t.Fatal(err)
				}
				defer out.Close()
				cmd.Stdout, cmd.Stderr = out, out
				output := func() string { b, _ := os.ReadFile(out.Name()); return string(b) }
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = cmd.Process.Kill() })
				go func() { done <- cmd.Wait() }()
				s := readSleeper(t, file, c.arg)
				gate.open() // the command exits: its orphan is re-parented to runp
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("runp: %v\n%s", err, output())
					}
				case <-time.After(testenv.Patience):
					t.Fatalf("runp did not return:\n%s", output())
				}
				if s.runs() {
					t.Errorf("sleep %s (pid %d) survived runp", s.arg, s.id.PID)
				}
				noLeaks(t, tag)
			})
		}
	}
}

// TestNestedRunpMiddleKilled: in runp -- runp -- cmd, a middle runp killed
// with SIGKILL leaves its orphans to the outer runp, which cleans them up
// (--on-exit kill) or waits for them (--on-exit wait), though they carry the
// middle's cookie, not the outer's.
func TestNestedRunpMiddleKilled(t *testing.T) {
	for _, onExit := range []string{"kill", "wait"} {
		t.Run(onExit, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "pid")
			tag := newTag(t)
			cmd := exec.Command(runpBin, "-v", "--grace=1s", "--on-exit="+onExit, "--",
				runpBin, "--", "sh", "-c", `setsid sleep 1034 & echo $! >"$F"; echo "shell $$"; exec sleep 1035`)
			cmd.Env = append(os.Environ(), tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t), "F="+file)
			p := startCmd(t, cmd)
			shell, _ := strconv.Atoi(strings.Fields(p.expect("shell "))[1])
			daemon := readSleeper(t, file, "1034")
			middle := parentOf(t, shell)
			if middle == p.cmd.Process.Pid {
				t.Fatalf("the shell %d is the outer runp's child", shell)
			}
			if err := syscall.Kill(middle, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			if onExit == "wait" {
				testenv.WaitFor(t, "the outer runp waiting, or gone", func() bool {
					select {
					case <-p.done:
						return true
					default:
						return strings.Contains(p.errors(), "waiting for descendants")
					}
				})
				select {
				case <-p.done:
					t.Fatalf("the outer runp returned while the daemon ran:\n%s", p.errors())
				default:
				}
				p.signal(syscall.SIGTERM) // the wait becomes a kill
			}
			p.wait()
			if daemon.runs() {
				t.Errorf("the middle runp's daemon %d survived the outer runp:\n%s", daemon.id.PID, p.errors())
			}
			noLeaks(t, tag)
		})
	}
}

// TestSessionWriteRetried: a session file that cannot be written (the state
// dir's disk is full) is written at the next change once space is freed, so
// that a runp killed after that leaves nothing that "runp reap" misses.
func TestSessionWriteRetried(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=256k,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, syscall.MNT_DETACH) })
	state := filepath.Join(mnt, "state")
	filler := filepath.Join(mnt, "filler")
	fill(t, filler)

	dir := t.TempDir()
	first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
	g := newGate(t)
	tag := newTag(t)
	cmd := exec.Command(runpBin, "--reap-interval=20ms", "--", "sh", "-c",
		`setsid sleep 1041 & echo $! >"$F1"; read x <"$G"; setsid sleep 1042 & echo $! >"$F2"; read x <"$G"`)
	cmd.Env = append(os.Environ(), tagEnv+"="+tag, "RUNP_STATE_DIR="+state, "F1="+first, "F2="+second, "G="+g.Name())
	p := startCmd(t, cmd)
	a := readSleeper(t, first, "1041")
	testenv.WaitFor(t, "the warning that the session cannot be written", func() bool {
		return strings.Contains(p.errors(), "state dir unusable")
	})
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	g.open() // the next change: a second daemon
	b := readSleeper(t, second, "1042")
	testenv.WaitFor(t, "both daemons in the session file", func() bool {
		files, _ := filepath.Glob(filepath.Join(state, "sessions", "*.toml"))
		if len(files) != 1 {
			return false
		}
		data, _ := os.ReadFile(files[0])
		return strings.Contains(string(data), "pid = "+strconv.Itoa(a.id.PID)+"\n") &&
			strings.Contains(string(data), "pid = "+strconv.Itoa(b.id.PID)+"\n")
	})
	p.signal(syscall.SIGKILL)
	p.wait()
	if _, stderr, status := runpCLI(t, "reap", "--state-dir", state, "--grace", "1s"); status != 0 {
		t.Fatalf("reap: status %d: %s", status, stderr)
	}
	for _, s := range []sleeper{a, b} {
		if s.runs() {
			t.Errorf("sleep %s (pid %d) survived runp reap", s.arg, s.id.PID)
		}
	}
}

// fill writes to name until the file system is full.
func fill(t *testing.T, name string) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// TestNestedRunpOneParentDeath: the kernel sends a runp's parent-death signal
// once for every thread of the dead parent, and the outer runp that adopts
// the nested one sends its own stop signal as it cleans up. A nested runp
// whose parent runp is SIGKILLed takes all of them for one request to stop:
// not for a user's second SIGTERM, which would SIGKILL the command without
// its grace. With the outer runp waiting (--on-exit wait) the command gets
// the stop signal from the nested runp only, and exactly once; with the
// outer runp's clean-up (the default) it may get the outer's too.
func TestNestedRunpOneParentDeath(t *testing.T) {
	for _, onExit := range []string{"wait", "kill"} {
		t.Run(onExit, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "terms")
			tag := newTag(t)
			cmd := exec.Command(runpBin, "--no-pty", "--on-exit", onExit, "--",
				runpBin, "--no-pty", "--", runpBin, "--no-pty", "--",
				"sh", "-c", `trap 'echo term >>"$F"; exit 0' TERM; echo "shell $$"; while :; do sleep 0.05; done`)
			cmd.Env = append(os.Environ(), tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t), "F="+file)
			p := startCmd(t, cmd)
			shell, _ := strconv.Atoi(strings.Fields(p.expect("shell "))[1])
			inner := parentOf(t, shell)
			middle := parentOf(t, inner)
			if middle == p.cmd.Process.Pid {
				t.Fatalf("the inner runp %d is the outer runp's child", inner)
			}
			if err := syscall.Kill(middle, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			p.wait()
			if strings.Contains(p.errors(), "killing the command") {
				t.Errorf("the inner runp took the parent-death signals for a second SIGTERM:\n%s", p.errors())
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("the command never got the stop signal: %v\n%s", err, p.errors())
			}
			n := strings.Count(string(data), "term")
			if onExit == "wait" && n != 1 {
				t.Errorf("the command got %d stop signals, want 1:\n%s", n, p.errors())
			}
			noLeaks(t, tag)
		})
	}
}

// TestNestedRunpSecondSignal: a nested runp has a parent-death signal, and
// waits for its parent to change before it takes a repeat of it for one
// stop; while its parent lives, a second SIGTERM is a second request, and
// kills the command, as it does without the nesting.
func TestNestedRunpSecondSignal(t *testing.T) {
	tag := newTag(t)
	cmd := exec.Command(runpBin, "--no-pty", "--", runpBin, "--no-pty", "--",
		"sh", "-c", `trap 'echo term' TERM; echo "shell $$"; while :; do sleep 0.05; done`)
	cmd.Env = append(os.Environ(), tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t))
	p := startCmd(t, cmd)
	shell, _ := strconv.Atoi(strings.Fields(p.expect("shell "))[1])
	inner := parentOf(t, shell)
	if inner == p.cmd.Process.Pid {
		t.Fatalf("the shell %d is the outer runp's child", shell)
	}
	if err := syscall.Kill(inner, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.expect("term") // the second once the first has reached the command: two pending at once are one
	if err := syscall.Kill(inner, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if status := p.wait(); status != 128+int(syscall.SIGKILL) {
		t.Errorf("status %d, want %d (the command killed)", status, 128+int(syscall.SIGKILL))
	}
	if !strings.Contains(p.errors(), "SIGTERM twice within 3s: killing the command") {
		t.Errorf("the nested runp did not take the second SIGTERM for a second request:\n%s", p.errors())
	}
	noLeaks(t, tag)
}

// TestReapKeepsWhatLeaveLeft: --on-exit leave keeps the command's daemons
// running, and they still carry the session's cookie while the session has
// no file. "runp reap" must not take them for the leftovers of a runp killed
// before it wrote its session; once they are gone, the mark goes too.
func TestReapKeepsWhatLeaveLeft(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command(runpBin, "--no-pty", "--on-exit", "leave", "--",
		"sh", "-c", `setsid sleep 1036 >/dev/null 2>&1 & echo $! >"$F"`)
	cmd.Env = append(os.Environ(), tagEnv+"="+newTag(t), "RUNP_STATE_DIR="+stateDir(t), "F="+file)
	p := startCmd(t, cmd)
	if status := p.wait(); status != 0 {
		t.Fatalf("status %d:\n%s", status, p.errors())
	}
	daemon := readSleeper(t, file, "1036")
	if out, errs, status := runpCLI(t, "reap"); status != 0 || !daemon.runs() {
		t.Fatalf("runp reap: status %d, daemon running: %v\n%s%s", status, daemon.runs(), out, errs)
	}
	daemon.kill()
	testenv.WaitFor(t, "the daemon's end", func() bool { return !daemon.runs() })
	if _, errs, status := runpCLI(t, "reap"); status != 0 {
		t.Fatalf("runp reap: status %d: %s", status, errs)
	}
	if marks, _ := os.ReadDir(filepath.Join(stateDir(t), "left")); len(marks) != 0 {
		t.Errorf("marks left after their processes ended: %v", marks)
	}
}
