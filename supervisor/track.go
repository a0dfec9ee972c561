package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"runp/proc"
	"runp/reaper"
	"runp/registry"
)

// tracking is the supervisor's side of the reaper: the session's record, the
// reaper goroutine, crash recovery of dead sessions, and the clean-up at exit.
// Everything that touches the state dir happens off the command's start path.
type tracking struct {
	cfg    *Config
	r      *reaper.Reaper
	cancel context.CancelFunc
	done   chan struct{}
	// tracked is closed once the command itself is recorded. The walk of
	// runp's tree cannot be relied on to find it before: it reads the
	// children of runp's main thread, and the command is a child of the
	// thread that forked it.
	tracked chan struct{}
	// recovery is the background recovery of dead sessions: cleanUp waits
	// for one under way, so that runp does not exit (or die of its command's
	// signal) between claiming a dead session and removing it. closing
	// stops one from starting once the clean-up has begun.
	recovery sync.WaitGroup
	recMu    sync.Mutex
	closing  bool
}

// warnings are said once per Run, not once per attempt.
type warnings struct {
	stateDir, foreignProc, output sync.Once
}

// startTracking begins tracking the command's tree. root is the process
// whose descendants belong to the session (runp itself as subreaper, else
// runp's child), child runp's child: the command, or with monitored the
// job-control monitor that started it, job (nil if it could not be read).
func startTracking(c *Config, id string, root, child int, monitored bool, job *proc.Identity) *tracking {
	t := &tracking{cfg: c, done: make(chan struct{}), tracked: make(chan struct{})}
	cwd, _ := os.Getwd() // "" if unknown: the record is informative only
	if c.Dir != "" {
		cwd = c.Dir
	}
	store := &lazyStore{dir: c.StateDir}
	opts := reaper.Options{
		Root:      root,
		Contained: root == os.Getpid(),
		Session:   registry.Session{ID: id, Argv: c.Argv, Cwd: cwd, Started: time.Now().UTC().Truncate(time.Millisecond)},
		OpenStore: store.open,
		Logger:    c.Logger,
		Warn:      t.warn,
	}
	if c.RecoverDead {
		// Sessions of runps that died are cleaned once this one has run
		// for a while: a short command never waits for it, and if this
		// runp ends first, the next one does it.
		opts.FirstTick = func() { t.recoverInBackground(store) }
	}
	t.r = reaper.New(opts)
	// Read now: the run loop has not called wait4 yet, so the PID cannot
	// have been freed and reused.
	childID, idErr := proc.Read(child)
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	go func() {
		defer close(t.done)
		switch {
		case idErr != nil:
		case !monitored:
			t.r.TrackID(childID, os.Getpid(), registry.RoleChild)
		default:
			t.r.TrackID(childID, os.Getpid(), registry.RoleMonitor)
			if job != nil {
				t.r.TrackID(*job, child, registry.RoleChild)
			}
		}
		close(t.tracked)
		t.r.Run(ctx, c.ReapInterval)
	}()
	return t
}

// lazyStore opens the registry once it opens: a failure (the disk is full,
// the directory not made yet) is tried again at the next write.
type lazyStore struct {
	dir   string
	mu    sync.Mutex
	store *registry.Store
}

func (l *lazyStore) open() (*registry.Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.store != nil {
		return l.store, nil
	}
	st, err := registry.Open(l.dir)
	if err == nil {
		l.store = st
	}
	return st, err
}

// recoverInBackground runs recoverDead unless the clean-up has begun; the
// clean-up waits for a recovery under way (see tracking.recovery).
func (t *tracking) recoverInBackground(store *lazyStore) {
	t.recMu.Lock()
	if t.closing {
		t.recMu.Unlock()
		return // the next runp will do it
	}
	t.recovery.Add(1)
	t.recMu.Unlock()
	defer t.recovery.Done()
	if st, err := store.open(); err == nil {
		t.recoverDead(st)
	}
}

// warn says once that the state dir cannot be used (the command must never
// fail because of runp's bookkeeping; the reaper tries again at every
// change), or that /proc cannot be trusted.
func (t *tracking) warn(err error) {
	if errors.Is(err, reaper.ErrForeignProc) {
		t.cfg.warned.foreignProc.Do(func() { fmt.Fprintf(t.cfg.Stderr, "runp: %v\n", err) })
		return
	}
	t.cfg.warned.stateDir.Do(func() {
		fmt.Fprintf(t.cfg.Stderr, "runp: state dir unusable, tracking in memory until it can be written: %v\n", err)
	})
}

// recoverDead cleans the sessions of runps that died without cleaning up.
// It runs in the background: the command does not wait for it, and if this
// runp ends first, the lock it held is released and the next runp resumes.
func (t *tracking) recoverDead(store *registry.Store) {
	reports, errs := reaper.Recover(store, reaper.RecoverOptions{
		Stop: t.cfg.StopSignal, Grace: t.cfg.Grace, Logger: t.cfg.Logger,
	})
	for _, rep := range reports {
		t.cfg.Logger.Debug("recovered session", "session", rep.Session, "runp", rep.RunpPID, "processes", len(rep.Processes))
	}
	for _, err := range errs {
		fmt.Fprintf(t.cfg.Stderr, "runp: %v\n", err)
	}
}

// stop shuts the whole tree down while the command still runs (a limit
// fired), once the command is recorded: a limit that fires at once
// (--timeout 1ns) must not find the tree empty and let the command run.
func (t *tracking) stop(skipGrace <-chan struct{}, reap func()) []reaper.Killed {
	<-t.tracked
	return t.r.Shutdown(t.cfg.StopSignal, t.cfg.Grace, skipGrace, reap)
}

// wake asks the reaper for a scan (on SIGCHLD).
func (t *tracking) wake() { t.r.Wake() }

// cleanUp runs once the command has exited: it stops the reaper goroutine,
// then kills, waits for or leaves the remaining descendants as --on-exit
// says, and unregisters the session. first is closed by the first
// terminating signal runp gets meanwhile, second by the second: in wait mode
// the first turns waiting into killing, in kill mode either skips the grace.
func (t *tracking) cleanUp(first, second <-chan struct{}, reap func(), childless func() bool) []reaper.Killed {
	t.cancel()
	<-t.done
	c := t.cfg
	var killed []reaper.Killed
	switch {
	case c.OnExit == OnExitLeave:
		if !childless() {
			if err := t.r.MarkLeft(); err != nil {
				fmt.Fprintf(c.Stderr, "runp: cannot mark the processes left running, so runp reap may stop them: %v\n", err)
			}
		}
	case childless():
		// A subreaper with no child left has no descendant left: every
		// orphan of the tree would have come back to it.
	case c.OnExit == OnExitKill:
		killed = t.r.Shutdown(c.StopSignal, c.Grace, first, reap)
	case c.OnExit == OnExitWait:
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-first:
				cancel()
			case <-ctx.Done():
			}
		}()
		empty := t.r.WaitEmpty(ctx, c.ReapInterval, reap)
		cancel()
		if !empty {
			killed = t.r.Shutdown(c.StopSignal, c.Grace, second, reap)
		}
	}
	if err := t.r.Close(); err != nil {
		c.Logger.Debug("unregister failed", "err", err)
	}
	// A recovery under way ends within its grace and kill bounds.
	t.recMu.Lock()
	t.closing = true
	t.recMu.Unlock()
	t.recovery.Wait()
	return killed
}
