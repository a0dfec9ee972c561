package reaper

import "runp/registry"

// recoverUnwritten stops the processes that carry the cookie of a session
// of store that has no file, and whose owner is provably dead (see owner):
// a runp killed before it first wrote its session (the state dir is opened
// lazily, one reap interval after the start or at the first descendant).
// done holds the sessions already recovered from their files. Every process
// is found, and signalled, by the same rules as recoverOne's cookie
// carriers: by identity read with the environment that matched.
func recoverUnwritten(store *registry.Store, boot string, done map[string]bool, o RecoverOptions) []Report {
	ids, err := sessionCookies()
	if err != nil {
		o.Logger.Debug("cannot look for sessions never written", "err", err)
		return nil
	}
	dir := dirHash(store.Dir())
	var out []Report
	carried := make(map[string]bool, len(ids))
	for _, id := range ids {
		carried[id] = true
		if done[id] || store.Left(id) {
			continue // recovered from its file, or left running on purpose
		}
		own, ok := parseOwner(id)
		if !ok || own.Dir != dir || !own.dead() {
			continue // another state dir's, a live runp's, or not one this runp can judge
		}
		rep := recoverOne(&registry.Session{ID: id, PID: own.PID, BootID: boot}, boot, o)
		rep.Argv, rep.Unwritten = []string{}, true
		out = append(out, rep)
	}
	if !o.DryRun {
		if err := store.ForgetLeft(carried); err != nil {
			o.Logger.Debug("cannot forget the marks of sessions left running", "err", err)
		}
	}
	return out
}
