package proc

import (
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/shirou/gopsutil/v4/process"
)

// benchTree starts a helper with n echo children (Go processes, so several
// threads each: Tree reads every task's children file) and checks Tree sees
// them all before timing starts.
func benchTree(b *testing.B, n int) int {
	b.Helper()
	root, want := startTree(b, n, false, 1)
	pid := root.Cmd.Process.Pid
	got, err := Tree(pid)
	if err != nil || len(got) != len(want) {
		b.Fatalf("Tree(%d) = %d procs, %v; want %d", pid, len(got), err, len(want))
	}
	return pid
}

func runTree(b *testing.B, root, want int) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		got, err := Tree(root)
		if err != nil || len(got) != want {
			b.Fatalf("Tree = %d procs, %v", len(got), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(want), "ns/proc")
	if treeFallback.Load() {
		b.Log("full-scan fallback")
	}
}

func BenchmarkTree10(b *testing.B)  { runTree(b, benchTree(b, 10), 10) }
func BenchmarkTree100(b *testing.B) { runTree(b, benchTree(b, 100), 100) }

// BenchmarkTree10Gopsutil walks the same tree the way gopsutil offers:
// Children() per node, each of which reads every /proc/<pid>/stat.
func BenchmarkTree10Gopsutil(b *testing.B) {
	root := benchTree(b, 10)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		queue := []int32{int32(root)}
		for len(queue) > 0 {
			p := &process.Process{Pid: queue[0]}
			queue = queue[1:]
			kids, _ := p.Children() // ErrorNoChildren for leaves
			for _, k := range kids {
				n++
				_, _ = k.CreateTime() // the Start field Tree returns
				queue = append(queue, k.Pid)
			}
		}
		if n != 10 {
			b.Fatalf("found %d", n)
		}
	}
}

// BenchmarkTree10GopsutilProcesses builds the map from gopsutil's full
// process list, with the PPID of every process on the machine.
func BenchmarkTree10GopsutilProcesses(b *testing.B) {
	root := benchTree(b, 10)
	b.ReportAllocs()
	for b.Loop() {
		ps, err := process.Processes()
		if err != nil {
			b.Fatal(err)
		}
		kids := map[int32][]int32{}
		for _, p := range ps {
			if pp, err := p.Ppid(); err == nil {
				kids[pp] = append(kids[pp], p.Pid)
			}
		}
		n := 0
		queue := []int32{int32(root)}
		for len(queue) > 0 {
			for _, k := range kids[queue[0]] {
				n++
				_, _ = (&process.Process{Pid: k}).CreateTime()
				queue = append(queue, k)
			}
			queue = queue[1:]
		}
		if n != 10 {
			b.Fatalf("found %d", n)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	pid := os.Getpid()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(pid); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadGopsutil is the nearest gopsutil call: a creation time.
func BenchmarkReadGopsutil(b *testing.B) {
	pid := int32(os.Getpid())
	b.ReportAllocs()
	for b.Loop() {
		p, err := process.NewProcess(pid)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.CreateTime(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignal0 is the price of one verified signal: identity check
// plus delivery (pidfd_open, stat, pidfd_send_signal on linux).
func BenchmarkSignal0(b *testing.B) {
	id, err := Read(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Signal(id, syscall.Signal(0)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindByEnv is the O(machine) cookie scan, for scale.
func BenchmarkFindByEnv(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FindByEnv(sessionKey, "bench-"+strconv.Itoa(os.Getpid())); err != nil {
			b.Fatal(err)
		}
	}
}
