package reaper

import (
	"runp/proc"
	"runp/registry"
)

// A Reaper holds a pidfd on every process it tracks (Linux; see hold), from
// the moment it first sees the process: admit binds a process found by a walk
// to its pidfd, and the pidfd then decides whether a record still names its
// process, whoever has the PID now.

// bind returns the record of p, a process found by a walk: the recorded
// one while it is still p, else p newly admitted (see admit), in place of a
// record whose process was reaped and whose PID is another's now. ok is
// false when p changed under the walk. The caller holds mu.
func (r *Reaper) bind(p proc.Proc) (rec registry.Process, ok bool) {
	rec, ok = r.tracked[p.PID]
	if ok && rec.Start == p.Start && r.stillOurs(rec) {
		return rec, true
	}
	if ok {
		r.drop(p.PID)
		r.dirty = true
		r.gen++
	}
	if !r.admit(p) {
		return registry.Process{}, false
	}
	return r.tracked[p.PID], true
}

// admit records p, found by a walk, with a pidfd held on it from now on; the
// caller holds mu. The pidfd is opened, then p is read again (see look): if
// it still has the start time and a parent of the session, and that parent
// has not been reaped since the read (so the parent PID was still its own),
// the pidfd is p, exactly, whatever happened to the PID between the walk's
// read and pidfd_open. It reports false when p changed meanwhile: the next
// walk looks again.
func (r *Reaper) admit(p proc.Proc) bool {
	s, err := proc.Look(p.PID)
	if err != nil {
		return false
	}
	if s.ID.Start != p.Start || !r.parentOurs(s.PPID) {
		s.Close()
		return false
	}
	s.Hold()
	r.add(s.ID, s.PPID, registry.RoleDescendant)
	return true
}

// parentOurs reports whether ppid, read from a process after its pidfd was
// opened, names a process of the session now: runp itself, or a tracked
// process whose held pidfd shows it has not been reaped. One without a pidfd
// (none left to open) is taken on its start time, as the walk did. The
// caller holds mu.
func (r *Reaper) parentOurs(ppid int) bool {
	if ppid == r.self {
		return true
	}
	rec, ok := r.tracked[ppid]
	if !ok {
		return false
	}
	alive, held := proc.Held(r.idOf(rec))
	return alive || !held
}

// stillOurs reports whether rec's process has not been reaped, as far as a
// held pidfd can tell; without one it says yes. The caller holds mu.
func (r *Reaper) stillOurs(rec registry.Process) bool {
	alive, held := proc.Held(r.idOf(rec))
	return alive || !held
}

// idOf is the identity rec records.
func (r *Reaper) idOf(rec registry.Process) proc.Identity { return recordID(rec, r.boot) }

// drop forgets pid and closes its pidfd; the caller holds mu.
func (r *Reaper) drop(pid int) {
	rec, ok := r.tracked[pid]
	if !ok {
		return
	}
	proc.Release(r.idOf(rec))
	delete(r.tracked, pid)
	delete(r.fresh, pid)
}
