//go:build linux

package main

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"

	"runp/internal/testenv"
)

// TestFiftyAtOnce: 50 runps on one state dir. Every session records exactly
// its own processes (no lost, crossed or torn record), and a runp that ends
// kills its own tree and nothing of the others'.
func TestFiftyAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 150 processes")
	}
	const n = 50
	procs := make([]*proc, n)
	for i := range procs {
		procs[i] = start(t, run{helper: "leave", args: []string{"setsid", "stay"}})
	}
	want := map[int][]int{} // runp pid -> its child and descendant, sorted
	desc := make([]int, n)
	for i, p := range procs {
		d, err := strconv.Atoi(strings.Fields(p.expect("descendant "))[1])
		if err != nil {
			t.Fatal(err)
		}
		desc[i] = d
		kids := append(childrenOf(t, p.cmd.Process.Pid), d) // the child and its descendant
		sort.Ints(kids)
		want[p.cmd.Process.Pid] = kids
	}
	testenv.WaitFor(t, "every session recorded exactly", func() bool {
		out, stderr, status := runpCLI(t, "ps", "--json")
		if status != 0 || stderr != "" {
			t.Fatalf("ps: status %d, stderr %q", status, stderr)
		}
		var sessions []sessionJSON
		if err := json.Unmarshal([]byte(out), &sessions); err != nil {
			t.Fatalf("ps --json: %v", err)
		}
		if len(sessions) != n {
			return false
		}
		for _, s := range sessions {
			var got []int
			for _, p := range s.Processes {
				got = append(got, p.PID)
			}
			sort.Ints(got)
			w, ok := want[s.RunpPID]
			if !ok || !s.Live {
				t.Fatalf("session %s of runp %d: unknown or not live", s.Session, s.RunpPID)
			}
			if len(got) > len(w) {
				t.Fatalf("runp %d records %v, more than its own %v", s.RunpPID, got, w)
			}
			if fmtInts(got) != fmtInts(w) {
				return false // not yet recorded
			}
		}
		return true
	})
	for _, p := range procs[:n/2] {
		_ = p.stdin.Close()
	}
	for _, p := range procs[:n/2] {
		if status := p.wait(); status != 0 {
			t.Fatalf("status %d", status)
		}
	}
	for i := range procs {
		if got, want := alive(desc[i]), i >= n/2; got != want {
			t.Fatalf("runp #%d's descendant %d: alive %v, want %v", i, desc[i], got, want)
		}
	}
	for _, p := range procs[n/2:] {
		_ = p.stdin.Close()
		p.wait()
	}
	for i := range procs {
		if alive(desc[i]) {
			t.Errorf("descendant %d survived", desc[i])
		}
		noLeaks(t, procs[i].tag)
	}
	if out, _, _ := runpCLI(t, "ps", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("sessions left: %s", out)
	}
}

func fmtInts(a []int) string {
	s := make([]string, len(a))
	for i, v := range a {
		s[i] = strconv.Itoa(v)
	}
	return "[" + strings.Join(s, " ") + "]"
}
