package proc

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

// Observe looks at the process rec names (its PID, start time and, when
// known, Ino; Boot is not compared) now. It is the one observation behind
// runp ps, runp reap, crash recovery and the reaper's ticks, so that all of
// them classify a process the same way at the same moment. When this process
// holds a pidfd on rec (see Sighting.Hold), the pidfd decides whether it is
// still there, whoever has the PID now.
func Observe(rec Identity) Observation {
	s, err := Look(rec.PID)
	if err != nil {
		return Observation{Gone: true}
	}
	s.Close()
	// After the look: if the held process has not been reaped, the PID was
	// still its own when it was read.
	rec.Boot = s.ID.Boot
	if alive, ok := heldAlive(rec); ok && !alive {
		return Observation{Gone: true}
	}
	return Observation{Start: s.ID.Start, Ino: s.ID.Ino, PPID: s.PPID, Zombie: s.Zombie}
}
