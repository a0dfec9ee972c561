//go:build linux

package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// columns of the table, in order: runp, then the peers.
var columns = []string{"runp", "tini", "dumb-init", "catatonit", "unbuffer", "script", "floor", "cli-floor", "relay"}

// floorGoal bounds runp's start+exit against the floor's (figure 1).
const (
	floorGoal     = 1.3
	floorGoalText = "runp ≤ 1.3× Go floor"
)

// results is the key/value file the measuring commands append to.
type results map[string]string

func (r results) num(key string) (float64, bool) {
	v, ok := r[key]
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// goalRow is one line of the table: one goal of one figure.
type goalRow struct {
	figure string
	cells  map[string]string // column -> shown value
	ratio  string
	goal   string
	met    string // yes, no, or – when not measured
}

// cells formats key.<column> for every column that has a value.
func (r results) cells(key string, f func(float64) string) map[string]string {
	out := map[string]string{}
	for _, c := range columns {
		if v, ok := r.num(key + "." + c); ok {
			out[c] = f(v)
		}
	}
	return out
}

// compare builds a ratio row: a/b against limit, where atMost says which
// side of the limit meets the goal.
func (r results) compare(figure string, cells map[string]string, key, a, b string, limit float64, atMost bool, goal string) goalRow {
	row := goalRow{figure: figure, cells: cells, goal: goal, met: "–", ratio: "–"}
	va, oka := r.num(key + "." + a)
	vb, okb := r.num(key + "." + b)
	if !oka || !okb || vb == 0 {
		return row
	}
	x := va / vb
	row.ratio = fmt.Sprintf("%s/%s = %.2f", a, b, x)
	ok := x >= limit
	if atMost {
		ok = x <= limit
	}
	row.met = yesNo(ok)
	return row
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}

func fixed(prec int, scale float64) func(float64) string {
	return func(v float64) string { return strconv.FormatFloat(v*scale, 'f', prec, 64) }
}

func cmdTable(args []string) (int, error) {
	fs := flag.NewFlagSet("table", flag.ExitOnError)
	path := fs.String("results", "", "results file")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	r, err := load(*path)
	if err != nil {
		return 1, err
	}
	var rows []goalRow

	f1 := "1 start+exit, median ms"
	c1 := r.cells("start", fixed(2, 1e-6))
	rows = append(rows,
		r.compare(f1, c1, "start", "runp", "tini", 1.7, true, "runp ≤ 1.7× tini"),
		r.compare(f1, c1, "start", "unbuffer", "runp", 4, false, "≥ 4× faster than unbuffer"),
		r.compare(f1, c1, "start", "script", "runp", 4, false, "≥ 4× faster than script"),
		r.compare(f1, c1, "start", "runp", "floor", floorGoal, true, floorGoalText))
	if row, ok := r.goStart(); ok {
		rows = append(rows, row)
	}
	// The floor behind urfave/cli: where it misses the goal, so does any
	// program with runp's CLI.
	if _, ok := r.num("start.cli-floor"); ok {
		rows = append(rows, r.compare("(info) 1 the floor behind urfave/cli (bench/clifloor), median ms", c1, "start", "cli-floor", "floor", floorGoal, true, floorGoalText))
	}
	rows = append(rows, r.minimum()...)
	if row, ok := r.base(); ok {
		rows = append(rows, row)
	}

	f2 := "2 PTY throughput, MB/s"
	c2 := r.cells("tput.mbps", fixed(0, 1))
	rows = append(rows,
		r.compare(f2, c2, "tput.mbps", "runp", "relay", 0.95, false, "runp ≥ 0.95× bare relay"),
		r.compare(f2, c2, "tput.mbps", "runp", "script", 1.4, false, "runp ≥ 1.4× script"),
		// The bare relay is the least a PTY relay can do per chunk: where
		// it misses the goal, runp, which relays the same way, cannot meet it.
		r.compare("(info) 2 the bare relay against script, MB/s", c2, "tput.mbps", "relay", "script", 1.4, false, "runp ≥ 1.4× script"))
	exact := goalRow{figure: "2 bytes exact (sha256)", cells: map[string]string{}, ratio: "–", goal: "runp byte-exact", met: "–"}
	for _, c := range columns {
		if v, ok := r["exact."+c]; ok {
			exact.cells[c] = v
		}
	}
	if v, ok := exact.cells["runp"]; ok {
		exact.met = yesNo(v == "yes")
	}
	rows = append(rows, exact)

	c3 := r.cells("mem", fixed(2, 1.0/1024))
	rows = append(rows, r.limit("3 max RSS (VmHWM), MiB", c3, "mem.runp", 4*1024, "runp ≤ 4 MiB"))
	if _, ok := r.num("mem.cli-floor"); ok {
		rows = append(rows, r.limit("(info) 3 the floor behind urfave/cli, max RSS, MiB", c3, "mem.cli-floor", 4*1024, "runp ≤ 4 MiB"))
	}
	rows = append(rows, r.limit("4 idle CPU, ms per minute", r.cells("cpu", fixed(3, 1e-6)), "cpu.runp", 2e6, "runp ≤ 2 ms/min"))

	c5 := r.cells("cleanup", fixed(1, 1e-6))
	left := r.cells("cleanup.alive", fixed(0, 1))
	for c, v := range left {
		if c != "runp" {
			c5[c] = v + " left alive"
		}
	}
	rows = append(rows, r.limit("5 clean-up of 500 daemons: child exit → return, ms", c5, "cleanup.runp", 250e6, "runp ≤ 250 ms"))
	alive := goalRow{figure: "5 daemons alive after return", cells: left, ratio: "–", goal: "runp: 0", met: "–"}
	if v, ok := r.num("cleanup.alive.runp"); ok {
		alive.met = yesNo(v == 0)
	}
	rows = append(rows, alive)

	scan := goalRow{figure: "6 reaper tick, 10-process tree, µs: 0 → 2000 unrelated", cells: map[string]string{}, ratio: "–", goal: "ratio ≤ 1.2", met: "–"}
	a, oka := r.num("scan.0")
	b, okb := r.num("scan.2000")
	if oka && okb {
		scan.cells["runp"] = fmt.Sprintf("%.1f → %.1f", a/1e3, b/1e3)
		scan.ratio = fmt.Sprintf("2000/0 = %.2f", b/a)
		scan.met = yesNo(b/a <= 1.2)
	}
	rows = append(rows, scan)
	for _, m := range []struct{ key, figure, unit string }{
		{"micro.scan10", "(info) Go bench: reaper tick, 10 procs", "µs"},
		{"micro.scan100", "(info) Go bench: reaper tick, 100 procs", "µs"},
		{"micro.scan1000", "(info) Go bench: reaper tick, 1000 procs", "µs"},
		{"micro.relay", "(info) Go bench: PTY relay (stream)", "MB/s"},
		{"micro.regwrite", "(info) Go bench: registry write, 10 procs", "µs"},
		{"micro.cliparse", "(info) Go bench: urfave/cli parsing runp's command line, warm", "µs"},
	} {
		if v, ok := r.num(m.key); ok {
			s := fmt.Sprintf("%.1f %s", v/1e3, m.unit)
			if m.unit == "MB/s" {
				s = fmt.Sprintf("%.0f MB/s", v)
			}
			rows = append(rows, goalRow{figure: m.figure, cells: map[string]string{"runp": s}, ratio: "–", goal: "–", met: "–"})
		}
	}

	fmt.Printf("| figure | %s | ratio | goal | met |\n", strings.Join(columns, " | "))
	fmt.Printf("|---|%s---|---|---|\n", strings.Repeat("---|", len(columns)))
	for _, row := range rows {
		if len(row.cells) == 0 && row.met == "–" {
			continue // figure not run
		}
		var cs []string
		for _, c := range columns {
			v := row.cells[c]
			if v == "" {
				v = "–"
			}
			cs = append(cs, v)
		}
		fmt.Printf("| %s | %s | %s | %s | %s |\n", row.figure, strings.Join(cs, " | "), row.ratio, row.goal, row.met)
	}
	return 0, nil
}

// goStart is figure 1's Go start row: a Go program that exits at once
// ("floor -exit") against tini running /bin/true. Any Go wrapper pays at
// least this, so it bounds what runp/tini a Go program can reach.
func (r results) goStart() (goalRow, bool) {
	start, ok1 := r.num("start.go-start")
	tini, ok2 := r.num("start.tini")
	if !ok1 || !ok2 || tini == 0 {
		return goalRow{}, false
	}
	return goalRow{
		figure: "(info) 1 a Go program that exits at once, median ms",
		cells:  map[string]string{"floor": fmt.Sprintf("%.2f", start/1e6)},
		ratio:  fmt.Sprintf("Go start/tini = %.2f", start/tini),
		goal:   "–",
		met:    "–",
	}, true
}

// base is figure 1b (compare.sh -b REV): runp against a build of runp at
// another revision, both with the floor, in one interleaved run, to show
// what a change costs the start. The base's figure is in the ratio column:
// it has no column of its own.
func (r results) base() (goalRow, bool) {
	now, ok1 := r.num("base.runp")
	was, ok2 := r.num("base.base")
	floor, ok3 := r.num("base.floor")
	if !ok1 || !ok2 || !ok3 || was == 0 || floor == 0 {
		return goalRow{}, false
	}
	return goalRow{
		figure: fmt.Sprintf("(info) 1b start+exit against runp at %s (%.2f ms), median ms", r["base.rev"], was/1e6),
		cells:  map[string]string{"runp": fmt.Sprintf("%.2f", now/1e6), "floor": fmt.Sprintf("%.2f", floor/1e6)},
		ratio:  fmt.Sprintf("runp/base = %.3f; runp/floor %.2f, base/floor %.2f", now/was, now/floor, was/floor),
		goal:   "–",
		met:    "–",
	}, true
}

// minimum is figure 1m: builds of runp with bench/design-minimum.patch,
// which keep its CLI and, once the flags are parsed, only open a PTY,
// subscribe the first N of the signals runp subscribes, fork, exec and
// wait. Where such a build misses a goal of figure 1, runp, which does all
// that and more, cannot meet it.
func (r results) minimum() []goalRow {
	var rows []goalRow
	cells := r.cells("minimum", fixed(2, 1e-6))
	for _, n := range []string{"0", "4", "7"} {
		name := "min" + n
		v, ok := r.num("minimum." + name)
		if !ok {
			continue
		}
		figure := fmt.Sprintf("(info) 1m design minimum with %s signals: %.2f ms", n, v/1e6)
		rows = append(rows,
			r.compare(figure, cells, "minimum", name, "floor", floorGoal, true, floorGoalText),
			r.compare(figure, cells, "minimum", "unbuffer", name, 4, false, "≥ 4× faster than unbuffer"))
	}
	return rows
}

// limit builds a row whose goal is an absolute bound on runp's value.
func (r results) limit(figure string, cells map[string]string, key string, limit float64, goal string) goalRow {
	row := goalRow{figure: figure, cells: cells, ratio: "–", goal: goal, met: "–"}
	if v, ok := r.num(key); ok {
		row.met = yesNo(v <= limit)
	}
	return row
}

func load(path string) (results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only
	r := results{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "\t"); ok {
			r[k] = v
		}
	}
	return r, sc.Err()
}
