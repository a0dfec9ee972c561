//go:build !linux

package reaper

import "time"

func newTick(d time.Duration) tick { return newTimerTick(d) }
