package reaper

import (
	"errors"
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
	Session string   `json:"session"`
	RunpPID int      `json:"runp_pid"`
	Argv    []string `json:"argv"`
	// OtherBoot: the session was recorded before the last reboot; every PID
	// in it is void, so it is deleted without a look at its processes.
	OtherBoot bool `json:"other_boot"`
	// Unwritten: the session had no file (its runp died before writing
	// it); its processes were found by their cookie, which names that runp.
	Unwritten bool            `json:"unwritten,omitempty"`
	Processes []ProcessReport `json:"processes"`
}

// ProcessReport is one process of a recovered session.
type ProcessReport struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	// State is the classification: alive, orphan, dead, reused, or cookie
	// for a process found by its RUNP_SESSION cookie only.
	State string `json:"state"`
	// Signal is the last signal sent ("" when none was, or with DryRun).
	Signal string `json:"signal,omitempty"`
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
	// Owner). It reads every process's environment: "runp reap" does it,
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

func recoverOne(sess *registry.Session, boot string, o RecoverOptions) Report {
	rep := Report{Session: sess.ID, RunpPID: sess.PID, Argv: sess.Argv, Processes: []ProcessReport{}}
	if sess.BootID != boot {
		rep.OtherBoot = true
		return rep
	}
	var targets []proc.Identity
	index := map[int]int{} // pid -> rep.Processes index
	for _, p := range sess.Processes {
		st := Classify(p, observe(p))
		index[p.PID] = len(rep.Processes)
		rep.Processes = append(rep.Processes, ProcessReport{PID: p.PID, Command: p.Command, State: st.String()})
		if st == Alive || st == Orphan {
			targets = append(targets, recordID(p, boot))
		}
	}
	// carriers adds the cookie carriers not seen yet. A process inside an
	// exec has no environment to read for a moment (the kernel shows an
	// empty one until the new image is set up), so each round looks again.
	carriers := func() []proc.Identity {
		found, err := proc.FindByEnv(SessionKey, sess.ID)
		if err != nil {
			return nil
		}
		var added []proc.Identity
		for _, id := range found {
			if _, dup := index[id.PID]; dup {
				continue
			}
			index[id.PID] = len(rep.Processes)
			rep.Processes = append(rep.Processes, ProcessReport{PID: id.PID, Command: proc.Cmdline(id.PID), State: "cookie"})
			added = append(added, id)
		}
		return added
	}
	targets = append(targets, carriers()...)
	if len(targets) == 0 && !o.DryRun {
		targets = carriers()
	}
	if o.DryRun || len(targets) == 0 {
		return rep
	}
	for _, sig := range []syscall.Signal{o.Stop, syscall.SIGKILL} {
		bound := o.Grace
		if sig == syscall.SIGKILL {
			bound = killWait
		}
		var alive []proc.Identity
		for _, id := range targets {
			if err := proc.Signal(id, sig); err != nil {
				switch {
				case errors.Is(err, proc.ErrProtected):
					o.Logger.Warn("not signalled", "session", sess.ID, "pid", id.PID, "err", err)
				case !errors.Is(err, proc.ErrGone) && !errors.Is(err, proc.ErrReused):
					o.Logger.Debug("signal failed", "pid", id.PID, "err", err)
				}
				continue
			}
			if sig != syscall.SIGKILL {
				proc.Continue(id)
			}
			rep.Processes[index[id.PID]].Signal = proc.SignalName(sig)
			o.Logger.Debug("signalled", "session", sess.ID, "pid", id.PID, "signal", proc.SignalName(sig))
			alive = append(alive, id)
		}
		if targets = append(waitExit(alive, bound, o.Reap), carriers()...); len(targets) == 0 {
			break
		}
	}
	return rep
}

// waitExit polls until every id has exited (gone, or a zombie waiting for
// its parent) or bound has passed, and returns those still running.
func waitExit(ids []proc.Identity, bound time.Duration, reap func()) []proc.Identity {
	deadline := time.Now().Add(bound)
	for {
		if reap != nil {
			reap()
		}
		var running []proc.Identity
		for _, id := range ids {
			if proc.Signal(id, 0) == nil && !proc.Exited(id.PID) {
				running = append(running, id)
			}
		}
		if len(running) == 0 || time.Now().After(deadline) {
			return running
		}
		ids = running
		time.Sleep(pollEvery)
	}
}
