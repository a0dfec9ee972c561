//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
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
	for _, pair := range [][2]syscall.Signal{{unix.SIGTERM, unix.SIGTERM}, {unix.SIGINT, unix.SIGTERM}, {unix.SIGHUP, unix.SIGINT}} {
		t.Run(unix.SignalName(pair[0])+"+"+unix.SignalName(pair[1]), func(t *testing.T) {
			p := start(t, run{helper: "signals"})
			child := strings.Fields(p.expect("ready "))[1]
			p.signal(pair[0])
			p.expect(child + " got " + unix.SignalName(pair[0])) // the child survives the first
			p.signal(pair[1])
			if status := p.wait(); status != 128+9 {
				t.Fatalf("status %d, want 137 (SIGKILL)", status)
			}
			if !strings.Contains(p.errors(), "killing the command") {
				t.Errorf("stderr %q does not say why", p.errors())
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
	if err := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run(); err != nil {
		t.Skipf("cannot make a PID namespace here: %v", err)
	}
	inNS := func(r run) run {
		r.flags = append([]string{"--pid", "--fork", "--mount-proc", runpBin}, r.flags...)
		return r
	}
	unshare := func(t *testing.T, r run) *exec.Cmd {
		cmd := r.command(t, newTag(t))
		cmd.Path, cmd.Args[0] = mustLook(t, "unshare"), "unshare"
		return cmd
	}
	t.Run("status", func(t *testing.T) {
		cmd := unshare(t, inNS(run{helper: "exit", args: []string{"3"}}))
		err := cmd.Run()
		if cmd.ProcessState.ExitCode() != 3 {
			t.Fatalf("status %v, want 3", err)
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
		waitFor(t, "the orphan reaped", func() bool { return len(childrenOf(t, runp[0])) == 1 })
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
