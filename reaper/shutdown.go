package reaper

import (
	"context"
	"sort"
	"syscall"
	"time"

	"runp/proc"
	"runp/registry"
)

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
		rec, ok := r.bind(p)
		if !ok {
			continue // changed under the walk: the next round looks again
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
		case stateAlive, stateOrphan:
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
		if s, err := proc.Look(id.PID); err == nil {
			s.Close()
			if s.ID.Same(id) && !s.Zombie {
				seen[id.PID] = true
				out = append(out, target{id, proc.Cmdline(id.PID)})
			}
		}
	}
	return out
}

// Shutdown stops every live process of the session: the stop signal (then
// SIGCONT, so that a stopped process can act on it), then SIGKILL to what is
// left after grace, or at once when endGrace is closed (see cleanup). It
// calls reap while it waits so that this process's own children are
// collected, and returns once the session has no live process, or after
// killWait past the SIGKILL. The reaper's lock is held only to take each
// snapshot, never while reap runs or a signal is sent.
func (r *Reaper) Shutdown(stop syscall.Signal, grace time.Duration, endGrace <-chan struct{}, reap func()) []Killed {
	var cookie []proc.Identity
	findCookie := func() bool {
		if r.opts.Contained {
			return false // nothing can leave a subreaper's tree
		}
		cookie, _ = proc.FindByEnv(SessionKey, r.ID())
		return len(cookie) > 0
	}
	findCookie()
	sent := map[int]*Killed{}
	c := cleanup{
		stop: stop, grace: grace, policy: sessionCleanup, endGrace: endGrace, wake: r.wake, reap: reap,
		live: func() []target {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.live(cookie)
		},
		more: findCookie,
		gone: func(id proc.Identity) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if rec, ok := r.tracked[id.PID]; ok && r.idOf(rec).Same(id) {
				r.drop(id.PID)
			}
		},
		signalled: func(t target, sig syscall.Signal) {
			k := sent[t.id.PID]
			if k == nil {
				k = &Killed{PID: t.id.PID, Command: t.command}
				sent[t.id.PID] = k
			}
			k.Signal, k.SignalName = sig, proc.SignalName(sig)
			r.opts.Logger.Debug("signalled", "pid", t.id.PID, "signal", k.SignalName, "command", t.command)
		},
		log: r.opts.Logger,
	}
	c.run()
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
