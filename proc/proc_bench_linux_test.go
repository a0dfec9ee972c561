//go:build linux

package proc

import (
	"os"
	"os/exec"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"runp/internal/testenv"
)

// sleepTree starts sh with n background sleeps (single-threaded processes,
// the common case in a test suite's tree) and returns sh's pid once Tree
// sees them.
func sleepTree(tb testing.TB, n int) int {
	tb.Helper()
	sh := exec.Command("/bin/sh", "-c",
		`i=0; while [ $i -lt `+strconv.Itoa(n)+` ]; do sleep 600 & i=$((i+1)); done; echo ready; wait`)
	ch := testenv.StartChild(tb, sh)
	// Registered before anything can fail: the sleeps found now are killed
	// through their identities, then sh, blocked in wait, reaps them and
	// exits by itself. Killing sh first would orphan them.
	tb.Cleanup(func() {
		kids, err := Tree(sh.Process.Pid)
		if err != nil {
			tb.Errorf("Tree(sh) in cleanup: %v", err)
		}
		ids := make([]Identity, 0, len(kids))
		for _, k := range kids {
			ids = append(ids, Identity{PID: k.PID, Start: k.Start, Boot: mustBoot(tb)})
		}
		killIDs(tb, ids)
		ch.Wait(tb)
	})
	if l := ch.Line(tb); l != "ready" {
		tb.Fatalf("sh said %q", l)
	}
	kids, err := Tree(sh.Process.Pid)
	if err != nil || len(kids) != n {
		tb.Fatalf("Tree(sh) = %d procs, %v; want %d", len(kids), err, n)
	}
	return sh.Process.Pid
}

func mustBoot(tb testing.TB) string {
	boot, err := BootID()
	if err != nil {
		tb.Fatal(err)
	}
	return boot
}

func BenchmarkTree10Sleep(b *testing.B)  { runTree(b, sleepTree(b, 10), 10) }
func BenchmarkTree100Sleep(b *testing.B) { runTree(b, sleepTree(b, 100), 100) }

func fallback(b *testing.B) {
	forceFallback = true
	b.Cleanup(func() { forceFallback = false })
}

func BenchmarkTree10Fallback(b *testing.B) {
	root := benchTree(b, 10)
	fallback(b)
	runTree(b, root, 10)
}

// heavy starts 2000 sleeps outside the measured tree, when RUNP_BENCH_HEAVY=1.
func heavy(b *testing.B) {
	if os.Getenv("RUNP_BENCH_HEAVY") != "1" {
		b.Skip("set RUNP_BENCH_HEAVY=1 to start 2000 unrelated processes")
	}
	sleepTree(b, 2000)
}

// BenchmarkTree10WithUnrelated2000 shows that Tree does not pay for
// processes outside the tree: compare with BenchmarkTree10.
func BenchmarkTree10WithUnrelated2000(b *testing.B) {
	heavy(b)
	runTree(b, benchTree(b, 10), 10)
}

// BenchmarkTree10FallbackWithUnrelated2000 is what a kernel without
// children files costs on the same machine.
func BenchmarkTree10FallbackWithUnrelated2000(b *testing.B) {
	heavy(b)
	root := benchTree(b, 10)
	fallback(b)
	runTree(b, root, 10)
}

// The two ways to read /proc/<pid>/stat: a pooled buffer with raw syscalls
// (what the package does) against os.ReadFile.
func BenchmarkReadStatPooled(b *testing.B) {
	path := procPath(os.Getpid(), "stat")
	b.ReportAllocs()
	for b.Loop() {
		pb := getBuf()
		buf, err := readProcAt(unix.AT_FDCWD, path, pb, true)
		if err == nil {
			_, err = parseStat(buf)
		}
		putBuf(pb)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadStatOSReadFile(b *testing.B) {
	path := procPath(os.Getpid(), "stat")
	b.ReportAllocs()
	for b.Loop() {
		buf, err := os.ReadFile(path)
		if err == nil {
			_, err = parseStat(buf)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// The price of reading the task directory for a process with one thread,
// which childrenOf skips: the shortcut against the full path.
func BenchmarkChildrenOfOneThread(b *testing.B) {
	benchChildrenOf(b, 1)
}

func BenchmarkChildrenOfListTasks(b *testing.B) {
	benchChildrenOf(b, 2)
}

func benchChildrenOf(b *testing.B, threads int) {
	sh := sleepTree(b, 10)
	st := statInfo{state: 'S', threads: threads}
	pb := getBuf()
	defer putBuf(pb)
	var kids []int
	b.ReportAllocs()
	for b.Loop() {
		if kids = childrenOf(sh, st, pb, kids[:0]); len(kids) != 10 {
			b.Fatalf("%d children", len(kids))
		}
	}
}
