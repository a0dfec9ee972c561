package reaper

import "runp/registry"

// State is what the reaper makes of a recorded process on a tick.
type State int

// The states of a tracked process (docs/design.md, "Reaper").
const (
	// Alive: running, ours, with the parent it was recorded with.
	Alive State = iota
	// Dead: no process has the PID any more.
	Dead
	// Reused: the PID now belongs to another process. The entry is dropped
	// and never signalled.
	Reused
	// Orphan: running and ours, but its parent is gone: it was re-parented
	// (to runp as subreaper, or to init) or it left the tree.
	Orphan
)

func (s State) String() string {
	switch s {
	case Alive:
		return "alive"
	case Dead:
		return "dead"
	case Reused:
		return "reused"
	case Orphan:
		return "orphan"
	}
	return "unknown"
}

// Observation is what was seen just now of a recorded PID.
type Observation struct {
	// Gone: no process has the PID.
	Gone bool
	// Start is the start time of the process that has the PID now.
	Start uint64
	// PPID is its parent now, or 0 when it was seen outside the tree, where
	// the parent was not read.
	PPID int
}

// Classify decides the state of rec from obs. The start time is compared
// exactly: a PID alone never identifies a process.
func Classify(rec registry.Process, obs Observation) State {
	switch {
	case obs.Gone:
		return Dead
	case obs.Start != rec.Start:
		return Reused
	case obs.PPID != rec.PPID:
		return Orphan
	}
	return Alive
}
