package reaper

import (
	"runp/proc"
	"runp/registry"
)

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

// Classify decides the state of rec from obs. The start time is compared
// exactly, and the exact identifier too when both sides know it: a PID alone
// never identifies a process.
func Classify(rec registry.Process, obs proc.Observation) State {
	switch {
	case obs.Gone:
		return Dead
	case obs.Start != rec.Start, obs.Ino != 0 && rec.Ino != 0 && obs.Ino != rec.Ino:
		return Reused
	case obs.Zombie:
		return Dead
	case obs.PPID != rec.PPID:
		return Orphan
	}
	return Alive
}

// recordID is the identity rec records, in the boot boot.
func recordID(rec registry.Process, boot string) proc.Identity {
	return proc.Identity{PID: rec.PID, Start: rec.Start, Boot: boot, Ino: rec.Ino}
}

// observe looks at the process rec records now (see proc.Observe).
func observe(rec registry.Process) proc.Observation { return proc.Observe(recordID(rec, "")) }
