//go:build unix

package supervisor

import "testing"

// BenchmarkSubscribeReady is the time from subscribe to ready: what the
// start of the command may wait for when the CLI's flag parsing (during
// which Prepare subscribes) is shorter. Each iteration unsubscribes again,
// off the clock, so that every signal.Notify does its round trip to the
// runtime's signal thread as in a fresh process.
func BenchmarkSubscribeReady(b *testing.B) {
	for b.Loop() {
		sub := subscribe()
		<-sub.Ready
		b.StopTimer()
		sub.unsubscribe()
		b.StartTimer()
	}
}

// BenchmarkSubscribeAll is the time until every signal is subscribed.
func BenchmarkSubscribeAll(b *testing.B) {
	for b.Loop() {
		sub := subscribe()
		<-sub.All
		b.StopTimer()
		sub.unsubscribe()
		b.StartTimer()
	}
}
