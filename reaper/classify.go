package reaper

import (
	"runp/proc"
	"runp/registry"
)

// state is what the reaper makes of a recorded process on a tick.
type state int

// The states of a tracked process (docs/design.md, "Reaper").
const (
	// stateAlive: running, ours, with the parent it was recorded with.
	stateAlive state = iota
	// stateDead: no process has the PID any more.
	stateDead
	// stateReused: the PID now belongs to another process. The entry is dropped
	// and never signalled.
	stateReused
	// stateOrphan: running and ours, but its parent is gone: it was re-parented
	// (to runp as subreaper, or to init) or it left the tree.
	stateOrphan
)

func (s state) String() string {
	switch s {
	case stateAlive:
		return "alive"
	case stateDead:
		return "dead"
	case stateReused:
		return "reused"
	case stateOrphan:
		return "orphan"
	}
	return "unknown"
}

// classifyRecord decides the state of rec from obs. The start time is compared
// exactly, and the exact identifier too when both sides know it: a PID alone
// never identifies a process.
func classifyRecord(rec registry.Process, obs proc.Observation) state {
	switch {
	case obs.Gone:
		return stateDead
	case obs.Start != rec.Start, obs.Ino != 0 && rec.Ino != 0 && obs.Ino != rec.Ino:
		return stateReused
	case obs.Zombie:
		return stateDead
	case obs.PPID != rec.PPID:
		return stateOrphan
	}
	return stateAlive
}

// recordID is the identity rec records, in the boot boot.
func recordID(rec registry.Process, boot string) proc.Identity {
	return proc.Identity{PID: rec.PID, Start: rec.Start, Boot: boot, Ino: rec.Ino}
}

// observe looks at the process rec records now (see proc.Observe).
func observe(rec registry.Process) proc.Observation { return proc.Observe(recordID(rec, "")) }
