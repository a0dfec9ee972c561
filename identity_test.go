//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"runp/internal/testenv"
	process "runp/proc"
	"runp/registry"
)

// The tests here attack runp's identity rule (issue 11, points 3 and 4). The
// PID-reuse ones run their helper as PID 1 of a new PID namespace, where it
// may choose the next PID (ns_last_pid) and so hand a dead process's PID to
// a stranger within the same 10 ms clock tick: PID and start time alike
// match the record, only the pidfs inode number tells them apart.

func init() {
	helpers["tickreuse-reap"] = tickReuseReap
	helpers["tickreuse-cleanup"] = tickReuseCleanup
	helpers["protected-reap"] = protectedReap
	helpers["reapfrom"] = reapFrom
}

// inPIDNamespace runs helper with args as PID 1 of a new PID namespace and
// returns its output, which says "ok" or "skip" on its last line.
func inPIDNamespace(t *testing.T, helper string, args ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("forcing a PID to be reused needs root (ns_last_pid in a new PID namespace)")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare not installed")
	}
	if err := exec.Command(unshare, "--pid", "--fork", "--kill-child", "--mount-proc", "true").Run(); err != nil {
		t.Skipf("cannot make a PID namespace: %v", err)
	}
	tag := newTag(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*testenv.Patience)
	defer cancel()
	// --kill-child: the deadline's SIGKILL of unshare must end the
	// namespace, whose PID 1, the helper, holds the output pipe open.
	cmd := exec.CommandContext(ctx, unshare, append([]string{"--pid", "--fork", "--kill-child", "--mount-proc", os.Args[0]}, args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"="+helper, tagEnv+"="+tag)
	cmd.WaitDelay = time.Second
	t.Cleanup(func() { killTagged(t, tag) })
	out, err := cmd.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	switch {
	case err == nil && strings.HasPrefix(last, "ok"):
		t.Log(last)
	case err == nil && strings.HasPrefix(last, "skip"):
		t.Skip(last)
	default:
		t.Fatalf("%v:\n%s", err, out)
	}
}

// pidfsIno is the inode number of a pidfd on pid: on pidfs (Linux >= 6.9)
// the process's number for the whole boot. ok is false without pidfs.
func pidfsIno(pid int) (ino uint64, ok bool) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return 0, false
	}
	defer unix.Close(fd)
	var fs unix.Statfs_t
	var st unix.Stat_t
	if unix.Fstatfs(fd, &fs) != nil || fs.Type != 0x50494446 || unix.Fstat(fd, &st) != nil {
		return 0, false
	}
	return st.Ino, true
}

// setNextPID makes pid the next PID handed out in this namespace.
func setNextPID(pid int) error {
	return os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0)
}

// taskStart reads the start time of the task (process or thread) that has
// id now, straight from procfs: a thread's ID, unlike a process's, opens no
// pidfd, so process.Read cannot say that a thread holds it.
func taskStart(id int) (uint64, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(id) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(f[19], 10, 64) // field 22 of stat
	return n, err == nil
}

// running reports whether our child pid has neither exited nor been signalled.
func running(pid int) bool {
	var ws syscall.WaitStatus
	got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	return err == nil && got == 0
}

// sleep3600 starts sleep 3600, a child of this process.
func sleep3600() (*exec.Cmd, error) {
	cmd := exec.Command("sleep", "3600")
	return cmd, cmd.Start()
}

// tickReuseReap: a session whose runp is dead records a process (PID, start
// time, pidfs inode); the process dies and a stranger gets its PID within the
// same clock tick. "runp reap" must find the record reused and signal nothing.
// The session file is written as text (pidfs_ino added to the record) so that
// this test also builds, and fails, against a runp that does not know the field.
func tickReuseReap(args []string) int {
	runp, dir := args[0], args[1]
	fail := func(format string, a ...any) int {
		fmt.Printf("tickreuse-reap: "+format+"\n", a...)
		return 1
	}
	for try := 0; try < 200; try++ {
		x, err := sleep3600()
		if err != nil {
			return fail("start: %v", err)
		}
		pid := x.Process.Pid
		start := startOf(pid)
		ino, ok := pidfsIno(pid)
		if !ok {
			_ = x.Process.Kill()
			_ = x.Wait()
			fmt.Println("skip: no pidfs (Linux < 6.9): identity is exact to the clock tick only")
			return 0
		}
		_ = x.Process.Kill()
		_ = x.Wait()
		if err := setNextPID(pid); err != nil {
			return fail("ns_last_pid: %v", err)
		}
		s, err := sleep3600()
		if err != nil {
			return fail("start: %v", err)
		}
		if s.Process.Pid != pid || startOf(pid) != start {
			_ = s.Process.Kill()
			_ = s.Wait()
			continue // the clock ticked meanwhile: try again
		}
		defer func() { _ = s.Process.Kill(); _ = s.Wait() }()
		if err := writeDeadSession(dir, []recorded{{pid: pid, ppid: 1, start: start, ino: ino}}); err != nil {
			return fail("session: %v", err)
		}
		out, err := exec.Command(runp, "reap", "--json", "--grace", "100ms", "--state-dir", dir).Output()
		if err != nil {
			return fail("runp reap: %v", err)
		}
		if !running(pid) {
			return fail("the stranger that got pid %d in the same tick (start %d) was killed: %s", pid, start, out)
		}
		var reports []recoveredJSON
		if err := json.Unmarshal(out, &reports); err != nil || len(reports) != 1 || len(reports[0].Processes) != 1 {
			return fail("report %s (%v)", out, err)
		}
		if pr := reports[0].Processes[0]; pr.State != "reused" || pr.Signal != "" {
			return fail("record of pid %d: state %q, signal %q; want reused, none", pid, pr.State, pr.Signal)
		}
		fmt.Printf("ok: pid %d handed out again within tick %d, stranger left alone\n", pid, start)
		return 0
	}
	fmt.Println("skip: could not reuse a PID within one clock tick in 200 tries")
	return 0
}

// recorded is one [[process]] of a hand-written session.
type recorded struct {
	pid, ppid int
	start     uint64
	ino       uint64 // 0: no pidfs_ino key
}

// writeDeadSession writes a session of a dead runp (its lock free) into the
// state dir dir, recording procs.
func writeDeadSession(dir string, procs []recorded) error {
	store, err := registry.Open(dir)
	if err != nil {
		return err
	}
	boot, err := process.BootID()
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	sess := &registry.Session{ID: registry.NewID(), PID: 999999, BootID: boot, Argv: []string{"dead"}, Started: now}
	for _, p := range procs {
		sess.Processes = append(sess.Processes, registry.Process{PID: p.pid, PPID: p.ppid, Start: p.start,
			Command: "recorded", Role: registry.RoleDescendant, FirstSeen: now})
	}
	h, err := store.Create(sess)
	if err != nil {
		return err
	}
	if err := h.Close(); err != nil { // the session's runp "dies": its lock is free
		return err
	}
	path := filepath.Join(store.Dir(), "sessions", sess.ID+".toml")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, p := range procs {
		if p.ino == 0 {
			continue
		}
		key := fmt.Sprintf("\npid = %d\n", p.pid)
		if !bytes.Contains(data, []byte(key)) {
			return fmt.Errorf("no record of pid %d in %s", p.pid, data)
		}
		data = bytes.Replace(data, []byte(key), []byte(fmt.Sprintf("%spidfs_ino = %d\n", key, p.ino)), 1)
	}
	return os.WriteFile(path, data, 0o600)
}

// tickReuseCleanup: runp records a descendant; the descendant dies and a
// stranger outside runp's tree gets its PID within the same clock tick. When
// the command ends, runp's clean-up must not signal the stranger.
func tickReuseCleanup(args []string) int {
	runp, dir := args[0], args[1]
	fail := func(format string, a ...any) int {
		fmt.Printf("tickreuse-cleanup: "+format+"\n", a...)
		return 1
	}
	if _, ok := pidfsIno(os.Getpid()); !ok {
		fmt.Println("skip: no pidfs (Linux < 6.9)")
		return 0
	}
	// Each line in starts a descendant and prints its PID; the shell reaps
	// it as soon as it dies. The first sleep outlives the command, so that
	// the clean-up has something to do (a subreaper left without children
	// has nothing to clean).
	cmd := exec.Command(runp, "-v", "--no-pty", "--reap-interval", "1ms", "--state-dir", dir, "--grace", "2s",
		"--", "sh", "-c", "sleep 3600 & while read a; do sleep 3600 & echo $!; wait $!; done")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return fail("start runp: %v", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	tracked := make(chan int, 1024)
	var log bytes.Buffer
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if i := strings.Index(line, "msg=tracked pid="); i >= 0 {
				f := strings.Fields(line[i+len("msg=tracked pid="):])
				if pid, err := strconv.Atoi(f[0]); err == nil {
					tracked <- pid
				}
			}
		}
	}()
	pids := bufio.NewScanner(stdout)
	waitTracked := func(pid int) bool {
		deadline := time.After(testenv.Patience)
		for {
			select {
			case p := <-tracked:
				if p == pid {
					return true
				}
			case <-deadline:
				return false
			}
		}
	}
	// Several collisions, so that a tick of runp's reaper falling into the
	// microseconds between a death and the stranger's birth (which would
	// drop the record before the PID comes round) cannot hide the bug.
	var strangers []*exec.Cmd
	defer func() {
		for _, s := range strangers {
			_ = s.Process.Kill()
			_ = s.Wait()
		}
	}()
	for try := 0; try < 200 && len(strangers) < 3; try++ {
		// Each attempt starts at PIDs never used before in this
		// namespace: runp skips a walk when the last PID handed out
		// (/proc/loadavg) has not moved, and rewinding ns_last_pid could
		// make it come back to a value it had at the last walk.
		if err := setNextPID(1000 + 128*try); err != nil {
			return fail("ns_last_pid: %v", err)
		}
		if _, err := io.WriteString(stdin, "go\n"); err != nil {
			return fail("write: %v", err)
		}
		if !pids.Scan() {
			return fail("no pid from the command")
		}
		pid, _ := strconv.Atoi(pids.Text())
		start := startOf(pid)
		if !waitTracked(pid) {
			return fail("pid %d never tracked:\n%s", pid, log.String())
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
		// Hand the PID out as soon as the shell has reaped it. Another
		// task of the namespace (a new thread of runp's, say) may take it
		// first: then this try is over, and the next one starts afresh.
		var s *exec.Cmd
		for deadline := time.Now().Add(testenv.Patience); s == nil; {
			if now, ok := taskStart(pid); ok && now != start {
				break
			}
			if err := setNextPID(pid); err != nil {
				return fail("ns_last_pid: %v", err)
			}
			c, err := sleep3600()
			if err != nil {
				return fail("start: %v", err)
			}
			if c.Process.Pid == pid {
				s = c
				break
			}
			_ = c.Process.Kill()
			_ = c.Wait()
			if time.Now().After(deadline) {
				return fail("pid %d not reaped", pid)
			}
		}
		if s == nil {
			continue
		}
		if startOf(pid) == start {
			strangers = append(strangers, s)
			continue
		}
		_ = s.Process.Kill()
		_ = s.Wait()
	}
	if len(strangers) == 0 {
		fmt.Println("skip: could not reuse a PID within one clock tick in 200 tries")
		return 0
	}
	_ = stdin.Close() // the command ends; runp cleans up
	<-logDone
	_ = cmd.Wait()
	for _, s := range strangers {
		if !running(s.Process.Pid) {
			return fail("a stranger that got pid %d in the same tick was killed by runp's clean-up:\n%s", s.Process.Pid, log.String())
		}
	}
	fmt.Printf("ok: %d PIDs handed out again within one tick, strangers left alone at clean-up\n", len(strangers))
	return 0
}

// protectedReap runs as PID 1: a dead session lists it, the helper between
// it and "runp reap" (an ancestor of runp), and a victim. reap must stop the
// victim and send nothing to the other two.
func protectedReap(args []string) int {
	runp, dir := args[0], args[1]
	fail := func(format string, a ...any) int {
		fmt.Printf("protected-reap: "+format+"\n", a...)
		return 1
	}
	got := make(chan os.Signal, 16)
	signal.Notify(got, syscall.SIGTERM, syscall.SIGCONT, syscall.SIGINT, syscall.SIGHUP)
	victim, err := sleep3600()
	if err != nil {
		return fail("start: %v", err)
	}
	defer func() { _ = victim.Process.Kill(); _ = victim.Wait() }()
	mid := exec.Command(os.Args[0], runp, dir)
	mid.Env = append(os.Environ(), helperEnv+"=reapfrom")
	in, _ := mid.StdinPipe()
	out, _ := mid.StdoutPipe()
	if err := mid.Start(); err != nil {
		return fail("start: %v", err)
	}
	defer func() { _ = mid.Process.Kill(); _ = mid.Wait() }()
	r := bufio.NewReader(out)
	if line, err := r.ReadString('\n'); err != nil || line != "ready\n" {
		return fail("helper: %q %v", line, err)
	}
	if err := writeDeadSession(dir, []recorded{
		{pid: 1, start: startOf(1)},
		{pid: mid.Process.Pid, ppid: 1, start: startOf(mid.Process.Pid)},
		{pid: victim.Process.Pid, ppid: 1, start: startOf(victim.Process.Pid)},
	}); err != nil {
		return fail("session: %v", err)
	}
	_, _ = io.WriteString(in, "go\n")
	rest, _ := io.ReadAll(r)
	err = mid.Wait()
	if err != nil {
		return fail("the helper that ran runp reap (its parent): %v: %s", err, rest)
	}
	if victim.Wait(); victim.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		return fail("the victim: %v, want killed by SIGTERM", victim.ProcessState)
	}
	select {
	case sig := <-got:
		return fail("PID 1 got %v from runp reap", sig)
	case <-time.After(100 * time.Millisecond): // signals sent before reap exited have arrived by now
	}
	fmt.Println("ok: runp reap stopped the victim and left PID 1 and its own parent alone")
	return 0
}

// reapFrom says "ready", waits for a line, runs runp reap and fails if it
// got any signal meanwhile.
func reapFrom(args []string) int {
	got := make(chan os.Signal, 16)
	signal.Notify(got, syscall.SIGTERM, syscall.SIGCONT, syscall.SIGINT, syscall.SIGHUP)
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 2
	}
	out, err := exec.Command(args[0], "reap", "--grace", "200ms", "--state-dir", args[1]).CombinedOutput()
	if err != nil {
		fmt.Printf("runp reap: %v: %s\n", err, out)
		return 2
	}
	select {
	case sig := <-got:
		fmt.Printf("got %v from runp reap\n", sig)
		return 3
	case <-time.After(100 * time.Millisecond): // signals sent before reap exited have arrived by now
	}
	return 0
}

// TestExactIdentityReap: #11 point 3 for runp reap.
func TestExactIdentityReap(t *testing.T) {
	inPIDNamespace(t, "tickreuse-reap", runpBin, t.TempDir())
}

// TestExactIdentityCleanUp: #11 point 3 for the clean-up at exit.
func TestExactIdentityCleanUp(t *testing.T) {
	inPIDNamespace(t, "tickreuse-cleanup", runpBin, t.TempDir())
}

// TestReapNeverSignalsInitOrAncestors: #11 point 4, whatever a session says.
func TestReapNeverSignalsInitOrAncestors(t *testing.T) {
	inPIDNamespace(t, "protected-reap", runpBin, t.TempDir())
}

// sessionsOf returns runp ps's view of the test's state dir.
func sessionsOf(t *testing.T) []sessionJSON {
	t.Helper()
	out, _, _ := runpCLI(t, "ps", "--json")
	var sessions []sessionJSON
	_ = json.Unmarshal([]byte(out), &sessions)
	return sessions
}

// TestReapSendsLiveRunpOnlyTheStopSignal: #11 point 4. A dead session lists a
// runp that is alive (as the middle runp's session lists the inner one). It
// gets the stop signal, so that it cleans its own tree, never SIGKILL, which
// would leave that tree behind: here its command ignores SIGTERM, so the
// runp outlives the grace.
func TestReapSendsLiveRunpOnlyTheStopSignal(t *testing.T) {
	c := start(t, run{flags: []string{"--no-pty"}, helper: "ignoreterm"})
	c.expect("ready")
	pid := c.cmd.Process.Pid
	if err := writeDeadSession(stateDir(t), []recorded{{pid: pid, ppid: 1, start: startOf(pid)}}); err != nil {
		t.Fatal(err)
	}
	out, errs, status := runpCLI(t, "reap", "--json", "--grace", "200ms")
	if status != 0 {
		t.Fatalf("runp reap: status %d: %s", status, errs)
	}
	select {
	case <-c.done:
		t.Fatalf("the live runp was killed: %v\n%s", c.cmd.ProcessState, out)
	default:
	}
	var reports []recoveredJSON
	if err := json.Unmarshal([]byte(out), &reports); err != nil || len(reports) != 1 || len(reports[0].Processes) != 1 {
		t.Fatalf("report %s (%v)", out, err)
	}
	if pr := reports[0].Processes[0]; pr.Signal != "SIGTERM" {
		t.Errorf("the live runp's record: signal %q, want SIGTERM (the stop signal) only", pr.Signal)
	}
}

// TestNestedRunpRecoveryNeverKillsItself: #11 point 4. Two nested runps on
// one state dir; the middle one is SIGKILLed, so its session, which lists the
// inner runp and the inner's command, is dead. The inner runp recovers it in
// the background: it stops the command but must not signal itself, so that
// it lives on to clean up its own session (a runp that SIGKILLed itself
// leaves its session behind).
func TestNestedRunpRecoveryNeverKillsItself(t *testing.T) {
	// When the middle runp dies, the inner one gets the middle's stop
	// signal (PR_SET_PDEATHSIG) and would stop its tree before its first
	// tick: WINCH, which runp without a terminal ignores, keeps it running
	// until its background recovery, which is what this test is about.
	b := start(t, run{
		flags: []string{"--no-pty", "--reap-interval", "10ms", "--stop-signal", "WINCH",
			"--", runpBin, "--no-pty", "--reap-interval", "3s", "--grace", "200ms"},
		helper: "ignoreterm",
	})
	f := strings.Fields(b.expect("ready "))
	cmdPID, _ := strconv.Atoi(f[1])
	var inner int
	testenv.WaitFor(t, "the middle runp's session to list the inner runp and its command", func() bool {
		for _, s := range sessionsOf(t) {
			if s.RunpPID != b.cmd.Process.Pid {
				continue
			}
			listed := false
			for _, p := range s.Processes {
				if p.Role == registry.RoleChild {
					inner = p.PID
				}
				listed = listed || p.PID == cmdPID
			}
			return inner != 0 && listed
		}
		return false
	})
	b.signal(syscall.SIGKILL)
	<-b.done
	// The inner runp writes its session at its first tick, which also
	// starts its recovery: if that came already, it ran too early to see
	// the middle's dead session (a machine too loaded for this test).
	for _, s := range sessionsOf(t) {
		if s.RunpPID == inner {
			t.Skip("the inner runp's first tick came before the middle runp was killed")
		}
	}
	testenv.WaitFor(t, "the inner runp to end", func() bool { return !alive(inner) })
	testenv.WaitFor(t, "no session left", func() bool { return len(sessionsOf(t)) == 0 })
	if alive(cmdPID) {
		t.Errorf("the command %d survived", cmdPID)
	}
	noLeaks(t, b.tag)
}
