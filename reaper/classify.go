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
	// Ino is its exact identifier (see Identity.Ino), 0 when unknown.
	Ino uint64
	// PPID is its parent now.
	PPID int
	// Zombie: it has exited and waits for its parent to reap it. Nothing is
	// left to stop: it is as dead as a gone process, and never signalled.
	Zombie bool
}

// Classify decides the state of rec from obs. The start time is compared
// exactly, and the exact identifier too when both sides know it: a PID alone
// never identifies a process.
func Classify(rec registry.Process, obs Observation) State {
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

// Observe looks at rec's PID now. It is the one observation behind runp ps,
// runp reap, crash recovery and the reaper's ticks, so that all of them
// classify a process the same way at the same moment. When this process
// holds a pidfd on rec (a Reaper saw it), the pidfd decides whether it is
// still there, whoever has the PID now.
func Observe(rec registry.Process) Observation {
	s, err := lookPID(rec.PID)
	if err != nil {
		return Observation{Gone: true}
	}
	closeFd(s.fd)
	// After the look: if the held process has not been reaped, the PID was
	// still its own when it was read.
	if alive, ok := heldAlive(recordID(rec, s.id.Boot)); ok && !alive {
		return Observation{Gone: true}
	}
	return Observation{Start: s.id.Start, Ino: s.id.Ino, PPID: s.ppid, Zombie: s.zombie}
}

// recordID is the identity rec records, in the boot boot.
func recordID(rec registry.Process, boot string) Identity {
	return Identity{PID: rec.PID, Start: rec.Start, Boot: boot, Ino: rec.Ino}
}
