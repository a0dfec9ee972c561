//go:build linux

package reaper

import (
	"testing"

	"runp/registry"
)

// benchScan times one reaper tick in the steady state: a Reaper whose Root
// is sh with n sleeping children, every one already tracked, no store (the
// registry write has its own benchmark, registry.BenchmarkWrite). A tick
// must cost O(tree): bench/compare.sh runs BenchmarkScan10 with and without
// 2000 unrelated processes on the machine and compares.
func benchScan(b *testing.B, n int) {
	root := sleepTree(b, n)
	r := New(Options{Root: root, Session: registry.Session{ID: "bench-scan"}})
	r.Scan() // the first tick records the tree and reads the command lines
	r.Scan()
	if got := len(r.tracked); got != n {
		b.Fatalf("tracking %d processes, want %d", got, n)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Scan()
	}
	if got := len(r.tracked); got != n {
		b.Fatalf("tracking %d processes after the loop, want %d", got, n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/proc")
}

func BenchmarkScan10(b *testing.B)   { benchScan(b, 10) }
func BenchmarkScan100(b *testing.B)  { benchScan(b, 100) }
func BenchmarkScan1000(b *testing.B) { benchScan(b, 1000) }
