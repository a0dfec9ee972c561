//go:build linux

package reaper

import (
	"os"
	"testing"

	"runp/registry"
)

// benchScan times one reaper tick in the steady state: a Reaper whose Root
// is the command, sh with n sleeping children (the walk of a runp without
// subreaper), every process already tracked, no store (the registry write
// has its own benchmark, registry.BenchmarkWrite). Scan forces the walk,
// which an idle tick may skip. A tick must cost O(tree): bench/compare.sh
// runs BenchmarkScan10 with and without 2000 unrelated processes on the
// machine and compares.
func benchScan(b *testing.B, n int) {
	root := sleepTree(b, n)
	r := New(Options{Root: root, Session: registry.Session{ID: "bench-scan"}})
	r.Track(root, os.Getpid(), registry.RoleChild) // the walk starts only from a recorded root
	r.Scan()                                       // the first tick records the tree and reads the command lines
	r.Scan()
	if got := len(r.tracked); got != n+1 {
		b.Fatalf("tracking %d processes, want %d", got, n+1)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Scan()
	}
	if got := len(r.tracked); got != n+1 {
		b.Fatalf("tracking %d processes after the loop, want %d", got, n+1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/proc")
}

func BenchmarkScan10(b *testing.B)   { benchScan(b, 10) }
func BenchmarkScan100(b *testing.B)  { benchScan(b, 100) }
func BenchmarkScan1000(b *testing.B) { benchScan(b, 1000) }
