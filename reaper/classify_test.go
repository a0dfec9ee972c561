package reaper

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"runp/registry"
)

func TestClassify(t *testing.T) {
	rec := registry.Process{PID: 42, PPID: 7, Start: 1000}
	for _, tc := range []struct {
		name string
		obs  Observation
		want State
	}{
		{"healthy", Observation{Start: 1000, PPID: 7}, Alive},
		{"gone", Observation{Gone: true}, Dead},
		{"other start time", Observation{Start: 1001, PPID: 7}, Reused},
		{"other start time, other parent", Observation{Start: 999, PPID: 1}, Reused},
		{"re-parented", Observation{Start: 1000, PPID: 1}, Orphan},
		{"outside the tree", Observation{Start: 1000}, Orphan},
	} {
		if got := Classify(rec, tc.obs); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestClassifyRealProcesses classifies this test process and a process
// that exited, through Read, as the reaper does.
func TestClassifyRealProcesses(t *testing.T) {
	self, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	observe := func(rec registry.Process) State {
		id, err := Read(rec.PID)
		if err != nil {
			return Classify(rec, Observation{Gone: true})
		}
		return Classify(rec, Observation{Start: id.Start, PPID: rec.PPID})
	}
	healthy := registry.Process{PID: self.PID, PPID: os.Getppid(), Start: self.Start}
	if st := observe(healthy); st != Alive {
		t.Errorf("self: %v, want alive", st)
	}
	wrong := healthy
	wrong.Start++
	if st := observe(wrong); st != Reused {
		t.Errorf("self with another start time: %v, want reused", st)
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if st := observe(registry.Process{PID: cmd.Process.Pid, Start: 1}); st != Dead {
		t.Errorf("exited and reaped: %v, want dead", st)
	}
}

// TestScanRecordsAndDrops: a reaper rooted at this process (as a subreaper
// is) records a new child that carries the session's cookie, with its
// command line, leaves alone a child without it, and drops the first once it
// is dead.
func TestScanRecordsAndDrops(t *testing.T) {
	id := registry.NewID()
	other := exec.Command("sleep", "3600") // a child of ours that is not the session's
	cmd := exec.Command("sleep", "3600")
	cmd.Env = append(os.Environ(), SessionKey+"="+id)
	for _, c := range []*exec.Cmd{other, cmd} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Process.Kill(); _ = c.Wait() })
	}
	r := New(Options{Root: os.Getpid(), Session: registry.Session{ID: id}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.Scan()
		r.mu.Lock()
		rec, ok := r.tracked[cmd.Process.Pid]
		r.mu.Unlock()
		if ok && rec.Command == "sleep 3600" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not recorded with its command: %+v", rec)
		}
		time.Sleep(time.Millisecond)
	}
	r.mu.Lock()
	_, foreign := r.tracked[other.Process.Pid]
	r.mu.Unlock()
	if foreign {
		t.Fatal("a child without the session's cookie was recorded")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	r.Scan()
	r.mu.Lock()
	_, ok := r.tracked[cmd.Process.Pid]
	r.mu.Unlock()
	if ok {
		t.Fatal("a dead process is still tracked")
	}
}
