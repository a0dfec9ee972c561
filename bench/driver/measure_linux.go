//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// prepared is a wrapper with its argv expanded and resolved.
type prepared struct {
	wrapper
	run []string
}

func prepare(ws []wrapper, cmd []string) ([]prepared, error) {
	if len(cmd) == 0 {
		return nil, fmt.Errorf("no command after --")
	}
	var out []prepared
	for _, w := range ws {
		argv := w.expand(cmd)
		path, err := exec.LookPath(argv[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.name, err)
		}
		argv[0] = path
		out = append(out, prepared{w, argv})
	}
	return out, nil
}

// errSink collects a wrapper's stderr in a file and shows it once: a runp
// warning (say, an unusable state dir) must be seen, not drowned.
type errSink struct {
	f     *os.File
	shown bool
}

func newErrSink() (*errSink, error) {
	f, err := os.CreateTemp("", "driver-stderr-")
	if err != nil {
		return nil, err
	}
	_ = os.Remove(f.Name()) // best effort: the open descriptor keeps it
	return &errSink{f: f}, nil
}

func (s *errSink) reset() {
	_ = s.f.Truncate(0) // best effort: a stale message is only shown again
	_, _ = s.f.Seek(0, io.SeekStart)
}

func (s *errSink) text() string {
	b, _ := os.ReadFile("/proc/self/fd/" + strconv.Itoa(int(s.f.Fd())))
	return strings.TrimSpace(string(b))
}

// cmdWall times each wrapper running cmd to completion, n rounds interleaved.
func cmdWall(args []string) (int, error) {
	c := newCommon("wall", 200)
	nbytes := c.fs.Int64("bytes", 0, "bytes the command writes: record MB/s too")
	stdoutPath := c.fs.String("stdout", os.DevNull, "the wrappers' stdout")
	warm := c.fs.Int("warmup", 3, "untimed rounds first")
	ws, cmd, err := c.parse(args)
	if err != nil {
		return 2, err
	}
	ps, err := prepare(ws, cmd)
	if err != nil {
		return 2, err
	}
	null, err := devNull()
	if err != nil {
		return 1, err
	}
	out, err := os.OpenFile(*stdoutPath, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return 1, err
	}
	sinks := make([]*errSink, len(ps))
	for i := range sinks {
		if sinks[i], err = newErrSink(); err != nil {
			return 1, err
		}
	}
	times := make([][]time.Duration, len(ps))
	cpus := make([][]time.Duration, len(ps)) // user+sys of the wrapper and what it reaped
	for r := -*warm; r < c.n; r++ {
		for k := range ps {
			i := (k + max(r, 0)) % len(ps) // rotate who goes first
			sinks[i].reset()
			t0 := time.Now()
			p, err := start(ps[i].run, null, out, sinks[i].f, nil)
			if err != nil {
				return 1, fmt.Errorf("%s: %w", ps[i].name, err)
			}
			st, err := p.Wait()
			d := time.Since(t0)
			if err != nil {
				return 1, err
			}
			msg := sinks[i].text()
			if code := exitCode(st); code != 0 {
				return 1, fmt.Errorf("%s: exit status %d: %s", ps[i].name, code, msg)
			}
			if msg != "" && !sinks[i].shown {
				sinks[i].shown = true
				fmt.Fprintf(os.Stderr, "  %s said on stderr: %s\n", ps[i].name, msg)
			}
			if r >= 0 {
				times[i] = append(times[i], d)
				cpus[i] = append(cpus[i], st.UserTime()+st.SystemTime())
			}
		}
	}
	for i, p := range ps {
		med := quantile(times[i], 0.5)
		line := fmt.Sprintf("  %-10s median %9s ms  p10 %9s  p90 %9s  n=%d  cpu %s ms", p.name, ms(med),
			ms(quantile(times[i], 0.1)), ms(quantile(times[i], 0.9)), len(times[i]), ms(quantile(cpus[i], 0.5)))
		kv := []string{c.key + "." + p.name, strconv.FormatInt(med.Nanoseconds(), 10)}
		if *nbytes > 0 {
			mbps := float64(*nbytes) / med.Seconds() / 1e6
			line += fmt.Sprintf("  %.0f MB/s", mbps)
			kv = append(kv, c.key+".mbps."+p.name, strconv.FormatFloat(mbps, 'f', 1, 64))
		}
		fmt.Fprintln(os.Stderr, line)
		if err := record(c.results, kv...); err != nil {
			return 1, err
		}
	}
	return 0, nil
}

// statusKB returns the given fields of /proc/<pid>/status in kB; ok is false
// once the process is a zombie (the fields are gone) or has been reaped.
func statusKB(pid int, fields ...string) (vals []int64, ok bool) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil, false
	}
	defer func() { _ = f.Close() }() // read-only
	vals = make([]int64, len(fields))
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, _ := strings.Cut(sc.Text(), ":")
		for i, fl := range fields {
			if name == fl {
				vals[i], _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				found++
			}
		}
	}
	return vals, found == len(fields)
}

// runAll starts every wrapper at once with cmd and calls watch(i, pid) in a
// goroutine each; watch must return only once the process is a zombie or
// gone, since the driver reaps it right after. It returns the states.
func runAll(ps []prepared, watch func(i, pid int)) ([]*os.ProcessState, error) {
	null, err := devNull()
	if err != nil {
		return nil, err
	}
	defer func() { _ = null.Close() }() // the children hold their own copies
	states := make([]*os.ProcessState, len(ps))
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		proc, err := start(p.run, null, null, os.Stderr, nil)
		if err != nil {
			wg.Wait()
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			watch(i, proc.Pid)
			states[i], errs[i] = proc.Wait()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ps[i].name, err)
		}
		if code := exitCode(states[i]); code != 0 {
			return nil, fmt.Errorf("%s: exit status %d", ps[i].name, code)
		}
	}
	return states, nil
}

// cmdMem records each wrapper's peak RSS (VmHWM) while it supervises cmd,
// the median over n rounds; the wrappers of a round run side by side.
func cmdMem(args []string) (int, error) {
	c := newCommon("mem", 3)
	ws, cmd, err := c.parse(args)
	if err != nil {
		return 2, err
	}
	ps, err := prepare(ws, cmd)
	if err != nil {
		return 2, err
	}
	peaks := make([][]time.Duration, len(ps)) // kB, stored as Durations to reuse quantile
	for range c.n {
		hwm := make([]int64, len(ps))
		_, err := runAll(ps, func(i, pid int) {
			for {
				v, ok := statusKB(pid, "VmHWM")
				if !ok {
					return
				}
				hwm[i] = max(hwm[i], v[0])
				time.Sleep(5 * time.Millisecond) // the sampling period
			}
		})
		if err != nil {
			return 1, err
		}
		for i := range ps {
			peaks[i] = append(peaks[i], time.Duration(hwm[i]))
		}
	}
	for i, p := range ps {
		kb := int64(quantile(peaks[i], 0.5))
		fmt.Fprintf(os.Stderr, "  %-10s VmHWM median %6d kB (%.2f MiB)  n=%d\n", p.name, kb, float64(kb)/1024, c.n)
		if err := record(c.results, c.key+"."+p.name, strconv.FormatInt(kb, 10)); err != nil {
			return 1, err
		}
	}
	return 0, nil
}

// cpuNS is the CPU time of pid's live threads in ns, from schedstat (ns
// precision, where /proc/<pid>/stat counts 10 ms ticks).
func cpuNS(pid int) int64 {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, _ := os.ReadDir(dir)
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(dir + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			sum += n
		}
	}
	return sum
}

// ticksMS is utime+stime of pid (all threads, dead ones too) in ms.
func ticksMS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3
	if len(f) < 13 {
		return -1
	}
	u, _ := strconv.ParseInt(f[11], 10, 64) // field 14
	s, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	return (u + s) * 10                     // USER_HZ is 100 on Linux
}

// cmdCPU records each wrapper's CPU time while it supervises "sleep secs",
// between warm seconds after the start and one second before the end,
// scaled to a minute. The wrappers run side by side.
func cmdCPU(args []string) (int, error) {
	c := newCommon("cpu", 1)
	secs := c.fs.Int("secs", 20, "how long the supervised sleep lasts")
	warm := c.fs.Int("warm", 2, "seconds after the start before measuring")
	ws, _, err := c.parse(args)
	if err != nil {
		return 2, err
	}
	if *secs < *warm+2 {
		return 2, fmt.Errorf("-secs must be at least -warm + 2")
	}
	ps, err := prepare(ws, []string{"sleep", strconv.Itoa(*secs)})
	if err != nil {
		return 2, err
	}
	window := time.Duration(*secs-*warm-1) * time.Second
	perMin := make([]int64, len(ps))
	total := make([]int64, len(ps))
	t0 := time.Now()
	_, err = runAll(ps, func(i, pid int) {
		time.Sleep(time.Until(t0.Add(time.Duration(*warm) * time.Second)))
		a := cpuNS(pid)
		time.Sleep(time.Until(t0.Add(time.Duration(*warm)*time.Second + window)))
		b := cpuNS(pid)
		total[i] = ticksMS(pid)
		perMin[i] = int64(float64(b-a) * float64(time.Minute) / float64(window))
		for {
			if _, ok := statusKB(pid, "VmHWM"); !ok {
				return
			}
			time.Sleep(50 * time.Millisecond) // until it exits
		}
	})
	if err != nil {
		return 1, err
	}
	for i, p := range ps {
		fmt.Fprintf(os.Stderr, "  %-10s idle CPU %.3f ms/min (window %v); utime+stime since start %d ms\n",
			p.name, float64(perMin[i])/1e6, window, total[i])
		if err := record(c.results, c.key+"."+p.name, strconv.FormatInt(perMin[i], 10),
			c.key+".total."+p.name, strconv.FormatInt(total[i], 10)); err != nil {
			return 1, err
		}
	}
	return 0, nil
}
