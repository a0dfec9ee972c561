//go:build unix

package supervisor

// Job control for programs that stop themselves.
//
// Why: in PTY mode the command's session is the PTY's, and its parent, runp,
// is in the user's session. A process group is orphaned when no member has
// a parent in the same session but in another group, and POSIX has the
// kernel discard SIGTSTP, SIGTTIN and SIGTTOU for an orphaned group (Linux:
// get_signal drops every stop signal but SIGSTOP for it), since nobody in
// its session could resume it. The PTY's Ctrl-Z can be caught by runp
// (console.forward), but vim reads Ctrl-Z in raw mode and calls
// kill(0, SIGTSTP) itself, and nothing happens.
//
// So at a terminal runp starts a copy of itself, the monitor, as the PTY's
// session leader, as sudo does. The monitor starts the command in a process
// group of its own and makes it the PTY's foreground job, as a shell does:
// the command's group has a parent in its session, the monitor, and stops.
// The monitor waits for it with WUNTRACED and, when it stops, stops itself
// with SIGSTOP, which runp, its parent, sees as its child stopping: runp
// gives the user's terminal back and stops too (attemptState.suspend). On `fg`
// runp resumes the monitor, and the monitor's SIGCONT resumes the job.
//
// The monitor forwards nothing: runp signals the command directly, by
// identity (child.signal), so that the command gets each signal once,
// also when the clean-up signals the whole tree. It reports on fd 3, one
// line each: "P <pid> <start> <pidfs inode>" once the command runs, or "E <errno>" if it
// could not be started; "S <wait status>" when it has ended. It exits then.

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"runp/proc"
)

// monitorArg0 names the monitor in ps.
const monitorArg0 = "runp (monitor)"

// runMonitor is the monitor's main; args are the command's path and argv.
func runMonitor(args []string) int {
	// The command's parent-death signal (jobAttr) fires when the thread
	// that started it ends: that thread must be the main one, for good.
	runtime.LockOSThread()
	report := os.NewFile(3, "report")
	if report == nil || len(args) < 2 {
		return ExitRunpFailed
	}
	syscall.CloseOnExec(3) // the command must not hold runp's end open
	// Every signal is caught (none may end the monitor before its
	// command) and ignored but these two.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, monitorEnv+"=") {
			env = append(env, kv)
		}
	}
	pid, err := syscall.ForkExec(args[0], args[1:], &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}, Sys: jobAttr()})
	if err != nil {
		var errno syscall.Errno
		errors.As(err, &errno)
		fmt.Fprintf(report, "E %d\n", int(errno))
		return ExitRunpFailed
	}
	var job proc.Identity
	if id, err := proc.Read(pid); err == nil { // not reaped yet: it is the command
		job = id
	}
	fmt.Fprintf(report, "P %d %d %d\n", pid, job.Start, job.Ino)
	runp := os.Getppid()
	for sig := range sigs {
		if os.Getppid() != runp && sig != syscall.SIGCHLD {
			// runp died (killed with SIGKILL): this is its stop signal,
			// sent by the kernel (see dieWithRunp), or the hang-up of the
			// PTY it held. The job gets it, as it would have without
			// the monitor in between.
			_ = syscall.Kill(-pid, sig.(syscall.Signal)) // best effort
		}
		switch sig {
		case syscall.SIGCHLD:
			if ws, done := waitJob(pid); done {
				fmt.Fprintf(report, "S %d\n", uint32(ws))
				code, _ := exitCode(ws)
				return code
			}
		case syscall.SIGCONT:
			// runp resumed: so does the job, as after a shell's `fg`.
			_ = syscall.Kill(-pid, syscall.SIGCONT) // best effort
		}
	}
	return ExitRunpFailed
}

// waitJob collects the command's state changes; it reports the status once
// the command has ended. When the command stops, the monitor stops too,
// and returns here once runp has resumed it.
func waitJob(pid int) (syscall.WaitStatus, bool) {
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG|syscall.WUNTRACED, nil)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case err != nil:
			// ECHILD: it is gone, unseen (cannot happen; never hang on it).
			return syscall.WaitStatus(ExitRunpFailed << 8), true
		case got != pid:
			return 0, false
		case ws.Stopped():
			_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) // best effort
			continue
		}
		return ws, true
	}
}

// monitor is runp's side of a monitor it started.
type monitor struct {
	report, w *os.File // the report's read end; the write end until the start
	// rd reads report for started and final alike: the start's line and
	// the status may arrive in one read, and a second reader would lose
	// what the first one buffered.
	rd  *bufio.Reader
	job *proc.Identity
	pid int // the command's PID, once known
}

// newMonitor prepares cmd to start through a monitor, and returns it; nil
// if it cannot, and then the command is started directly.
func newMonitor(cmd *command) *monitor {
	self := selfExe()
	if self == "" {
		return nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil
	}
	m := &monitor{report: r, w: w, rd: bufio.NewReader(r)}
	cmd.argv = append([]string{monitorArg0, cmd.path}, cmd.argv...)
	cmd.path = self
	env := make([]string, 0, len(cmd.env)+1)
	for _, kv := range cmd.env {
		if !strings.HasPrefix(kv, monitorEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd.env = append(env, monitorEnv+"="+strconv.Itoa(os.Getpid()))
	cmd.extra = w
	return m
}

// monitorStartBound bounds the wait for the monitor's first word: it comes
// within milliseconds, or the monitor has died and EOF comes.
const monitorStartBound = 30 * time.Second

// started waits for the monitor, runp's child pid, to start the command;
// it returns the error that the command's start failed with, if it did,
// after reaping the monitor.
func (m *monitor) started(pid int) error {
	_ = m.w.Close() // the monitor holds the write end now
	m.w = nil
	_ = m.report.SetReadDeadline(time.Now().Add(monitorStartBound)) // best effort
	line, err := m.rd.ReadString('\n')
	_ = m.report.SetReadDeadline(time.Time{}) // best effort
	var fields []string
	if err == nil {
		fields = strings.Fields(line)
	}
	if len(fields) == 4 && fields[0] == "P" {
		jpid, _ := strconv.Atoi(fields[1])
		start, _ := strconv.ParseUint(fields[2], 10, 64)
		ino, _ := strconv.ParseUint(fields[3], 10, 64)
		m.pid = jpid
		// The monitor may have reaped the command already and its PID
		// been reused: the identity counts only if it is the one the
		// monitor read before it could reap (exactly, with pidfs).
		want := proc.Identity{PID: jpid, Start: start, Ino: ino}
		if id, err := proc.Read(jpid); err == nil && start != 0 {
			want.Boot = id.Boot
			if id.Same(want) {
				m.job = &id
			}
		}
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGKILL) // best effort: it is done or broken
	for {
		if _, err := syscall.Wait4(pid, nil, 0, nil); !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if len(fields) == 2 && fields[0] == "E" {
		if n, err := strconv.Atoi(fields[1]); err == nil && n > 0 {
			return syscall.Errno(n)
		}
	}
	return fmt.Errorf("job-control monitor: no report (%v)", err)
}

// final returns the command's wait status as the monitor reported it, once
// the monitor has been reaped; ok is false if it reported none (it was
// killed).
func (m *monitor) final() (ws syscall.WaitStatus, ok bool) {
	_ = m.report.SetReadDeadline(time.Now().Add(100 * time.Millisecond)) // best effort
	sc := bufio.NewScanner(m.rd)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "S" {
			if n, err := strconv.ParseUint(f[1], 10, 32); err == nil {
				ws, ok = syscall.WaitStatus(n), true
			}
		}
	}
	return ws, ok
}

// close releases runp's ends of the report.
func (m *monitor) close() {
	if m.w != nil {
		_ = m.w.Close() // best effort
	}
	_ = m.report.Close() // best effort
}
