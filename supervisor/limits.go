package supervisor

import (
	"syscall"
	"time"

	"runp/reaper"
)

// The limits that end an attempt early (Attempt.Limit).
const (
	LimitTimeout   = "timeout"      // --timeout: wall-clock time of the attempt
	LimitIdle      = "idle-timeout" // --idle-timeout: no output for that long
	LimitCancelled = "cancelled"    // the context passed to Run was cancelled
)

// outcome is how one attempt ended.
type outcome struct {
	ws          syscall.WaitStatus
	killed      []reaper.Killed
	limit       string
	interrupted syscall.Signal // a terminating signal runp received, or 0
}

// limits turns --timeout and --idle-timeout into channels for the run loop.
// The idle timer is not a ticker: it fires when the output could first have
// been quiet for IdleTimeout, and is set again from the last output.
type limits struct {
	timeout, idle <-chan time.Time
	tt, it        *time.Timer
	act           *activity
	idleFor       time.Duration
}

func newLimits(c *Config, act *activity) *limits {
	l := &limits{act: act, idleFor: c.IdleTimeout}
	if c.Timeout > 0 {
		l.tt = time.NewTimer(c.Timeout)
		l.timeout = l.tt.C
	}
	if c.IdleTimeout > 0 {
		l.it = time.NewTimer(c.IdleTimeout)
		l.idle = l.it.C
	}
	return l
}

// idleFired reports whether the output has really been quiet for the idle
// limit; if not, it sets the timer again from the last output.
func (l *limits) idleFired() bool {
	quiet := time.Since(l.act.since())
	if quiet >= l.idleFor {
		l.idle = nil
		return true
	}
	l.it.Reset(l.idleFor - quiet)
	return false
}

func (l *limits) stop() {
	if l.tt != nil {
		l.tt.Stop()
	}
	if l.it != nil {
		l.it.Stop()
	}
}
