package reaper

import (
	"fmt"
	"log/slog"
	"syscall"
	"time"

	"runp/proc"
	"runp/registry"
)

// Report says what recovery did, or with DryRun would do, with the session
// of one runp that died without cleaning up.
type Report struct {
	Session string
	RunpPID int
	Argv    []string
	// OtherBoot: the session was recorded before the last reboot; every PID
	// in it is void, so it is deleted without a look at its processes.
	OtherBoot bool
	// Unwritten: the session had no file (its runp died before writing
	// it); its processes were found by their cookie, which names that runp.
	Unwritten bool
	Processes []ProcessReport
}

// ProcessReport is one process of a recovered session.
type ProcessReport struct {
	PID     int
	Command string
	// State is the classification: alive, orphan, dead, reused, or cookie
	// for a process found by its RUNP_SESSION cookie only.
	State string
	// Signal is the last signal sent ("" when none was, or with DryRun).
	Signal string
}

// RecoverOptions configure Recover.
type RecoverOptions struct {
	Stop   syscall.Signal
	Grace  time.Duration
	DryRun bool
	Logger *slog.Logger
	// Reap collects zombies when this process is their parent (runp as
	// subreaper inherits the orphans of a runp it ran); may be nil.
	Reap func()
	// Unwritten also stops the cookie carriers of sessions of this store
	// that were never written, once their owner is provably dead (see
	// owner). It reads every process's environment: "runp reap" does it,
	// the background recovery of every runp does not.
	Unwritten bool
}

// Recover cleans every session in store whose owner is dead: the lock is
// free, so the runp that held it is gone, whatever its PID is now. Each
// session's recorded processes that are still the same processes (by
// identity) and every process still carrying its cookie get the stop signal,
// then SIGKILL after the grace; then the session is removed. A session from
// an earlier boot is only removed.
func Recover(store *registry.Store, o RecoverOptions) ([]Report, []error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if !proc.SameNamespace() {
		return nil, []error{ErrForeignProc}
	}
	if !o.DryRun {
		// Lock files left by a runp that died mid-removal, and temp files
		// left mid-write.
		if err := store.Sweep(); err != nil {
			o.Logger.Debug("sweep failed", "err", err)
		}
	}
	entries, errs, err := store.List()
	if err != nil {
		return nil, append(errs, err)
	}
	boot, _ := proc.BootID()
	var reports []Report
	for _, e := range entries {
		if e.Live {
			continue
		}
		h, sess, ok, err := store.Claim(e.Session.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue // its owner is alive after all, or another runp recovers it
		}
		rep := recoverOne(sess, boot, o)
		if o.DryRun {
			err = h.Close()
		} else {
			err = h.Remove()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("session %s: %w", sess.ID, err))
		}
		reports = append(reports, rep)
	}
	if o.Unwritten {
		done := map[string]bool{}
		for _, e := range entries {
			done[e.Session.ID] = true
		}
		reports = append(reports, recoverUnwritten(store, boot, done, o)...)
	}
	return reports, errs
}

// recoverOne stops the live processes of sess, a session of a runp that
// died: those its file records that are still the same processes, and the
// processes that carry its cookie (see cleanup and recoveryCleanup).
func recoverOne(sess *registry.Session, boot string, o RecoverOptions) Report {
	rc := &recovery{sess: sess, index: map[int]int{}, signalled: map[proc.Identity]bool{},
		rep: Report{Session: sess.ID, RunpPID: sess.PID, Argv: sess.Argv, Processes: []ProcessReport{}}}
	if sess.BootID != boot {
		rc.rep.OtherBoot = true
		return rc.rep
	}
	for _, p := range sess.Processes {
		st := classifyRecord(p, observe(p))
		rc.add(ProcessReport{PID: p.PID, Command: p.Command, State: st.String()})
		if st == stateAlive || st == stateOrphan {
			rc.targets = append(rc.targets, recordID(p, boot))
		}
	}
	if !rc.carriers() && len(rc.targets) == 0 && !o.DryRun {
		rc.carriers()
	}
	if o.DryRun || len(rc.targets) == 0 {
		return rc.rep
	}
	log := o.Logger.With("session", sess.ID)
	c := cleanup{stop: o.Stop, grace: o.Grace, policy: recoveryCleanup, reap: o.Reap, log: log,
		live: rc.live, more: rc.carriers,
		signalled: func(t target, sig syscall.Signal) {
			rc.signalled[t.id] = true
			rc.rep.Processes[rc.index[t.id.PID]].Signal = proc.SignalName(sig)
			log.Debug("signalled", "pid", t.id.PID, "signal", proc.SignalName(sig))
		},
	}
	c.run()
	return rc.rep
}

// recovery is the recovery of one session: its report, and the processes
// to stop.
type recovery struct {
	sess      *registry.Session
	rep       Report
	index     map[int]int // pid -> rep.Processes index
	targets   []proc.Identity
	signalled map[proc.Identity]bool
}

// add adds p to the report.
func (rc *recovery) add(p ProcessReport) {
	rc.index[p.PID] = len(rc.rep.Processes)
	rc.rep.Processes = append(rc.rep.Processes, p)
}

// carriers adds the cookie carriers not seen yet to the targets, and
// reports whether there were any. A process inside an exec has no
// environment to read for a moment (the kernel shows an empty one until the
// new image is set up), so the clean-up looks again after each phase.
func (rc *recovery) carriers() bool {
	found, err := proc.FindByEnv(SessionKey, rc.sess.ID)
	if err != nil {
		return false
	}
	added := false
	for _, id := range found {
		if _, dup := rc.index[id.PID]; dup {
			continue
		}
		rc.add(ProcessReport{PID: id.PID, Command: proc.Cmdline(id.PID), State: "cookie"})
		rc.targets = append(rc.targets, id)
		added = true
	}
	return added
}

// live returns the targets to signal: each is signalled once, and once
// signalled counts while it runs (not gone, not a zombie).
func (rc *recovery) live() []target {
	var out []target
	for _, id := range rc.targets {
		if !rc.signalled[id] || proc.Signal(id, 0) == nil && !proc.Exited(id.PID) {
			out = append(out, target{id: id})
		}
	}
	return out
}
