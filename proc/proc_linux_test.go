//go:build linux

package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"runp/internal/testenv"
)

// zombie reports whether pid has exited and awaits its reaper.
func zombie(pid int) bool {
	pb := getBuf()
	defer putBuf(pb)
	st, err := readStat(pid, pb)
	return err == nil && st.state == 'Z'
}

func TestParseStat(t *testing.T) {
	// The name may hold ") " and " (": only the last ')' closes it.
	line := "4242 (a) b (c) S 17 4242 4242 0 -1 4194560 105 0 0 0 1 2 0 0 20 0 3 0 123456789 1000 200 " +
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	st, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if want := (statInfo{state: 'S', ppid: 17, threads: 3, start: 123456789}); st != want {
		t.Errorf("parseStat = %+v, want %+v", st, want)
	}
	if c := statComm([]byte(line)); c != "a) b (c" {
		t.Errorf("statComm = %q", c)
	}
	for _, bad := range []string{"", "1 (x", "1 (x) S", "1 (x) S 1 2", "1 (x) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) succeeded", bad)
		}
	}
}

// TestStatOddName runs a helper under the name "a) b (c", which the kernel
// copies into field 2 of stat, and checks every reader copes with it.
func TestStatOddName(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	odd := filepath.Join(t.TempDir(), "a) b (c")
	if err := os.Symlink(exe, odd); err != nil {
		t.Fatal(err)
	}
	c := helperCmd("echo")
	c.Path = odd
	ch := testenv.StartChild(t, c)
	pid := ch.Cmd.Process.Pid
	b, err := os.ReadFile(procPath(pid, "stat"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "(a) b (c)") {
		t.Fatalf("comm not as expected: %s", b)
	}
	st, err := parseStat(b)
	if err != nil {
		t.Fatal(err)
	}
	if st.ppid != os.Getpid() {
		t.Errorf("ppid = %d, want %d", st.ppid, os.Getpid())
	}
	// Field 22 counted right: start time is the same as ps says, and
	// close to ours (the helper is younger).
	me, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.start < me.Start {
		t.Errorf("helper start %d before test start %d", st.start, me.Start)
	}
	if out, err := exec.Command("ps", "-o", "ppid=", "-p", strconv.Itoa(pid)).Output(); err == nil {
		if got := strings.TrimSpace(string(out)); got != strconv.Itoa(os.Getpid()) {
			t.Errorf("ps says ppid %s", got)
		}
	}
	kids, err := Tree(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range kids {
		found = found || k.PID == pid && k.Start == st.start
	}
	if !found {
		t.Errorf("Tree(self) = %+v lacks %d", kids, pid)
	}
}

// TestTreeThreadsSpread makes sure the threaded case of TestTree tests what
// it claims: the helper's children sit under several tasks.
func TestTreeThreadsSpread(t *testing.T) {
	if !childrenFileOK() {
		t.Skip("kernel without /proc/<pid>/task/<tid>/children")
	}
	root, want := startTree(t, 4, true, 1)
	pid := root.Cmd.Process.Pid
	tasks, err := os.ReadDir(procPath(pid, "task"))
	if err != nil {
		t.Fatal(err)
	}
	withKids := 0
	for _, task := range tasks {
		b, err := os.ReadFile(procPath(pid, "task/"+task.Name()+"/children"))
		if err == nil && len(strings.Fields(string(b))) > 0 {
			withKids++
		}
	}
	if withKids < 2 {
		t.Fatalf("children under %d task(s) only: the test does not exercise per-thread lists", withKids)
	}
	checkTree(t, pid, want)
	if treeFallback.Load() {
		t.Error("Tree used the fallback on a kernel with children files")
	}
}

// TestTreeFallback runs the full-scan path, which this kernel may never take
// on its own, against the same trees.
func TestTreeFallback(t *testing.T) {
	forceFallback = true
	t.Cleanup(func() { forceFallback = false })
	root, want := startTree(t, 2, true, 3)
	checkTree(t, root.Cmd.Process.Pid, want)
	if !treeFallback.Load() {
		t.Error("treeFallback.Load() = false with the fallback forced")
	}
}

// TestTreeShell covers single-threaded parents (the path that skips the task
// directory) with a shell and its background jobs.
func TestTreeShell(t *testing.T) {
	sh := exec.Command("/bin/sh", "-c", `sleep 60 & echo $!; sleep 60 & echo $!; echo ready; wait`)
	ch := testenv.StartChild(t, sh)
	want := map[int]int{}
	var pids []int
	for l := ch.Line(t); l != "ready"; l = ch.Line(t) {
		pid, err := strconv.Atoi(l)
		if err != nil {
			t.Fatal(err)
		}
		want[pid] = sh.Process.Pid
		pids = append(pids, pid)
	}
	killAll(t, pids)
	checkTree(t, sh.Process.Pid, want)
}

// TestTreeManyChildren has one thread list more PIDs than fit in the page
// the kernel serves a children file in.
func TestTreeManyChildren(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 1200 processes")
	}
	sh := sleepTree(t, 1200)
	b, err := os.ReadFile(procPath(sh, "task/"+strconv.Itoa(sh)+"/children"))
	if err != nil || len(b) <= 4096 {
		t.Fatalf("children file is %d bytes (%v): not multi-page", len(b), err)
	}
	kids, err := Tree(sh)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, k := range kids {
		if k.PPID != sh || seen[k.PID] {
			t.Errorf("bad or repeated entry %+v", k)
		}
		seen[k.PID] = true
	}
}

func TestCmdlineNoArgv(t *testing.T) {
	// Kernel threads and zombies have no argv; ps shows "[comm]".
	// PID 2 is kthreadd, unless in a PID namespace.
	if c := Cmdline(2); c != "[kthreadd]" {
		t.Logf("pid 2 is %q: in a PID namespace?", c)
	}
	c := exec.Command("true")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Process.Kill() // best effort: it has exited by itself
		_ = c.Wait()         // reaps the zombie
	})
	waitFor(t, func() bool { return zombie(c.Process.Pid) })
	if got := Cmdline(c.Process.Pid); got != "[true]" {
		t.Errorf("Cmdline(zombie) = %q, want [true]", got)
	}
}

// waitFor polls cond with a bound.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	testenv.WaitFor(t, "the condition", cond)
}

func TestHasEntry(t *testing.T) {
	env := []byte("A=1\x00RUNP_SESSION=abc\x00RUNP_SESSION=abcd\x00B=\x00")
	for entry, want := range map[string]bool{
		"RUNP_SESSION=abc": true, "RUNP_SESSION=ab": false, "UNP_SESSION=abc": false,
		"B=": true, "A=1": true, "A=": false, "RUNP_SESSION=abcd": true,
	} {
		if got := hasEntry(env, entry); got != want {
			t.Errorf("hasEntry(%q) = %v", entry, got)
		}
	}
	if !hasEntry([]byte("X=1"), "X=1") || hasEntry(nil, "X=1") {
		t.Error("unterminated or empty block mishandled")
	}
}

// killAll records the identities of pids now and, in cleanup, kills them
// through Signal and checks that they are gone.
func killAll(tb testing.TB, pids []int) {
	tb.Helper()
	ids := readAll(tb, pids)
	tb.Cleanup(func() { killIDs(tb, ids) })
}

// TestPidStampMoves: the stamp reads the last PID handed out, so it moves
// when a process is created, and matches what /proc/loadavg says.
func TestPidStampMoves(t *testing.T) {
	before, ok := LastPID()
	if !ok {
		t.Fatal("LastPID failed")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	after, ok := LastPID()
	if !ok {
		t.Fatal("LastPID failed")
	}
	if after == before {
		t.Fatalf("stamp stayed at %d after starting process %d", before, cmd.Process.Pid)
	}
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if last, _ := strconv.ParseUint(f[len(f)-1], 10, 64); last < after {
		t.Fatalf("/proc/loadavg says %d, below the stamp %d", last, after)
	}
}
