package reaper

import (
	"os"
	"testing"

	"runp/proc"
	"runp/registry"
)

func TestClassify(t *testing.T) {
	rec := registry.Process{PID: 42, PPID: 7, Start: 1000}
	for _, tc := range []struct {
		name string
		obs  proc.Observation
		want state
	}{
		{"healthy", proc.Observation{Start: 1000, PPID: 7}, stateAlive},
		{"gone", proc.Observation{Gone: true}, stateDead},
		{"other start time", proc.Observation{Start: 1001, PPID: 7}, stateReused},
		{"other start time, other parent", proc.Observation{Start: 999, PPID: 1}, stateReused},
		{"re-parented", proc.Observation{Start: 1000, PPID: 1}, stateOrphan},
		{"outside the tree", proc.Observation{Start: 1000}, stateOrphan},
		{"a zombie", proc.Observation{Start: 1000, PPID: 7, Zombie: true}, stateDead},
		{"a zombie that reused the PID", proc.Observation{Start: 1001, PPID: 7, Zombie: true}, stateReused},
		{"exact, the same", proc.Observation{Start: 1000, PPID: 7, Ino: 5}, stateAlive},
	} {
		if got := classifyRecord(rec, tc.obs); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	rec.Ino = 5
	for _, tc := range []struct {
		name string
		obs  proc.Observation
		want state
	}{
		{"exact, the same", proc.Observation{Start: 1000, PPID: 7, Ino: 5}, stateAlive},
		{"reused within the tick", proc.Observation{Start: 1000, PPID: 7, Ino: 6}, stateReused},
		{"seen without pidfs", proc.Observation{Start: 1000, PPID: 7}, stateAlive},
	} {
		if got := classifyRecord(rec, tc.obs); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestClassifyRealProcesses classifies this test process and a process
// that exited, through proc.Read, as the reaper does.
func TestClassifyRealProcesses(t *testing.T) {
	self, err := proc.Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	observe := func(rec registry.Process) state {
		id, err := proc.Read(rec.PID)
		if err != nil {
			return classifyRecord(rec, proc.Observation{Gone: true})
		}
		return classifyRecord(rec, proc.Observation{Start: id.Start, PPID: rec.PPID})
	}
	healthy := registry.Process{PID: self.PID, PPID: os.Getppid(), Start: self.Start}
	if st := observe(healthy); st != stateAlive {
		t.Errorf("self: %v, want alive", st)
	}
	wrong := healthy
	wrong.Start++
	if st := observe(wrong); st != stateReused {
		t.Errorf("self with another start time: %v, want reused", st)
	}
	// The helper, not true(1), which Windows does not have.
	c := startHelper(t, nil, "echo")
	_ = c.Stdin.Close() // EOF: the helper exits
	c.Wait(t)
	if st := observe(registry.Process{PID: c.Cmd.Process.Pid, Start: 1}); st != stateDead {
		t.Errorf("exited and reaped: %v, want dead", st)
	}
}
