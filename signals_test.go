//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"runp/internal/testenv"
)

func TestSignalsReachTheChild(t *testing.T) {
	for _, mode := range [][]string{nil, {"--no-pty"}} {
		for _, sig := range []syscall.Signal{unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2, unix.SIGCONT} {
			t.Run(fmt.Sprintf("%v/%s", mode, unix.SignalName(sig)), func(t *testing.T) {
				p := start(t, run{flags: mode, helper: "signals"})
				child := strings.Fields(p.expect("ready "))[1]
				p.signal(sig)
				p.expect(child + " got " + unix.SignalName(sig))
				_ = p.stdin.Close()
				if status := p.wait(); status != 0 {
					t.Fatalf("status %d", status)
				}
			})
		}
	}
}

func TestSecondTerminatingSignalKills(t *testing.T) {
	for _, c := range []struct {
		first, second syscall.Signal
		says          string
	}{
		{unix.SIGTERM, unix.SIGTERM, "SIGTERM twice within 3s"},
		{unix.SIGINT, unix.SIGTERM, "SIGINT then SIGTERM within 3s"},
		{unix.SIGTERM, unix.SIGINT, "SIGTERM then SIGINT within 3s"},
	} {
		t.Run(unix.SignalName(c.first)+"+"+unix.SignalName(c.second), func(t *testing.T) {
			p := start(t, run{helper: "signals"})
			child := strings.Fields(p.expect("ready "))[1]
			p.signal(c.first)
			p.expect(child + " got " + unix.SignalName(c.first)) // the child survives the first
			p.signal(c.second)
			if status := p.wait(); status != 128+9 {
				t.Fatalf("status %d, want 137 (SIGKILL)", status)
			}
			if want := "runp: " + c.says + ": killing the command"; !strings.Contains(p.errors(), want) {
				t.Errorf("stderr %q does not say %q", p.errors(), want)
			}
		})
	}
}

// TestHUPIsForwardedEveryTime: daemons reload on SIGHUP, so a repeated one
// (or one before a SIGTERM) is passed on like the first, never turned into
// SIGKILL.
func TestHUPIsForwardedEveryTime(t *testing.T) {
	for _, seq := range [][]syscall.Signal{
		{unix.SIGHUP, unix.SIGHUP, unix.SIGHUP},
		{unix.SIGHUP, unix.SIGTERM},
		{unix.SIGINT, unix.SIGHUP},
	} {
		var names []string
		for _, sig := range seq {
			names = append(names, unix.SignalName(sig))
		}
		t.Run(strings.Join(names, "+"), func(t *testing.T) {
			p := start(t, run{helper: "signals"})
			child := strings.Fields(p.expect("ready "))[1]
			for _, sig := range seq {
				p.signal(sig)
				p.expect(child + " got " + unix.SignalName(sig))
			}
			_ = p.stdin.Close()
			if status := p.wait(); status != 0 {
				t.Fatalf("status %d, want 0: the child was not to be killed; stderr:\n%s", status, p.errors())
			}
			if strings.Contains(p.errors(), "killing") {
				t.Errorf("stderr: %q", p.errors())
			}
		})
	}
}

func TestGroupSignalsReachTheWholeGroup(t *testing.T) {
	for _, mode := range [][]string{{"-g"}, {"-g", "--no-pty"}} {
		t.Run(strings.Join(mode, " "), func(t *testing.T) {
			p := start(t, run{flags: mode, helper: "group"})
			a := strings.Fields(p.expect("ready "))[1]
			b := strings.Fields(p.expect("ready "))[1]
			p.signal(unix.SIGUSR1)
			seen := map[string]bool{}
			for len(seen) < 2 {
				seen[strings.Fields(p.expect(""))[0]] = true
			}
			if !seen[a] || !seen[b] {
				t.Fatalf("SIGUSR1 reached %v, want %s and %s", seen, a, b)
			}
			_ = p.stdin.Close()
			p.wait()
		})
	}
	// Without -g, only the child itself gets the signal.
	p := start(t, run{helper: "group"})
	first := strings.Fields(p.expect("ready "))[1]
	second := strings.Fields(p.expect("ready "))[1]
	p.signal(unix.SIGUSR1)
	p.signal(unix.SIGUSR2)
	// SIGUSR2 marks the end: once both have been seen (in either order),
	// every process that got SIGUSR1 has printed it.
	seenSig := map[string]bool{}
	for !seenSig["SIGUSR1"] || !seenSig["SIGUSR2"] {
		f := strings.Fields(p.expect(""))
		seenSig[f[len(f)-1]] = true
	}
	_ = p.stdin.Close()
	p.wait()
	out := p.output()
	if n := strings.Count(out, " got SIGUSR1"); n != 1 {
		t.Fatalf("SIGUSR1 reached %d processes, want 1 (child %s or %s):\n%s", n, first, second, out)
	}
}

// TestOrphansAreReaped: a grandchild whose parent exited is re-parented to
// runp (the subreaper) and must not stay a zombie once it exits.
func TestOrphansAreReaped(t *testing.T) {
	p := start(t, run{helper: "orphan"})
	gc, err := strconv.Atoi(strings.Fields(p.expect("grandchild "))[1])
	if err != nil {
		t.Fatal(err)
	}
	if ppid := parentOf(t, gc); ppid != p.cmd.Process.Pid {
		t.Fatalf("grandchild's parent is %d, want runp (%d)", ppid, p.cmd.Process.Pid)
	}
	if _, err := p.stdin.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	waitGone(t, gc, false) // gone, not <defunct>
	_ = p.stdin.Close()
	if status := p.wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
}

func parentOf(t *testing.T, pid int) int {
	t.Helper()
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	s := string(st)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// TestPID1 runs runp as init of a fresh PID namespace: exit status, signal
// forwarding and reaping must all hold there.
func TestPID1(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed")
	}
	if err := exec.Command("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "true").Run(); err != nil {
		t.Skipf("cannot make a PID namespace here: %v", err)
	}
	inNS := func(r run) run {
		r.flags = append([]string{"--pid", "--fork", "--kill-child", "--mount-proc", runpBin}, r.flags...)
		return r
	}
	unshare := func(t *testing.T, r run) *exec.Cmd {
		tag := newTag(t)
		t.Cleanup(func() { killTagged(t, tag) })
		cmd := r.command(t, tag)
		cmd.Path, cmd.Args[0] = mustLook(t, "unshare"), "unshare"
		return cmd
	}
	t.Run("status", func(t *testing.T) {
		cmd := unshare(t, inNS(run{helper: "exit", args: []string{"3"}}))
		if _, stderr, status := runToEnd(t, cmd); status != 3 {
			t.Fatalf("status %d, want 3; stderr %q", status, stderr)
		}
	})
	t.Run("signals and reaping", func(t *testing.T) {
		p := startCmd(t, unshare(t, inNS(run{helper: "orphan"})))
		p.expect("grandchild ")
		runp := childrenOf(t, p.cmd.Process.Pid)
		if len(runp) != 1 {
			t.Fatalf("unshare's children: %v", runp)
		}
		// runp is PID 1: the orphan was re-parented to it, beside the child.
		kids := childrenOf(t, runp[0])
		if len(kids) != 2 {
			t.Fatalf("runp (pid 1) has children %v, want the child and the orphan", kids)
		}
		if _, err := p.stdin.Write([]byte("go\n")); err != nil {
			t.Fatal(err)
		}
		// The orphan exits; runp must reap it (a zombie stays listed).
		testenv.WaitFor(t, "the orphan reaped", func() bool { return len(childrenOf(t, runp[0])) == 1 })
		if err := syscall.Kill(runp[0], syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if status := p.wait(); status != 143 {
			t.Fatalf("status %d, want 143 (the child died of the forwarded SIGTERM)", status)
		}
	})
}

func mustLook(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skip(err)
	}
	return p
}

// childrenOf lists pid's children (every thread's).
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	for _, task := range tasks {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
		for _, f := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(f)
			kids = append(kids, n)
		}
	}
	return kids
}

// forwardedSignals is what the README says runp forwards on Linux: every
// signal but SIGKILL and SIGSTOP, SIGCHLD, SIGWINCH (a resize), the
// job-control stops, the Go runtime's SIGURG and SIGPROF, and 32 to 34.
func forwardedSignals() []syscall.Signal {
	var out []syscall.Signal
	for n := 1; n <= 64; n++ {
		switch sig := syscall.Signal(n); {
		case sig == unix.SIGKILL, sig == unix.SIGSTOP, sig == unix.SIGCHLD, sig == unix.SIGWINCH,
			sig == unix.SIGTSTP, sig == unix.SIGTTIN, sig == unix.SIGTTOU, sig == unix.SIGURG,
			sig == unix.SIGPROF, n >= 32 && n <= 34:
		default:
			out = append(out, sig)
		}
	}
	return out
}

func sigName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return "signal" + strconv.Itoa(int(sig))
}

func init() {
	// allsignals prints every forwarded signal it gets; it exits when its
	// stdin reaches EOF.
	helpers["allsignals"] = func([]string) int {
		c := make(chan os.Signal, 64)
		// SIGPROF too, which runp keeps: the child says so if it gets it.
		for _, sig := range append(forwardedSignals(), unix.SIGPROF) {
			signal.Notify(c, sig)
		}
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
		fmt.Printf("ready %d\n", os.Getpid())
		for s := range c {
			fmt.Printf("%d got %s\n", os.Getpid(), sigName(s.(syscall.Signal)))
		}
		return 0
	}
}

// TestEverySignalIsForwarded: runp passes on every signal it can catch, as
// dumb-init does, and dies of none: those that crash an unprepared Go
// program (SIGABRT, SIGSEGV... sent with kill) included, which used to
// leave the command running, orphaned, with --no-pty.
func TestEverySignalIsForwarded(t *testing.T) {
	for _, mode := range [][]string{nil, {"--no-pty"}} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			p := start(t, run{flags: mode, helper: "allsignals"})
			child := strings.Fields(p.expect("ready "))[1]
			for _, sig := range forwardedSignals() {
				if sig == unix.SIGINT {
					continue // after SIGTERM, it would mean "kill" (see TestSecondTerminatingSignalKills)
				}
				p.signal(sig)
				p.expect(child + " got " + sigName(sig))
			}
			// The Go runtime's own, and SIGWINCH: runp keeps them.
			for _, sig := range []syscall.Signal{unix.SIGURG, unix.SIGPROF, unix.SIGWINCH, 33} {
				p.signal(sig)
			}
			p.signal(unix.SIGUSR1) // a marker: what came before it was handled
			p.expect(child + " got SIGUSR1")
			_ = p.stdin.Close()
			if status := p.wait(); status != 0 {
				t.Fatalf("status %d, want 0; stderr:\n%s", status, p.errors())
			}
			if strings.Contains(p.errors(), "goroutine") || strings.Contains(p.output(), "got SIGPROF") {
				t.Errorf("stdout:\n%s\nstderr:\n%s", p.output(), p.errors())
			}
			noLeaks(t, p.tag)
		})
	}
}

// TestDiesOfTheCommandsSignal: when the command died of a signal, runp dies
// of the same one, without a core dump of its own, so that its parent sees
// what it would have seen without runp ($? is 128+N either way).
func TestDiesOfTheCommandsSignal(t *testing.T) {
	for _, mode := range [][]string{nil, {"--no-pty"}} {
		for _, sig := range []syscall.Signal{unix.SIGINT, unix.SIGTERM, unix.SIGQUIT, unix.SIGSEGV, unix.SIGPIPE, 40} {
			t.Run(fmt.Sprintf("%v/%s", mode, sigName(sig)), func(t *testing.T) {
				// A shell, since a Go program dies of few signals by their
				// default action.
				tag := newTag(t)
				cmd := run{flags: mode}.command(t, tag)
				cmd.Args = append(append([]string{runpBin}, mode...), "--", "sh", "-c", "kill -"+strconv.Itoa(int(sig))+" $$")
				cmd.Dir = t.TempDir() // where a core would be dumped (core_pattern "core")
				t.Cleanup(func() { killTagged(t, tag) })
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				err := testenv.Run(t, cmd)
				ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
				if !ws.Signaled() || ws.Signal() != sig {
					t.Fatalf("runp ended with %v (%v), want death by %s; output:\n%s", err, ws, sigName(sig), out.String())
				}
				if ws.CoreDump() {
					t.Errorf("runp dumped core")
				}
				if ents, _ := os.ReadDir(cmd.Dir); len(ents) > 0 {
					t.Errorf("files left in runp's directory: %v", ents)
				}
			})
		}
	}
}

// TestCtrlCStopsAShellLoop: Ctrl-C at a terminal stops a shell loop around
// runp, as it stops one around the command itself. bash stops a loop only
// when its child died of SIGINT: runp used to exit 130 instead, and every
// iteration ran.
func TestCtrlCStopsAShellLoop(t *testing.T) {
	bash := mustLook(t, "bash")
	term := newTerminal(t, 24, 80)
	// RUNP_TEST_HELPER=sleep reaches every process, so runp's command, this
	// test binary, prints "ready" and sleeps.
	term.run("sleep", bash, "--norc", "--noprofile", "-i")
	// What the shell prints is computed, so that it differs from what was
	// typed and echoed.
	term.typ("echo up-$((1+1))\n")
	term.expect("up-2")
	term.typ(fmt.Sprintf("for i in 1 2 3; do %q -- %q; echo it-$((i*10)); done; echo loop-$((6*7))\n", runpBin, os.Args[0]))
	term.expect("ready ")
	term.waitRaw() // runp has the terminal: Ctrl-C goes through its PTY
	term.typ("\x03")
	testenv.WaitFor(t, "the shell's prompt after Ctrl-C", func() bool {
		screen := term.text()
		if strings.Contains(screen, "it-10") || strings.Contains(screen, "loop-42") {
			t.Fatalf("the loop went on after Ctrl-C; screen:\n%s", screen)
		}
		if strings.Count(screen, "ready ") > 1 {
			t.Fatalf("the loop ran runp again; screen:\n%s", screen)
		}
		return len(childrenOf(t, term.cmd.Process.Pid)) == 0 // runp is gone
	})
	term.typ("echo after-$((40+2))\n")
	term.expect("after-42")
	if screen := term.text(); strings.Contains(screen, "it-10") || strings.Contains(screen, "loop-42") {
		t.Fatalf("the loop went on after Ctrl-C; screen:\n%s", screen)
	}
	term.typ("exit\n")
	term.wait()
}
