//go:build linux

package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: driver wall|mem|cpu|cleanup|sleeps|table [flags] [-- CMD...]")
		os.Exit(2)
	}
	// Orphans of the measured runs (the peers leave daemons behind) come
	// back to the driver instead of init, so it can kill and reap them.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "driver: subreaper:", err)
		os.Exit(1)
	}
	go onSignal()
	cmds := map[string]func([]string) (int, error){
		"wall": cmdWall, "mem": cmdMem, "cpu": cmdCPU, "cleanup": cmdCleanup,
		"sleeps": cmdSleeps, "table": cmdTable,
	}
	f, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "driver: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	code, err := f(os.Args[2:])
	exitMu.Lock() // an interrupt that came first finishes its clean-up and exits
	if n := killDescendants(); n > 0 {
		fmt.Fprintf(os.Stderr, "driver: %s: killed %d leftover processes\n", os.Args[1], n)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "driver: %s: %v\n", os.Args[1], err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// exitMu is held by whoever ends the driver: main at the end of a command,
// or onSignal, which must not see main exit under it with a misleading status.
var exitMu sync.Mutex

// onSignal: a Ctrl-C or the script's trap must not leave anything running.
// Once all is killed, the driver dies of the same signal, so that the shell
// that runs it sees an interrupted command and stops too.
func onSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, unix.SIGINT, unix.SIGTERM, unix.SIGHUP)
	sig := <-c
	exitMu.Lock()
	// runp gets a chance to clean its own tree up (and unregister) first.
	stopChildren(2 * time.Second)
	n := killDescendants()
	fmt.Fprintf(os.Stderr, "driver: %v: killed %d processes\n", sig, n)
	signal.Reset(sig)
	_ = unix.Kill(os.Getpid(), sig.(syscall.Signal)) // best effort: exit below otherwise
	time.Sleep(100 * time.Millisecond)               // bounded: the signal is on its way
	os.Exit(128 + int(sig.(syscall.Signal)))
}

// common holds the flags every measuring command shares.
type common struct {
	fs      *flag.FlagSet
	spec    string
	which   string
	n       int
	key     string
	results string
}

func newCommon(name string, n int) *common {
	c := &common{fs: flag.NewFlagSet(name, flag.ExitOnError)}
	c.fs.StringVar(&c.spec, "spec", "", "wrapper spec file")
	c.fs.StringVar(&c.which, "w", "", "comma-separated wrapper names (default: all)")
	c.fs.IntVar(&c.n, "n", n, "rounds")
	c.fs.StringVar(&c.key, "key", name, "results key prefix")
	c.fs.StringVar(&c.results, "results", "", "results file to append to")
	return c
}

// parse parses args and returns the wrappers and the command after "--".
func (c *common) parse(args []string) ([]wrapper, []string, error) {
	if err := c.fs.Parse(args); err != nil {
		return nil, nil, err
	}
	cmd := c.fs.Args()
	if len(cmd) > 0 && cmd[0] == "--" {
		cmd = cmd[1:]
	}
	if c.spec == "" {
		return nil, cmd, nil
	}
	ws, err := readSpec(c.spec, c.which)
	return ws, cmd, err
}

// wrapper is one line of the spec: a name and an argv template.
type wrapper struct {
	name string
	argv []string
}

func readSpec(path, which string) ([]wrapper, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only
	all := map[string]wrapper{}
	var order []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(strings.TrimRight(sc.Text(), "\t"), "\t")
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		all[fields[0]] = wrapper{fields[0], fields[1:]}
		order = append(order, fields[0])
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if which != "" {
		order = strings.Split(which, ",")
	}
	var out []wrapper
	for _, name := range order {
		w, ok := all[name]
		if !ok {
			return nil, fmt.Errorf("%s: no wrapper %q", path, name)
		}
		out = append(out, w)
	}
	return out, nil
}

// expand returns w's argv around cmd.
func (w wrapper) expand(cmd []string) []string {
	var out []string
	for _, a := range w.argv {
		switch a {
		case "{}":
			out = append(out, cmd...)
		case "{sh}":
			out = append(out, shellJoin(cmd))
		default:
			out = append(out, a)
		}
	}
	return out
}

func shellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// record appends "key<TAB>value" lines to the results file.
func record(path string, kv ...string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if _, err := fmt.Fprintf(f, "%s\t%s\n", kv[i], kv[i+1]); err != nil {
			_ = f.Close() // the write error is the one to report
			return err
		}
	}
	return f.Close()
}

// quantile of sorted-in-place ds: q=0.5 is the median.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	pos := q * float64(len(ds)-1)
	lo := int(pos)
	if lo+1 >= len(ds) {
		return ds[lo]
	}
	frac := pos - float64(lo)
	return ds[lo] + time.Duration(frac*float64(ds[lo+1]-ds[lo]))
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) }

// devNull opens /dev/null for the measured processes' stdio.
func devNull() (*os.File, error) { return os.OpenFile(os.DevNull, os.O_RDWR, 0) }

// start starts argv with the given stdio; argv[0] must be an absolute path,
// so that no PATH lookup is timed.
func start(argv []string, stdin, stdout, stderr *os.File, sys *syscall.SysProcAttr) (*os.Process, error) {
	return os.StartProcess(argv[0], argv, &os.ProcAttr{Files: []*os.File{stdin, stdout, stderr}, Sys: sys})
}

// exitCode maps a finished process to a shell's status.
func exitCode(st *os.ProcessState) int {
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

// children lists the driver's own children, from the children files of all
// its threads (the kernel files a child under the thread that forked it).
func children() []int {
	tasks, _ := os.ReadDir("/proc/self/task")
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				out = append(out, pid)
			}
		}
	}
	return out
}

// killDescendants kills every child of the driver with SIGKILL and reaps it,
// over and over, since their own orphans come back to the driver in turn, and
// returns how many live (non-zombie) processes it killed. The driver is their
// parent, so none of these PIDs can have been reused: it has not reaped them.
func killDescendants() int {
	killed := map[int]bool{}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		kids := children()
		for _, pid := range kids {
			if st, err := procState(pid); err == nil && st != 'Z' {
				killed[pid] = true
			}
			_ = unix.Kill(pid, unix.SIGKILL) // best effort: it may be a zombie already
		}
		reaped := reapAll()
		if len(kids) == 0 && !reaped {
			return len(killed)
		}
		time.Sleep(5 * time.Millisecond) // bounded by deadline: the kills land asynchronously
	}
	fmt.Fprintln(os.Stderr, "driver: children still present after 10 s")
	return len(killed)
}

// stopChildren sends SIGTERM to the driver's children and reaps them for at
// most grace.
func stopChildren(grace time.Duration) {
	for _, pid := range children() {
		_ = unix.Kill(pid, unix.SIGTERM) // best effort: SIGKILL follows
	}
	deadline := time.Now().Add(grace)
	for len(children()) > 0 && time.Now().Before(deadline) {
		reapAll()
		time.Sleep(10 * time.Millisecond) // bounded by deadline
	}
}

// reapAll collects every waitable child and reports whether any was found.
func reapAll() bool {
	any := false
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			return any
		}
		any = true
	}
}

// procState returns field 3 of /proc/<pid>/stat (R, S, Z, ...).
func procState(pid int) (byte, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 || i+2 >= len(b) {
		return 0, errors.New("bad stat")
	}
	return b[i+2], nil
}
