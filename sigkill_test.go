//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"runp/internal/testenv"
	process "runp/proc"
)

// TestSigkillAnyMoment: a runp killed with SIGKILL at any moment of its
// first second, before or after its session file exists, before or after
// its command started its daemons, leaves nothing running once "runp reap"
// has run: the command dies with runp, and reap finds the rest by their
// cookie, which names the dead runp. The kill moments are spread over the
// first second; each run is told apart by its own test tag.
func TestSigkillAnyMoment(t *testing.T) {
	const runs, lanes = 40, 4 // the lanes run side by side, each run after run
	state := stateDir(t)
	var up atomic.Int32 // runs killed after the command had started all its processes
	one := func(i int) {
		mode := []string{}
		if i%2 == 1 {
			mode = []string{"--no-pty"}
		}
		moment := time.Duration(i) * time.Second / runs
		flag := filepath.Join(t.TempDir(), "up")
		tag := newTag(t)
		// A daemon in its own session, a job that ignores the hang-up,
		// and the command itself.
		args := append(mode, "--", "sh", "-c",
			`trap "" HUP; setsid sleep 1061 & sleep 1062 & echo up >"$F"; exec sleep 1063`)
		cmd := exec.Command(runpBin, args...)
		cmd.Env = append(os.Environ(), tagEnv+"="+tag, "RUNP_STATE_DIR="+state, "F="+flag)
		t.Cleanup(func() { killTagged(t, tag) })
		if err := cmd.Start(); err != nil {
			t.Error(err)
			return
		}
		time.Sleep(moment) // the moment of the kill, not a synchronisation
		_, err := os.Stat(flag)
		wasUp := err == nil
		_ = cmd.Process.Kill()
		_ = cmd.Wait() // runp is gone, and with it what dies with it
		if wasUp {
			up.Add(1)
		}
		out, stderr, status := runpCLI(t, "reap", "--state-dir", state, "--grace", "100ms")
		if status != 0 {
			t.Errorf("run %d: reap: status %d: %s", i, status, stderr)
		}
		// reap returns once what it signalled has exited.
		if left := tagged(tag); len(left) > 0 {
			t.Errorf("run %d (%v, killed after %v, tree up: %v): left running: %s\nreap said:\n%s",
				i, mode, moment, wasUp, cmdlines(left), out)
		}
	}
	var wg sync.WaitGroup
	for lane := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lane; i < runs; i += lanes {
				one(i)
			}
		}()
	}
	wg.Wait()
	if up.Load() == 0 {
		t.Fatalf("no run was killed after its command had started its processes: nothing was tested")
	}
	t.Logf("%d of %d runs killed after the whole tree was up", up.Load(), runs)
}

// cmdlines lists pids with their command lines.
func cmdlines(pids []int) string {
	s := ""
	for _, pid := range pids {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		s += fmt.Sprintf("%d %q; ", pid, b)
	}
	return s
}

// TestSigkillAtTerminal: at a terminal the command runs under runp's job
// control monitor; a runp killed with SIGKILL still takes the command with
// it (its stop signal, passed on by the monitor), though the command
// ignores the hang-up of the terminal.
func TestSigkillAtTerminal(t *testing.T) {
	term := newTerminal(t, 24, 80)
	file := filepath.Join(t.TempDir(), "pid")
	term.run("", runpBin, "--", "sh", "-c", `trap "" HUP; echo $$ >'`+file+`'; exec sleep 1082`)
	// The script's pid names sleep once it has run its exec.
	s := readSleeper(t, file, "1082")
	if mon := process.Cmdline(parentOf(t, s.id.PID)); !strings.HasPrefix(mon, "runp (monitor)") {
		t.Skipf("the command runs under %q, not runp's monitor", mon)
	}
	_ = term.cmd.Process.Kill()
	testenv.WaitFor(t, "the command to die with runp", func() bool { return !s.runs() })
}
