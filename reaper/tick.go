package reaper

import "time"

// tick is the reaper's one-shot timer: C receives when it fires, Reset arms
// it again, Stop ends it.
type tick interface {
	C() <-chan struct{}
	Reset(d time.Duration)
	Stop()
}

// timerTick is a tick on a Go timer.
type timerTick struct {
	t *time.Timer
	c chan struct{}
}

func newTimerTick(d time.Duration) *timerTick {
	tt := &timerTick{c: make(chan struct{}, 1)}
	tt.t = time.AfterFunc(d, func() {
		select {
		case tt.c <- struct{}{}:
		default: // one pending tick is enough
		}
	})
	return tt
}

func (tt *timerTick) C() <-chan struct{}    { return tt.c }
func (tt *timerTick) Reset(d time.Duration) { tt.t.Reset(d) }
func (tt *timerTick) Stop()                 { tt.t.Stop() }
