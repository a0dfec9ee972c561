package reaper

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"
	"sync"

	"runp/proc"
	"runp/registry"
)

// owner is what a session id says about the process that owns the session:
// enough for "runp reap" to prove that owner dead, and so to stop the
// processes that carry its cookie, even when the session file was never
// written (the owner was killed in its first reap interval, before the state
// dir was opened).
type owner struct {
	PID int
	// Start is the owner's start time, and Ino its pidfs inode number (0
	// when unknown), as in proc.Identity.
	Start, Ino uint64
	// NS names the owner's PID namespace (the inode of /proc/self/ns/pid on
	// Linux, 0 elsewhere): PID means nothing in another one.
	NS uint64
	// Dir is a hash of the state dir the owner records its session in:
	// recovery in the state dir D stops only the orphans of sessions of D.
	Dir uint64
}

// NewSessionID returns a new session id (also the RUNP_SESSION cookie) for
// a session of this process, recorded in the state dir stateDir (an
// absolute path; "" if unknown, and then no orphan of it is ever recovered
// without its file): registry.NewID, then this process's PID, start time,
// pidfs inode number, PID namespace and the hash of stateDir, separated by
// dots.
func NewSessionID(stateDir string) string {
	me := self()
	return fmt.Sprintf("%s.%d.%d.%d.%d.%016x", registry.NewID(), me.PID, me.Start, me.Ino, me.NS, dirHash(stateDir))
}

// parseOwner reads the owner out of a session id made by NewSessionID; ok is
// false for any other id (a runp older than this one, or a forged cookie
// that does not parse).
func parseOwner(id string) (o owner, ok bool) {
	f := strings.Split(id, ".")
	if len(f) != 6 {
		return owner{}, false
	}
	pid, err1 := strconv.Atoi(f[1])
	start, err2 := strconv.ParseUint(f[2], 10, 64)
	ino, err3 := strconv.ParseUint(f[3], 10, 64)
	ns, err4 := strconv.ParseUint(f[4], 10, 64)
	dir, err5 := strconv.ParseUint(f[5], 16, 64)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil || pid <= 0 || start == 0 || len(f[5]) != 16 {
		return owner{}, false
	}
	return owner{PID: pid, Start: start, Ino: ino, NS: ns, Dir: dir}, true
}

// dirHash is the hash of a state dir's absolute path that session ids carry
// (FNV-1a, 64 bits); 0 for "".
func dirHash(dir string) uint64 {
	if dir == "" {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(dir)) // never fails
	return h.Sum64()
}

// dead reports whether the owner is provably dead, as seen from this
// process: same PID namespace, and no live process has its PID and start
// time (and pidfs inode, when both are known). A zombie is dead. Anything
// uncertain (another namespace, an owner whose PID cannot be read for
// another reason than its absence) is not: at worst its orphans are left.
func (o owner) dead() bool {
	if o.NS != self().NS {
		return false
	}
	s, err := proc.Look(o.PID)
	if err != nil {
		return errors.Is(err, proc.ErrGone)
	}
	s.Close()
	id := s.ID
	switch {
	case id.Start != o.Start, o.Ino != 0 && id.Ino != 0 && id.Ino != o.Ino:
		return true // the PID went to another process: the owner is gone
	default:
		return s.Zombie
	}
}

// Prime reads this process's identity, which every session id names, if
// it has not been read yet. A program calls it in the background early
// (supervisor.Prepare does) so that the first session id costs the command's
// start nothing: the reads (a pidfd, /proc/self/stat, the namespace) then
// overlap the program's own start-up.
func Prime() { self() }

// self is this process's identity and PID namespace, read once.
var self = sync.OnceValue(func() owner {
	me := owner{PID: os.Getpid(), NS: pidNS()}
	if id, err := proc.Read(me.PID); err == nil {
		me.Start, me.Ino = id.Start, id.Ino
	}
	return me
})
