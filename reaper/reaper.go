package reaper

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"runp/proc"
	"runp/registry"
)

// ErrForeignProc reports that /proc shows another PID namespace than the
// caller's: its PIDs would name strangers, so nothing is tracked or signalled.
var ErrForeignProc = errors.New("/proc belongs to another PID namespace: descendants are not tracked or cleaned up (mount a /proc for this namespace)")

// Options configure a Reaper.
type Options struct {
	// Root is the process whose descendants are tracked: runp itself when it
	// is a child subreaper (orphans come back to it), else the command.
	Root int
	// Store keeps the session on disk; nil keeps it in memory only, unless
	// OpenStore is set.
	Store *registry.Store
	// OpenStore opens the store when the session first needs writing: once
	// a descendant appears, or after the first interval. A command that
	// never forks and ends within the first interval costs no disk I/O.
	OpenStore func() (*registry.Store, error)
	// FirstTick, if set, runs (in its own goroutine) when the first
	// interval has passed: work that may wait, like crash recovery.
	FirstTick func()
	// Contained says that Root is this process and a child subreaper: every
	// descendant stays in its tree, so the clean-up needs no scan for the
	// cookie, and every child the process did not start is an orphan of the
	// tree (see tree).
	Contained bool
	// Session describes the session: ID, Argv, Cwd, Started. New fills in
	// runp's own identity and the boot id.
	Session registry.Session
	// Logger receives the lifecycle: tracked, classified, signalled.
	Logger *slog.Logger
	// Warn is told every time the session could not be written; the
	// session goes on in memory, and the write is tried again at the next
	// scan that walks the tree.
	Warn func(error)
}

// Reaper tracks the processes of one session by identity, keeps the
// session's record in the registry, and cleans the tree up at the end.
//
// It never calls wait4: reaping belongs to the supervisor, which passes its
// reap function to the methods that need zombies collected.
type Reaper struct {
	opts Options
	boot string
	self int
	wake chan struct{}

	mu      sync.Mutex
	sess    registry.Session
	tracked map[int]registry.Process
	// fresh holds processes that may not have run their exec yet, with the
	// time until which their command is read again on every scan.
	fresh   map[int]time.Time
	handle  *registry.Handle
	dirty   bool
	closed  bool   // unregistered: nothing is written any more
	stamp   uint64 // proc.LastPID at the last walk
	stamped bool
	ticked  bool   // the first interval has passed
	gen     uint64 // counts changes of the tracked set
	// rootStart is the root's start time, when the root is the command.
	rootStart uint64
	// foreign remembers runp's children that are not the session's
	// (no cookie), by PID and start time, so that each is read once.
	foreign map[int]uint64
	// adopted remembers runp's children that belong to the session although
	// it did not start them (orphans).
	adopted map[int]uint64
	blind   bool // /proc shows another PID namespace: no tree to walk
}

// Killed is a process the clean-up had to signal.
type Killed struct {
	PID     int
	Command string
	Signal  syscall.Signal
	// SignalName is Signal's name, as in "SIGTERM".
	SignalName string
}

// New returns a Reaper for opts. It does not touch the state dir: the
// session is written by the first Scan that finds something to record, off
// the command's start path.
func New(opts Options) *Reaper {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Warn == nil {
		opts.Warn = func(error) {}
	}
	r := &Reaper{
		opts:    opts,
		self:    os.Getpid(),
		wake:    make(chan struct{}, 1),
		sess:    opts.Session,
		tracked: map[int]registry.Process{},
		fresh:   map[int]time.Time{},
		foreign: map[int]uint64{},
		adopted: map[int]uint64{},
	}
	r.boot, _ = proc.BootID() // "" if unknown: identities then still compare start times
	addSession(r.sess.ID)
	r.sess.Version = registry.FormatVersion
	r.sess.PID = r.self
	r.sess.BootID = r.boot
	if me, err := proc.Read(r.self); err == nil {
		r.sess.Start = me.Start
	}
	if !proc.SameNamespace() {
		// A PID namespace without its own /proc mount (unshare --pid
		// without --mount-proc): every PID read there names a process of
		// the parent namespace. Walking it could signal strangers.
		r.blind = true
		opts.Warn(ErrForeignProc)
	}
	return r
}

// ID is the session id, also the value of the RUNP_SESSION cookie.
func (r *Reaper) ID() string { return r.sess.ID }

// Track records pid, with the given parent and role, at once.
func (r *Reaper) Track(pid, ppid int, role string) {
	id, err := proc.Read(pid)
	if err != nil {
		return
	}
	r.TrackID(id, ppid, role)
}

// TrackID records the process id, read by the caller at a moment when it
// could not have been reused: for runp's own child, right after the start
// and before any wait4. A pidfd is opened on it now and kept, if it still is
// id (exactly so when id.Ino is known).
func (r *Reaper) TrackID(id proc.Identity, ppid int, role string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := proc.Look(id.PID)
	if err != nil {
		return
	}
	if !s.ID.Same(id) {
		s.Close()
		return
	}
	if id.PID == r.opts.Root {
		r.rootStart = id.Start
	}
	s.Hold()
	r.add(s.ID, ppid, role)
}

// tree is one snapshot of the session's tree; the caller holds mu.
//
// When the root is the command (no subreaper), its PID is freed once the
// command is reaped and may be reused at any time: the walk starts only
// from the root that was recorded, by identity. When the root is this
// process, a child of it that the session did not start is either an orphan
// re-parented to it or a child the process started itself:
//
//   - Contained (a child subreaper, as runp's CLI is): the process starts no
//     child but its commands, so every other child is an orphan of one of
//     their trees, cookie or not (env -i, env -u RUNP_SESSION, the command of
//     a nested runp killed before it could clean up). It belongs to this
//     session unless it carries the cookie of another session that this
//     process runs at the same time.
//   - Otherwise (the library rooted at itself without a subreaper): a program
//     embedding the supervisor may have children of its own, so a child
//     counts only if it carries this session's cookie.
func (r *Reaper) tree() []proc.Proc {
	if r.blind {
		return nil
	}
	if r.opts.Root != r.self {
		if !r.rootIsRecorded() {
			return nil
		}
		// ErrGone when the root has exited, ErrReused when its PID has
		// gone to another process since.
		procs, _ := proc.TreeOf(proc.Identity{PID: r.opts.Root, Start: r.rootStart})
		return procs
	}
	var known []int
	for pid, p := range r.tracked {
		if p.PPID == r.self {
			known = append(known, pid)
		}
	}
	procs, _ := proc.OwnTree(known)
	ours := make(map[int]bool, len(procs))
	out := procs[:0]
	for _, p := range procs { // breadth-first: parents come first
		switch {
		case p.PPID != r.self:
			if !ours[p.PPID] {
				continue
			}
		case r.tracked[p.PID].Start == p.Start, r.adopted[p.PID] == p.Start:
		case r.foreign[p.PID] == p.Start:
			continue
		case r.opts.Contained:
			if !r.orphanIsMine(p) {
				r.foreign[p.PID] = p.Start
				continue
			}
			r.adopted[p.PID] = p.Start
		default:
			// Remember the answer only when it is sure: an exiting
			// process has no environment left to read, and must not be
			// taken for a stranger while it still dies.
			has, sure := proc.HasEnv(p.PID, p.Start, SessionKey+"="+r.sess.ID)
			switch {
			case has:
				r.adopted[p.PID] = p.Start
			case sure:
				r.foreign[p.PID] = p.Start
				continue
			default:
				continue
			}
		}
		ours[p.PID] = true
		out = append(out, p)
	}
	return out
}

// rootIsRecorded reports whether the root was recorded and, when its pidfd
// is held, has not been reaped; the walk (proc.TreeOf) checks its start
// time. The caller holds mu.
func (r *Reaper) rootIsRecorded() bool {
	if r.rootStart == 0 {
		return false
	}
	if rec, ok := r.tracked[r.opts.Root]; ok && rec.Start == r.rootStart {
		if alive, held := proc.Held(r.idOf(rec)); held {
			return alive
		}
	}
	return true
}

// add records id; the caller holds mu and has given id's pidfd, if any, to hold.
func (r *Reaper) add(id proc.Identity, ppid int, role string) {
	if old, ok := r.tracked[id.PID]; ok {
		proc.Release(r.idOf(old))
	}
	r.tracked[id.PID] = registry.Process{
		PID: id.PID, PPID: ppid, Start: id.Start, Ino: id.Ino, Command: proc.Cmdline(id.PID),
		Role: role, FirstSeen: time.Now().UTC().Truncate(time.Millisecond),
	}
	r.fresh[id.PID] = time.Now().Add(execGrace)
	r.dirty = true
	r.gen++
	r.opts.Logger.Debug("tracked", "pid", id.PID, "ppid", ppid, "role", role, "command", r.tracked[id.PID].Command)
}

// Wake asks Run for a scan now; it never blocks (SIGCHLD calls it).
func (r *Reaper) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run scans on every Wake and every interval until ctx is done.
//
// The interval grows fourfold after every tick that found nothing new, up
// to maxBackoff times itself (ticks at 1, 5, 21, 53, 85... intervals), and
// comes back on a Wake (SIGCHLD) or a change: waking a process costs CPU
// even when it does nothing, and an idle tree should cost next to none. A
// tick also skips the walk when no process was created anywhere since the
// last scan (see proc.LastPID), and on Linux it wakes only the netpoller (see
// newTick).
func (r *Reaper) Run(ctx context.Context, interval time.Duration) {
	// No scan right away: a command that ends at once needs none, and the
	// clean-up would have to wait for it. The first tick comes one interval
	// after the start whatever wakes the reaper meanwhile: it records the
	// session and runs FirstTick.
	t := newTick(interval)
	defer t.Stop()
	next := interval
	ticked := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			if !ticked {
				ticked = true
				r.mu.Lock()
				r.ticked = true // the session is worth recording now
				r.dirty = r.dirty || r.handle == nil
				r.mu.Unlock()
				if r.opts.FirstTick != nil {
					go r.opts.FirstTick()
				}
			}
			if r.scan(false) {
				next = interval
			} else {
				next = min(next*backoff, maxBackoff*interval)
			}
			t.Reset(next)
		case <-r.wake:
			r.Scan()
			next = interval
			if ticked {
				t.Reset(next)
			}
		}
	}
}

// backoff is how much the interval grows after an idle tick; maxBackoff
// bounds it to this many reap intervals.
const (
	backoff    = 4
	maxBackoff = 32
)

// execGrace is how long the command of a new process is read again while it
// still shows its parent's: long enough for an exec that a loaded machine
// delays, short enough that a fork which never execs stops costing reads.
const execGrace = 2 * time.Second

// Scan is one tick: one snapshot of the tree, new descendants recorded,
// every recorded process that left the snapshot classified, and the session
// written when the tracked set changed.
func (r *Reaper) Scan() { r.scan(true) }

// scan is Scan; it reports whether the tracked set changed.
func (r *Reaper) scan(force bool) (changed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	gen := r.gen
	defer func() { changed = r.gen != gen }()
	// No new process since the last walk means no new descendant; deaths
	// deeper in the tree can wait for the next walk (they change nothing
	// that a clean-up would do), and runp's own children wake it anyway.
	stamp, ok := proc.LastPID()
	if ok && !force && len(r.fresh) == 0 && r.stamped && stamp == r.stamp {
		return false
	}
	r.stamp, r.stamped = stamp, ok
	r.rereadCommands()
	if r.blind || r.closed {
		return false
	}
	procs := r.tree()
	seen := make(map[int]bool, len(procs))
	for _, p := range procs {
		seen[p.PID] = true
		if _, ok := r.bind(p); !ok {
			r.stamped = false // it changed under the walk: walk again next tick
		}
	}
	for pid, rec := range r.tracked {
		if seen[pid] {
			continue
		}
		switch st := r.classify(rec); st {
		case stateDead, stateReused:
			r.drop(pid)
			r.dirty = true
			r.gen++
			r.opts.Logger.Debug("classified", "pid", pid, "state", st.String())
		}
	}
	r.persist()
	return false // the deferred func says whether anything changed
}

// rereadCommands reads again the command of every process recorded in the
// last execGrace: a process seen between fork and exec shows its parent's
// command until the exec, which a loaded machine can delay for a while. The
// caller holds mu.
func (r *Reaper) rereadCommands() {
	now := time.Now()
	for pid, until := range r.fresh {
		rec, ok := r.tracked[pid]
		if !ok {
			delete(r.fresh, pid)
			continue
		}
		if cmd := proc.Cmdline(pid); cmd != "" && cmd != rec.Command {
			rec.Command = cmd
			r.tracked[pid] = rec
			r.dirty = true
			// Inside the exec the new image's arguments may not be there
			// yet: the kernel's name, "[sleep]", stands in for them until
			// they are.
			if !strings.HasPrefix(cmd, "[") {
				delete(r.fresh, pid)
			}
		} else if now.After(until) {
			delete(r.fresh, pid) // a fork that runs on without an exec
		}
	}
}

// classify observes rec's PID now, outside the snapshot.
func (r *Reaper) classify(rec registry.Process) state {
	return classifyRecord(rec, observe(rec))
}

// persist writes the session if it changed; the caller holds mu. A failure
// (a full disk, a read-only or failing one, a state dir that cannot be
// opened) is reported and leaves the session dirty: every later scan that
// walks the tree, and so every change, tries again, so that what starts once
// space is freed is on disk if runp is then killed.
func (r *Reaper) persist() {
	if !r.dirty || r.closed {
		return
	}
	if r.opts.Store == nil {
		if r.opts.OpenStore == nil || !(r.ticked || r.hasDescendant()) {
			return
		}
		store, err := r.opts.OpenStore()
		if err != nil {
			r.opts.Warn(err)
			return
		}
		r.opts.Store = store
	}
	r.sess.Processes = r.sess.Processes[:0]
	for _, p := range r.tracked {
		r.sess.Processes = append(r.sess.Processes, p)
	}
	sort.Slice(r.sess.Processes, func(i, j int) bool { return r.sess.Processes[i].PID < r.sess.Processes[j].PID })
	var err error
	if r.handle == nil {
		r.handle, err = r.opts.Store.Create(&r.sess)
	} else {
		err = r.handle.Write(&r.sess)
	}
	if err != nil {
		r.opts.Warn(err)
		return
	}
	r.dirty = false
}

// MarkLeft records in the store that the session's processes are left
// running on purpose, so that recovery does not take them, cookie carriers
// of a session with no file, for the leftovers of a killed runp. It opens
// the store if the session never needed it; a session kept in memory only
// has nothing to mark.
func (r *Reaper) MarkLeft() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.opts.Store == nil {
		if r.opts.OpenStore == nil {
			return nil
		}
		store, err := r.opts.OpenStore()
		if err != nil {
			return err
		}
		r.opts.Store = store
	}
	return r.opts.Store.MarkLeft(r.sess.ID)
}

// Close unregisters the session: its file and lock are removed. Processes
// still running are left alone (left running on purpose, or after Shutdown).
func (r *Reaper) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		dropSession(r.sess.ID)
	}
	r.closed = true
	for pid := range r.tracked {
		r.drop(pid) // the pidfds: the records live on in memory no longer
	}
	if r.handle == nil {
		return nil
	}
	err := r.handle.Remove()
	r.handle = nil
	return err
}

// hasDescendant reports whether the session tracks more than the command;
// the caller holds mu.
func (r *Reaper) hasDescendant() bool {
	for _, p := range r.tracked {
		if p.Role != registry.RoleChild && p.Role != registry.RoleMonitor {
			return true
		}
	}
	return false
}
