package reaper

import (
	"context"
	"errors"
	"slices"
	"sort"
	"syscall"
	"time"

	"runp/proc"
	"runp/registry"
)

// pollEvery is how often the clean-up looks again while processes are dying.
const pollEvery = 2 * time.Millisecond

// killWait bounds the wait for SIGKILLed processes to disappear: a process
// in uninterruptible sleep (a dead NFS server) dies only when the kernel lets it.
const killWait = 5 * time.Second

// target is a live process the clean-up must stop.
type target struct {
	id      proc.Identity
	command string
}

// live returns every process of the session that runs now: the tree under
// Root, recorded processes that left it (checked by identity), and extra
// (processes found by the cookie, checked by identity). The caller holds mu.
func (r *Reaper) live(extra []proc.Identity) []target {
	var out []target
	if r.blind {
		return nil
	}
	seen := map[int]bool{r.self: true}
	procs := r.tree()
	for _, p := range procs {
		rec, ok := r.tracked[p.PID]
		if !ok || rec.Start != p.Start || !r.stillOurs(rec) {
			// New since the last tick: bound to a pidfd first, like any
			// other, so that the signal reaches this process and no other.
			if ok {
				r.drop(p.PID)
			}
			if !r.admit(p) {
				continue // changed under the walk: the next round looks again
			}
			rec = r.tracked[p.PID]
		}
		seen[p.PID] = true
		cmd := rec.Command
		if _, fresh := r.fresh[p.PID]; fresh {
			cmd = proc.Cmdline(p.PID) // recorded before its exec
		}
		out = append(out, target{r.idOf(rec), cmd})
	}
	for pid, rec := range r.tracked {
		// runp's own conhost (Windows) serves the pseudo console until the
		// output is drained; the supervisor stops it after that.
		if seen[pid] || rec.Role == registry.RoleConhost {
			continue
		}
		seen[pid] = true
		switch r.classify(rec) {
		case Alive, Orphan:
			out = append(out, target{r.idOf(rec), rec.Command})
		default:
			// Gone, reused, or a zombie: outside the tree it waits for a
			// parent that is not runp (init, usually), dead already.
			r.drop(pid)
		}
	}
	for _, id := range extra {
		if seen[id.PID] {
			continue
		}
		if cur, err := proc.Read(id.PID); err == nil && cur.Same(id) && !proc.Exited(id.PID) {
			seen[id.PID] = true
			out = append(out, target{id, proc.Cmdline(id.PID)})
		}
	}
	return out
}

// Shutdown stops every live process of the session: stop (then SIGCONT, so
// that a stopped process can act on it), then SIGKILL to what is left after
// grace, or at once when hurry is closed; every signal goes through Signal,
// which verifies the identity first. It calls reap while it waits so that
// runp's own children are collected, and returns once the session has no
// live process, or after killWait past the SIGKILL.
func (r *Reaper) Shutdown(stop syscall.Signal, grace time.Duration, hurry <-chan struct{}, reap func()) []Killed {
	r.mu.Lock()
	defer r.mu.Unlock()
	findCookie := func() []proc.Identity {
		if r.opts.Contained {
			return nil // nothing can leave a subreaper's tree
		}
		ids, _ := proc.FindByEnv(SessionKey, r.sess.ID)
		return ids
	}
	cookie := findCookie()
	sent := map[int]*Killed{}
	sig := stop
	deadline := time.Now().Add(grace)
	rescanned := false
	untouchable := map[proc.Identity]bool{} // signals refused (EPERM, protected): waiting would not help
	spared := map[proc.Identity]bool{}      // live runps: SIGKILL refused, they stop on their own
	for {
		reap()
		live := r.live(cookie)
		live = slices.DeleteFunc(live, func(t target) bool { return untouchable[t.id] })
		if len(live) == 0 {
			if rescanned {
				break
			}
			// One more look for escapees that carry the cookie: a process
			// that left the tree while its parent was dying.
			rescanned = true
			if cookie = findCookie(); len(cookie) == 0 {
				break
			}
			continue
		}
		for _, t := range live {
			k := sent[t.id.PID]
			if k != nil && k.Signal == sig || sig == syscall.SIGKILL && spared[t.id] {
				continue
			}
			if err := proc.Signal(t.id, sig); err != nil {
				switch {
				case errors.Is(err, proc.ErrReused) || errors.Is(err, proc.ErrGone):
					r.drop(t.id.PID)
				case errors.Is(err, proc.ErrProtected) && sig == syscall.SIGKILL:
					// A live runp: with the stop signal it cleans up its
					// own tree, which SIGKILL would leave behind.
					spared[t.id] = true
					if k == nil {
						_ = proc.Signal(t.id, stop) // best effort: it came after the stop round
					}
					r.opts.Logger.Debug("not signalled", "pid", t.id.PID, "command", t.command, "err", err)
				case errors.Is(err, proc.ErrProtected):
					untouchable[t.id] = true
					r.opts.Logger.Warn("not signalled", "pid", t.id.PID, "command", t.command, "err", err)
				case errors.Is(err, syscall.EPERM):
					// Another user's process (sudo): runp may not stop it.
					untouchable[t.id] = true
					r.opts.Logger.Warn("cannot signal", "pid", t.id.PID, "command", t.command, "err", err)
				}
				continue
			}
			if sig != syscall.SIGKILL {
				proc.Continue(t.id)
			}
			if k == nil {
				k = &Killed{PID: t.id.PID, Command: t.command}
				sent[t.id.PID] = k
			}
			k.Signal, k.SignalName = sig, proc.SignalName(sig)
			r.opts.Logger.Debug("signalled", "pid", t.id.PID, "signal", k.SignalName, "command", t.command)
		}
		now := time.Now()
		select {
		case <-hurry:
			hurry = nil // once: a nil channel never fires again
			if sig != syscall.SIGKILL {
				deadline = now
			}
		default:
		}
		if sig != syscall.SIGKILL && !now.Before(deadline) {
			sig, deadline = syscall.SIGKILL, now.Add(killWait)
			continue
		}
		if sig == syscall.SIGKILL && now.After(deadline) {
			r.opts.Logger.Warn("processes survived SIGKILL", "count", len(live))
			break
		}
		select {
		case <-r.wake:
		case <-hurry:
		case <-time.After(pollEvery):
		}
	}
	out := make([]Killed, 0, len(sent))
	for _, k := range sent {
		out = append(out, *k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

// WaitEmpty waits, reaping, until the session has no live process or ctx is
// done; it reports whether the session is empty. It is the clean-up that waits for the tree to end by itself.
func (r *Reaper) WaitEmpty(ctx context.Context, interval time.Duration, reap func()) bool {
	t := time.NewTicker(interval)
	defer t.Stop()
	for logged := false; ; logged = true {
		reap()
		r.mu.Lock()
		n := len(r.live(nil))
		r.mu.Unlock()
		if n == 0 {
			return true
		}
		if !logged {
			r.opts.Logger.Debug("waiting for descendants", "count", n)
		}
		select {
		case <-ctx.Done():
			return false
		case <-r.wake:
		case <-t.C:
		}
	}
}
