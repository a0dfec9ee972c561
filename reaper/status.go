package reaper

import (
	"time"

	"runp/proc"
	"runp/registry"
)

// SessionStatus is one session as `runp ps` shows it.
type SessionStatus struct {
	Session   string
	RunpPID   int
	Live      bool
	Argv      []string
	Cwd       string
	Started   time.Time
	Processes []ProcessStatus
}

// ProcessStatus is one tracked process, classified now.
type ProcessStatus struct {
	PID     int
	PPID    int
	Command string
	Role    string
	// FirstSeen is when runp first saw the process; Age counts from it.
	FirstSeen  time.Time
	AgeSeconds float64
	// State is alive, orphan, dead (gone, or a zombie) or reused (see classifyRecord).
	State string
}

// Status lists the sessions in store with their processes classified now.
// Files that do not parse are quarantined and returned as errors.
func Status(store *registry.Store) ([]SessionStatus, []error, error) {
	if !proc.SameNamespace() {
		return nil, nil, ErrForeignProc
	}
	entries, errs, err := store.List()
	if err != nil {
		return nil, errs, err
	}
	boot, _ := proc.BootID()
	now := time.Now()
	out := make([]SessionStatus, 0, len(entries))
	for _, e := range entries {
		s := e.Session
		st := SessionStatus{Session: s.ID, RunpPID: s.PID, Live: e.Live, Argv: s.Argv, Cwd: s.Cwd,
			Started: s.Started, Processes: make([]ProcessStatus, 0, len(s.Processes))}
		for _, p := range s.Processes {
			obs := proc.Observation{Gone: true} // every PID of another boot is void
			if s.BootID == boot {
				obs = observe(p)
			}
			st.Processes = append(st.Processes, ProcessStatus{
				PID: p.PID, PPID: p.PPID, Command: p.Command, Role: p.Role, FirstSeen: p.FirstSeen,
				AgeSeconds: now.Sub(p.FirstSeen).Round(time.Second).Seconds(),
				State:      classifyRecord(p, obs).String(),
			})
		}
		out = append(out, st)
	}
	return out, errs, nil
}
