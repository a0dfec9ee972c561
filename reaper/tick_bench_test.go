//go:build linux

package reaper

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"runp/internal/testenv"
	"runp/proc"
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

// sleepTree starts sh with n background sleeps and returns sh's pid once
// proc.Tree sees them. The cleanup kills the sleeps through their
// identities; sh, blocked in wait, then reaps them and exits by itself.
func sleepTree(tb testing.TB, n int) int {
	tb.Helper()
	sh := exec.Command("/bin/sh", "-c",
		`i=0; while [ $i -lt `+strconv.Itoa(n)+` ]; do sleep 600 & i=$((i+1)); done; echo ready; wait`)
	ch := testenv.StartChild(tb, sh)
	tb.Cleanup(func() {
		kids, _ := proc.Tree(sh.Process.Pid)
		for _, k := range kids {
			if id, err := proc.Read(k.PID); err == nil && id.Start == k.Start {
				_ = proc.Signal(id, syscall.SIGKILL) // best effort: sh waits for the rest
			}
		}
		ch.Wait(tb)
	})
	select {
	case l := <-ch.Lines:
		if l != "ready" {
			tb.Fatalf("sh said %q", l)
		}
	case <-time.After(time.Until(testenv.Deadline(tb))):
		tb.Fatal("sh: no output before the deadline")
	}
	if kids, err := proc.Tree(sh.Process.Pid); err != nil || len(kids) != n {
		tb.Fatalf("Tree(sh) = %d procs, %v; want %d", len(kids), err, n)
	}
	return sh.Process.Pid
}

func BenchmarkScan10(b *testing.B)   { benchScan(b, 10) }
func BenchmarkScan100(b *testing.B)  { benchScan(b, 100) }
func BenchmarkScan1000(b *testing.B) { benchScan(b, 1000) }
