//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	process "runp/proc"
	"runp/registry"
)

// reuseHelper runs as PID 1 of a new PID namespace, where it can choose the
// next PID (ns_last_pid). It records a process in a session whose runp is
// dead, lets that process die, makes a new process take the same PID, and
// checks that "runp reap" classifies the record as reused and signals
// nothing. args: runp's path, a state dir.
func reuseHelper(args []string) int {
	fail := func(format string, a ...any) int {
		fmt.Printf("reuse: "+format+"\n", a...)
		return 1
	}
	runp, dir := args[0], args[1]
	sleeper := func() (*exec.Cmd, process.Identity, error) {
		cmd := exec.Command("sleep", "3600")
		if err := cmd.Start(); err != nil {
			return nil, process.Identity{}, err
		}
		id, err := process.Read(cmd.Process.Pid)
		return cmd, id, err
	}
	old, oldID, err := sleeper()
	if err != nil {
		return fail("start: %v", err)
	}
	store, err := registry.Open(dir)
	if err != nil {
		return fail("open: %v", err)
	}
	sess := &registry.Session{ID: registry.NewID(), PID: 999999, BootID: oldID.Boot, Argv: []string{"dead"},
		Started: time.Now().UTC(), Processes: []registry.Process{{
			PID: oldID.PID, PPID: 1, Start: oldID.Start, Command: "sleep 3600",
			Role: registry.RoleDescendant, FirstSeen: time.Now().UTC()}}}
	h, err := store.Create(sess)
	if err != nil {
		return fail("create: %v", err)
	}
	_ = h.Close() // the session's runp "dies": its lock is free
	_ = old.Process.Kill()
	_ = old.Wait()

	// Hand the same PID to a new process; its start time must differ (the
	// clock tick may need to move on first).
	var victim *exec.Cmd
	for try := 0; ; try++ {
		if try == 500 {
			return fail("could not reuse pid %d", oldID.PID)
		}
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(oldID.PID-1)), 0); err != nil {
			return fail("ns_last_pid: %v", err)
		}
		cmd, id, err := sleeper()
		if err != nil {
			return fail("start: %v", err)
		}
		if id.PID == oldID.PID && id.Start != oldID.Start {
			victim = cmd
			break
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		time.Sleep(time.Millisecond) // let the clock tick move on
	}
	defer func() { _ = victim.Process.Kill(); _ = victim.Wait() }()

	out, err := exec.Command(runp, "reap", "--json", "--state-dir", dir).Output()
	if err != nil {
		return fail("runp reap: %v", err)
	}
	var reports []recoveredJSON
	if err := json.Unmarshal(out, &reports); err != nil || len(reports) != 1 || len(reports[0].Processes) != 1 {
		return fail("report %s (%v)", out, err)
	}
	pr := reports[0].Processes[0]
	if pr.State != "reused" || pr.Signal != "" {
		return fail("record of pid %d: state %q, signal %q; want reused, none", pr.PID, pr.State, pr.Signal)
	}
	if err := process.Signal(process.Identity{PID: victim.Process.Pid, Start: mustRead(victim.Process.Pid).Start, Boot: oldID.Boot}, 0); err != nil {
		return fail("the process that reused pid %d is gone: %v", oldID.PID, err)
	}
	fmt.Printf("reuse: ok: pid %d reused (start %d, then %d), not signalled\n", oldID.PID, oldID.Start, mustRead(victim.Process.Pid).Start)
	return 0
}

func mustRead(pid int) process.Identity {
	id, _ := process.Read(pid)
	return id
}
