package supervisor

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"runp/reaper"
)

// Limit names a limit that ended an attempt early (Attempt.Limit).
type Limit string

// The values of Limit.
const (
	LimitTimeout   Limit = "timeout"      // Config.Timeout: wall-clock time of the attempt
	LimitIdle      Limit = "idle-timeout" // Config.IdleTimeout: no output for that long
	LimitCancelled Limit = "cancelled"    // the context passed to Run was cancelled
)

// outcome is how one attempt ended.
type outcome struct {
	ws          syscall.WaitStatus
	killed      []reaper.Killed
	limit       Limit
	interrupted syscall.Signal // a terminating signal runp received, or 0
	keyboard    bool           // see Result.Keyboard
}

// limit is a limit that fired, and what runp says about it.
type limit struct {
	name Limit
	why  string
}

// limits watches --timeout, --idle-timeout and the context in a goroutine
// of its own and reports on fired the first limit that fires. The idle
// timer is not a ticker: it fires when the output could first have been
// quiet for IdleTimeout, and is set again from the last output.
type limits struct {
	fired chan limit
	done  chan struct{}
}

func watchLimits(ctx context.Context, c *Config, act *activity) *limits {
	l := &limits{fired: make(chan limit, 1), done: make(chan struct{})}
	var timeout, idle <-chan time.Time // nil: never fires
	var tt, it *time.Timer
	if c.Timeout > 0 {
		tt = time.NewTimer(c.Timeout)
		timeout = tt.C
	}
	if c.IdleTimeout > 0 {
		it = time.NewTimer(c.IdleTimeout)
		idle = it.C
	}
	go func() {
		defer func() {
			for _, t := range []*time.Timer{tt, it} {
				if t != nil {
					t.Stop()
				}
			}
		}()
		for {
			select {
			case <-l.done:
				return
			case <-timeout:
				l.fired <- limit{LimitTimeout, fmt.Sprintf("timed out after %v", c.Timeout)}
				return
			case <-idle:
				if quiet := time.Since(act.since()); quiet < c.IdleTimeout {
					it.Reset(c.IdleTimeout - quiet)
					continue
				}
				l.fired <- limit{LimitIdle, fmt.Sprintf("no output for %v (idle timeout)", c.IdleTimeout)}
				return
			case <-ctx.Done():
				l.fired <- limit{LimitCancelled, ""}
				return
			}
		}
	}()
	return l
}

// stop ends the watch.
func (l *limits) stop() { close(l.done) }
