package reaper

import (
	"testing"
	"time"
)

// TestTick: a tick fires once per arming, again after Reset, and not
// after Stop; on Linux for the timerfd tick and the Go timer fallback.
func TestTick(t *testing.T) {
	for name, mk := range map[string]func(time.Duration) tick{
		"newTick":      newTick,
		"newTimerTick": func(d time.Duration) tick { return newTimerTick(d) },
	} {
		t.Run(name, func(t *testing.T) {
			tk := mk(10 * time.Millisecond)
			fired := func(within time.Duration) bool {
				select {
				case <-tk.C():
					return true
				case <-time.After(within):
					return false
				}
			}
			if !fired(10 * time.Second) {
				t.Fatal("no tick within 10s of arming")
			}
			if fired(50 * time.Millisecond) {
				t.Fatal("a one-shot tick fired twice")
			}
			tk.Reset(10 * time.Millisecond)
			if !fired(10 * time.Second) {
				t.Fatal("no tick within 10s of Reset")
			}
			tk.Reset(30 * time.Millisecond)
			tk.Stop()
			if fired(100 * time.Millisecond) {
				t.Fatal("a tick after Stop")
			}
		})
	}
}
