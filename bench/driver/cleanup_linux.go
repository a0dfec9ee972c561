//go:build linux

package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// daemons is the child of the clean-up figure: it leaves $3 daemons behind
// (setsid, then the middle shell exits: a double fork), each a TERM-honouring
// sleep with its stdio on /dev/null as a daemon's is, appends their PIDs to
// $1, and writes the time just before it exits to $2: the exec'd date is the
// child itself, so the stamp is taken by the exiting process.
const daemons = `i=0
while [ "$i" -lt "$3" ]; do
  setsid /bin/sh -c 'sleep 3600 & echo $! >> "$1"' sh "$1" </dev/null >/dev/null 2>&1
  i=$((i+1))
done
exec date +%s%N > "$2"`

// cmdCleanup measures, for each wrapper, the time from the child's exit to
// the wrapper's return while the child leaves -procs daemons behind, and
// counts the daemons still alive after the return. Wrappers named in -once
// (the peers, which leave them all running) run in the first round only.
func cmdCleanup(args []string) (int, error) {
	c := newCommon("cleanup", 3)
	procs := c.fs.Int("procs", 500, "daemons the child leaves behind")
	once := c.fs.String("once", "", "comma-separated wrappers run in the first round only")
	ws, _, err := c.parse(args)
	if err != nil {
		return 2, err
	}
	onlyOnce := map[string]bool{}
	for _, n := range strings.Split(*once, ",") {
		onlyOnce[n] = true
	}
	dir, err := os.MkdirTemp("", "driver-cleanup-")
	if err != nil {
		return 1, err
	}
	defer func() { _ = os.RemoveAll(dir) }() // best effort: a temp dir
	pidFile, tsFile := filepath.Join(dir, "pids"), filepath.Join(dir, "ts")
	ps, err := prepare(ws, []string{"/bin/sh", "-c", daemons, "sh", pidFile, tsFile, strconv.Itoa(*procs)})
	if err != nil {
		return 2, err
	}
	null, err := devNull()
	if err != nil {
		return 1, err
	}
	lat := make([][]time.Duration, len(ps))
	alive := make([]int, len(ps))
	for r := range c.n {
		for i, p := range ps {
			if r > 0 && onlyOnce[p.name] {
				continue
			}
			_ = os.Remove(pidFile) // best effort: absent the first time
			_ = os.Remove(tsFile)
			t0 := time.Now()
			proc, err := start(p.run, null, null, os.Stderr, nil)
			if err != nil {
				return 1, fmt.Errorf("%s: %w", p.name, err)
			}
			st, err := proc.Wait()
			ret := time.Now().UnixNano()
			if err != nil {
				return 1, err
			}
			if code := exitCode(st); code != 0 {
				return 1, fmt.Errorf("%s: exit status %d", p.name, code)
			}
			d, left, err := cleanupResult(pidFile, tsFile, ret, *procs)
			if err != nil {
				return 1, fmt.Errorf("%s: %w", p.name, err)
			}
			// Whatever is left came back to the driver (the subreaper above
			// every wrapper): kill and reap it before the next run.
			killed := killDescendants()
			fmt.Fprintf(os.Stderr, "  %-10s round %d: child exit -> return %s ms, %d of %d daemons alive after return (run %s ms; driver killed %d)\n",
				p.name, r+1, ms(d), left, *procs, ms(time.Since(t0)), killed)
			lat[i] = append(lat[i], d)
			alive[i] = max(alive[i], left)
		}
	}
	for i, p := range ps {
		if err := record(c.results,
			c.key+"."+p.name, strconv.FormatInt(quantile(lat[i], 0.5).Nanoseconds(), 10),
			c.key+".alive."+p.name, strconv.Itoa(alive[i])); err != nil {
			return 1, err
		}
	}
	return 0, nil
}

// cleanupResult reads the child's exit stamp and the daemons' PIDs, and
// counts the daemons that still run (a zombie does not run).
func cleanupResult(pidFile, tsFile string, ret int64, want int) (time.Duration, int, error) {
	b, err := os.ReadFile(tsFile)
	if err != nil {
		return 0, 0, fmt.Errorf("the child wrote no exit stamp: %w", err)
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, 0, err
	}
	b, err = os.ReadFile(pidFile)
	if err != nil {
		return 0, 0, err
	}
	pids := strings.Fields(string(b))
	if len(pids) != want {
		return 0, 0, fmt.Errorf("%d daemon PIDs recorded, want %d", len(pids), want)
	}
	left := 0
	for _, s := range pids {
		pid, err := strconv.Atoi(s)
		if err != nil {
			return 0, 0, err
		}
		st, err := procState(pid)
		comm, _ := os.ReadFile("/proc/" + s + "/comm")
		if err == nil && st != 'Z' && strings.TrimSpace(string(comm)) == "sleep" {
			left++
		}
	}
	return time.Duration(ret - ts), left, nil
}

// cmdSleeps starts -n unrelated "sleep 3600" processes in a process group of
// their own, runs the command, then kills each sleep by PID (through Go's
// pidfd, so never a stranger), reaps it, and checks that none is left. If
// the driver dies first, Pdeathsig kills them.
func cmdSleeps(args []string) (int, error) {
	fs := flag.NewFlagSet("sleeps", flag.ExitOnError)
	n := fs.Int("n", 2000, "how many sleeps")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	cmd := fs.Args()
	if len(cmd) > 0 && cmd[0] == "--" {
		cmd = cmd[1:]
	}
	if len(cmd) == 0 {
		return 2, errors.New("no command after --")
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		return 1, err
	}
	null, err := devNull()
	if err != nil {
		return 1, err
	}
	var procs []*os.Process
	defer func() {
		if err := killSleeps(procs); err != nil {
			fmt.Fprintln(os.Stderr, "driver: sleeps:", err)
		}
	}()
	pgid := 0
	for range *n {
		p, err := start([]string{sleep, "3600"}, null, null, null,
			&syscall.SysProcAttr{Setpgid: true, Pgid: pgid, Pdeathsig: syscall.SIGKILL})
		if err != nil {
			return 1, fmt.Errorf("sleep %d: %w", len(procs)+1, err)
		}
		if pgid == 0 {
			pgid = p.Pid
		}
		procs = append(procs, p)
	}
	// They count once they are sleep, not a copy of the driver in fork/exec.
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range procs {
		for {
			comm, _ := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/comm")
			if strings.TrimSpace(string(comm)) == "sleep" {
				break
			}
			if time.Now().After(deadline) {
				return 1, fmt.Errorf("pid %d is not sleep after 30 s", p.Pid)
			}
			time.Sleep(time.Millisecond) // bounded by deadline
		}
	}
	fmt.Fprintf(os.Stderr, "  %d unrelated sleeps running (process group %d)\n", len(procs), pgid)
	c := exec.Command(cmd[0], cmd[1:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return exitCode(ee.ProcessState), nil
	}
	return 0, err
}

// killSleeps kills and reaps procs, then checks that none of their PIDs is
// a sleep of the driver's any more.
func killSleeps(procs []*os.Process) error {
	for _, p := range procs {
		_ = p.Kill() // best effort: reported below if it survived
	}
	for _, p := range procs {
		if _, err := p.Wait(); err != nil && !errors.Is(err, syscall.ECHILD) {
			return fmt.Errorf("wait %d: %w", p.Pid, err)
		}
	}
	left := 0
	self := strconv.Itoa(os.Getpid())
	for _, p := range procs {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/stat")
		if err == nil && strings.Contains(string(b), "(sleep)") && strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))[1] == self {
			left++
		}
	}
	if left > 0 {
		return fmt.Errorf("%d of %d sleeps still there", left, len(procs))
	}
	if len(procs) > 0 {
		fmt.Fprintf(os.Stderr, "  %d unrelated sleeps killed and reaped, none left\n", len(procs))
	}
	return nil
}
