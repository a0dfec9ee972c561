package reaper

import (
	"errors"
	"log/slog"
	"slices"
	"syscall"
	"time"

	"runp/proc"
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

// cleanup is the one stop -> grace -> SIGKILL sequence, for the end of a
// session (Reaper.Shutdown) and for the session of a runp that died
// (recovery). Every round it reaps, asks live for the processes to stop,
// and sends each the signal of the phase once: the stop signal (then
// SIGCONT, so that a stopped process can act on it), and SIGKILL to what is
// left after the grace. Every signal goes through proc.Signal, which
// verifies the identity first. It ends once no process is left, or killWait
// after the SIGKILL.
type cleanup struct {
	stop  syscall.Signal
	grace time.Duration
	// live returns the processes of the session that run now.
	live func() []target
	// more looks for processes that live cannot see (cookie carriers that
	// left the tree) and reports whether it found any; live returns them
	// from then on.
	more func() bool
	// policy says how this clean-up differs from the other.
	policy cleanupPolicy
	// endGrace, once closed, ends the grace at once; nil never does.
	endGrace <-chan struct{}
	// wake ends a wait between rounds early (a child changed state); may be nil.
	wake <-chan struct{}
	// reap collects this process's zombies; may be nil.
	reap func()
	// gone is told of a process found gone, or its PID reused, by its
	// signal; may be nil.
	gone func(proc.Identity)
	// signalled is told of every signal sent.
	signalled func(t target, sig syscall.Signal)
	log       *slog.Logger

	// The state of a run.
	sent    map[proc.Identity]syscall.Signal // the last signal each process had
	dropped map[proc.Identity]bool           // signals refused, or failed for good: waiting would not help
	spared  map[proc.Identity]bool           // live runps: SIGKILL refused, they stop on their own
}

// cleanupPolicy is what sets the clean-up of a live session apart from the
// recovery of a dead one.
type cleanupPolicy struct {
	// lookEachPhase: more is asked at the end of the grace and after the
	// SIGKILL, and what it finds at the end of the grace gets SIGKILL
	// directly (recovery, where the processes of a dead session have had
	// all the time in the world). Otherwise it is asked once, when no
	// process is left, and what it finds gets the signal of the phase (the
	// session's own clean-up).
	lookEachPhase bool
	// retry: a signal that failed for another reason than a refusal (EPERM,
	// protection) is sent again next round, and a live runp refused SIGKILL
	// gets the stop signal instead, which makes it clean up its own tree
	// (the session's own clean-up). Otherwise every failed signal is final
	// for its process (recovery).
	retry bool
}

// The policies of the two clean-ups.
var (
	sessionCleanup  = cleanupPolicy{retry: true}
	recoveryCleanup = cleanupPolicy{lookEachPhase: true}
)

// run runs the clean-up.
func (c *cleanup) run() {
	c.sent = map[proc.Identity]syscall.Signal{}
	c.dropped = map[proc.Identity]bool{}
	c.spared = map[proc.Identity]bool{}
	sig, deadline := c.stop, time.Now().Add(c.grace)
	looked := false
	for {
		if c.reap != nil {
			c.reap()
		}
		live := slices.DeleteFunc(c.live(), func(t target) bool { return c.dropped[t.id] })
		if len(live) == 0 && !c.policy.lookEachPhase {
			if looked {
				return
			}
			looked = true // one more look for escapees: a process that left the tree while its parent was dying
			if c.more() {
				continue
			}
			return
		}
		c.signal(live, sig)
		now := time.Now()
		select {
		case <-c.endGrace:
			c.endGrace = nil // once: a nil channel never fires again
			if sig != syscall.SIGKILL {
				deadline = now
			}
		default:
		}
		switch {
		case sig != syscall.SIGKILL && (!now.Before(deadline) || len(live) == 0):
			if !c.graceOver(len(live)) {
				return
			}
			sig, deadline = syscall.SIGKILL, now.Add(killWait)
			continue
		case sig == syscall.SIGKILL && (now.After(deadline) || len(live) == 0):
			c.killOver(len(live))
			return
		}
		select {
		case <-c.wake:
		case <-c.endGrace:
		case <-time.After(pollEvery):
		}
	}
}

// graceOver ends the grace, with left processes still running; it reports
// whether there is anything for SIGKILL to do.
func (c *cleanup) graceOver(left int) bool {
	found := c.policy.lookEachPhase && c.more()
	return left > 0 || found
}

// killOver ends the clean-up, with left processes still running.
func (c *cleanup) killOver(left int) {
	if c.policy.lookEachPhase {
		c.more() // for the report only: what it finds now is past saving
	}
	if left > 0 {
		c.log.Warn("processes survived SIGKILL", "count", left)
	}
}

// signal sends sig to every process of live that has not had it yet.
func (c *cleanup) signal(live []target, sig syscall.Signal) {
	for _, t := range live {
		if c.sent[t.id] == sig || sig == syscall.SIGKILL && c.spared[t.id] {
			continue
		}
		if err := proc.Signal(t.id, sig); err != nil {
			c.failed(t, sig, err)
			continue
		}
		if sig != syscall.SIGKILL {
			proc.Continue(t.id)
		}
		c.sent[t.id] = sig
		c.signalled(t, sig)
	}
}

// failed handles a signal to t that failed with err.
func (c *cleanup) failed(t target, sig syscall.Signal, err error) {
	gone := errors.Is(err, proc.ErrReused) || errors.Is(err, proc.ErrGone)
	if gone && c.gone != nil {
		c.gone(t.id)
	}
	if !c.policy.retry {
		c.dropped[t.id] = true
		switch {
		case errors.Is(err, proc.ErrProtected):
			c.log.Warn("not signalled", "pid", t.id.PID, "err", err)
		case !gone:
			c.log.Debug("signal failed", "pid", t.id.PID, "err", err)
		}
		return
	}
	switch {
	case gone:
	case errors.Is(err, proc.ErrProtected) && sig == syscall.SIGKILL:
		// A live runp: with the stop signal it cleans up its own tree,
		// which SIGKILL would leave behind.
		c.spared[t.id] = true
		if _, ok := c.sent[t.id]; !ok {
			_ = proc.Signal(t.id, c.stop) // best effort: it came after the stop round
		}
		c.log.Debug("not signalled", "pid", t.id.PID, "command", t.command, "err", err)
	case errors.Is(err, proc.ErrProtected):
		c.dropped[t.id] = true
		c.log.Warn("not signalled", "pid", t.id.PID, "command", t.command, "err", err)
	case errors.Is(err, syscall.EPERM):
		// Another user's process (sudo): runp may not stop it.
		c.dropped[t.id] = true
		c.log.Warn("cannot signal", "pid", t.id.PID, "command", t.command, "err", err)
	}
}
