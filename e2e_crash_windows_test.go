//go:build windows

package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"runp/internal/testenv"
	process "runp/proc"
)

// start starts runp.exe with args in the background; cleanup kills it.
func (e *e2e) start(args ...string) *exec.Cmd {
	e.t.Helper()
	c := e.cmd(args...)
	if err := c.Start(); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = c.Wait() // the test reads ProcessState after done
		close(done)
	}()
	e.t.Cleanup(func() {
		_ = c.Process.Kill() // best effort: it may have exited
		select {
		case <-done:
		case <-time.After(testenv.Patience):
			e.t.Errorf("runp %d did not exit", c.Process.Pid)
		}
	})
	return c
}

// session waits until runp ps --json lists runp's session as live with
// every pid in pids alive, and returns it.
func (e *e2e) session(runpPID int, pids ...int) sessionJSON {
	e.t.Helper()
	end := time.Now().Add(testenv.Patience)
	for {
		var ss []sessionJSON
		e.jsonOf(&ss, "ps", "--json")
		for _, s := range ss {
			if s.RunpPID == runpPID && s.Live && hasAlive(s, pids) {
				return s
			}
		}
		if time.Now().After(end) {
			e.t.Fatalf("runp ps --json never showed runp %d live with %v: %+v", runpPID, pids, ss)
		}
		time.Sleep(100 * time.Millisecond) // polling, bounded by testenv.Patience
	}
}

func hasAlive(s sessionJSON, pids []int) bool {
	for _, pid := range pids {
		found := false
		for _, p := range s.Processes {
			found = found || p.PID == pid && p.State == "alive"
		}
		if !found {
			return false
		}
	}
	return true
}

// runp ps --json lists a live session with its command, and with a
// pseudo console, the conhost.exe serving it.
func TestE2EPsLive(t *testing.T) {
	modes(t, func(t *testing.T, flags []string) {
		e := newE2E(t)
		f := e.file("sleeper")
		c := e.start(cat(flags, []string{"--"}, e.helper("sleep", f))...)
		id := e.sleeper(f)
		s := e.session(c.Process.Pid, id.PID)
		roles := map[string]int{}
		for _, p := range s.Processes {
			roles[p.Role]++
			if p.PID == id.PID && p.Role != "child" {
				t.Errorf("%+v: want the child role", p)
			}
		}
		conhosts := 0
		if len(flags) == 0 {
			conhosts = 1
		}
		if len(s.Argv) != 3 || s.Argv[1] != "sleep" || roles["conhost"] != conhosts {
			t.Errorf("session %+v: want the sleep helper's argv and %d conhost", s, conhosts)
		}
	})
}

// runp.exe terminated (TerminateProcess: no clean-up of its own runs) takes
// its tree with it, through the job's kill-on-close; its conhost.exe exits
// as its pseudo console's pipes break; runp reap then finds nothing left to
// signal and removes the session.
func TestE2EKilled(t *testing.T) {
	modes(t, func(t *testing.T, flags []string) {
		e := newE2E(t)
		bg, fg := e.file("bg"), e.file("fg")
		c := e.start(cat(flags, []string{"--", "cmd", "/c", "start", "/b"},
			e.helper("sleep", bg), []string{"&"}, e.helper("sleep", fg))...)
		bgID, fgID := e.sleeper(bg), e.sleeper(fg)
		// Under wine, cmd's start runs start.exe, which starts bg and
		// exits: bg is an orphan that no snapshot links to the command,
		// and only the job holds it.
		e.session(c.Process.Pid, fgID.PID)
		conhosts := conhostsOf(t, c.Process.Pid)
		if len(flags) == 0 && len(conhosts) == 0 {
			t.Error("no conhost.exe found for the pseudo console")
		}
		if err := c.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for _, id := range append([]process.Identity{bgID, fgID}, conhosts...) {
			if !exitsWithin(id, testenv.Patience) {
				t.Errorf("pid %d outlived the runp that was killed", id.PID)
			}
		}
		var reports []recoveredJSON
		e.jsonOf(&reports, "reap", "--json")
		if len(reports) != 1 || reports[0].RunpPID != c.Process.Pid {
			t.Fatalf("runp reap: %+v, want the killed runp's session", reports)
		}
		for _, p := range reports[0].Processes {
			if p.Signal != "" {
				t.Errorf("runp reap signalled %+v: the job should have ended it", p)
			}
		}
		var ss []sessionJSON
		if e.jsonOf(&ss, "ps", "--json"); len(ss) != 0 {
			t.Errorf("runp ps after the reap: %+v, want nothing", ss)
		}
	})
}

// conhostsOf returns the conhost.exe processes that process pid created.
func conhostsOf(t *testing.T, pid int) []process.Identity {
	t.Helper()
	parent, err := process.Read(pid)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = windows.CloseHandle(snap) }() // best effort: nothing to flush
	var procs []process.ProcInfo
	var pe windows.ProcessEntry32
	pe.Size = uint32(unsafe.Sizeof(pe))
	for err = windows.Process32First(snap, &pe); err == nil; err = windows.Process32Next(snap, &pe) {
		p := process.ProcInfo{PID: int(pe.ProcessID), PPID: int(pe.ParentProcessID), Name: windows.UTF16ToString(pe.ExeFile[:])}
		if p.PPID == pid && strings.EqualFold(p.Name, process.ConhostName) {
			if id, err := process.Read(p.PID); err == nil {
				p.Start = id.Start
			}
		}
		procs = append(procs, p)
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		t.Fatal(err)
	}
	var out []process.Identity
	for _, p := range process.SelectConhosts(procs, pid, parent.Start) {
		out = append(out, process.Identity{PID: p.PID, Start: p.Start, Boot: parent.Boot})
	}
	return out
}
