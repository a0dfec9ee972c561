package reaper

import (
	"sync"

	"runp/proc"
)

// orphanIsMine says whether p, a child of this subreaper that the session
// did not start, is this session's: it is unless it carries the cookie of
// another session this process runs now. With one session (runp's CLI) no
// environment is read at all. An environment that cannot be read (emptied
// by env -i, or the process is exiting) counts as no cookie: every child of
// a subreaper that runs only sessions is some session's orphan, and the
// worst a wrong guess does is let the wrong session stop it.
func (r *Reaper) orphanIsMine(p proc.Proc) bool {
	for _, other := range liveSessions(r.sess.ID) {
		if has, _ := proc.HasEnv(p.PID, p.Start, SessionKey+"="+other); has {
			return false
		}
	}
	return true
}

// sessions holds the ids of the sessions that reapers of this process track
// now, so that concurrent sessions under one subreaper tell their orphans
// apart (see tree).
var sessions = struct {
	sync.Mutex
	ids map[string]int
}{ids: map[string]int{}}

func addSession(id string) {
	sessions.Lock()
	sessions.ids[id]++
	sessions.Unlock()
}

func dropSession(id string) {
	sessions.Lock()
	if sessions.ids[id]--; sessions.ids[id] <= 0 {
		delete(sessions.ids, id)
	}
	sessions.Unlock()
}

// liveSessions returns the ids of the sessions tracked in this process now,
// except self.
func liveSessions(self string) []string {
	sessions.Lock()
	defer sessions.Unlock()
	var out []string
	for id := range sessions.ids {
		if id != self {
			out = append(out, id)
		}
	}
	return out
}
