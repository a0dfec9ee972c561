//go:build linux

package reaper

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"runp/proc"
	"runp/registry"
)

// TestZombieIsDeadForPsAndReap: #11 point 12. A recorded process that has
// exited but not been reaped (a zombie) is dead for runp ps and for runp reap
// alike, and never signalled; a live process whose parent changed is an
// orphan for both. ps and reap classify through one observation.
func TestZombieIsDeadForPsAndReap(t *testing.T) {
	zombie := exec.Command("sh", "-c", "exit 0")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = zombie.Wait() })
	zpid := zombie.Process.Pid
	zid, err := proc.Read(zpid)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !isZombie(zpid); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the child never became a zombie")
		}
	}
	live := startHelper(t, nil, "echo")
	lid, err := proc.Read(live.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	store, err := registry.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sess := &registry.Session{ID: registry.NewID(), PID: 999999, BootID: zid.Boot, Started: now,
		Processes: []registry.Process{
			{PID: zpid, PPID: os.Getpid(), Start: zid.Start, Command: "zombie", Role: registry.RoleDescendant, FirstSeen: now},
			// Recorded with a parent it no longer has: an orphan.
			{PID: lid.PID, PPID: 1, Start: lid.Start, Command: "live", Role: registry.RoleDescendant, FirstSeen: now},
		}}
	h, err := store.Create(sess)
	if err != nil {
		t.Fatal(err)
	}
	_ = h.Close() // its runp "dies"

	ps, _, err := Status(store)
	if err != nil || len(ps) != 1 {
		t.Fatalf("Status: %v, %v", ps, err)
	}
	psState := map[int]string{}
	for _, p := range ps[0].Processes {
		psState[p.PID] = p.State
	}
	reports, errs := Recover(store, RecoverOptions{DryRun: true})
	if len(errs) > 0 || len(reports) != 1 {
		t.Fatalf("Recover dry run: %v, %v", reports, errs)
	}
	for _, p := range reports[0].Processes {
		if psState[p.PID] != p.State {
			t.Errorf("pid %d: ps says %s, reap says %s", p.PID, psState[p.PID], p.State)
		}
	}
	if psState[zpid] != "dead" || psState[lid.PID] != "orphan" {
		t.Errorf("ps: zombie %s, re-parented %s; want dead, orphan", psState[zpid], psState[lid.PID])
	}
	reports, _ = Recover(store, RecoverOptions{Stop: 15, Grace: 5 * time.Second})
	if len(reports) != 1 {
		t.Fatalf("Recover: %v", reports)
	}
	for _, p := range reports[0].Processes {
		if p.PID == zpid && p.Signal != "" {
			t.Errorf("the zombie was %s", p.Signal)
		}
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	i := bytes.LastIndexByte(b, ')')
	return err == nil && i > 0 && len(b) > i+2 && b[i+2] == 'Z'
}

// TestLeaderExitedIsNoZombie: a process whose main thread has exited while
// another thread runs shows state Z, but lives on: it is not dead, and the
// clean-up must still stop it.
func TestLeaderExitedIsNoZombie(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed (it ends its main thread with pthread_exit through ctypes)")
	}
	c := exec.Command(py, "-c", `
import ctypes, threading, time
threading.Thread(target=lambda: time.sleep(3600)).start()
ctypes.CDLL(None).pthread_exit(None)
`)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Process.Kill(); _ = c.Wait() })
	pid := c.Process.Pid
	for deadline := time.Now().Add(10 * time.Second); !isZombie(pid); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the main thread never exited")
		}
	}
	id, err := proc.Read(pid)
	if err != nil {
		t.Fatal(err)
	}
	rec := registry.Process{PID: pid, PPID: os.Getpid(), Start: id.Start, Ino: id.Ino}
	if obs := observe(rec); obs.Zombie || classifyRecord(rec, obs) != stateAlive {
		t.Errorf("observed %+v, classified %v; want alive", obs, classifyRecord(rec, obs))
	}
	if proc.Exited(pid) {
		t.Error("proc.Exited() says a running process has exited")
	}
}
