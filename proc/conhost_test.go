package proc

import (
	"slices"
	"testing"
)

func TestSelectConhosts(t *testing.T) {
	const (
		runp      = 4000
		notBefore = 1_000_000
	)
	snapshot := []ProcInfo{
		{PID: 4000, PPID: 900, Name: "runp.exe", Start: 900_000},                               // runp itself
		{PID: 4001, PPID: 4000, Name: "conhost.exe", Start: notBefore},                         // created exactly at the bound: ours
		{PID: 4002, PPID: 4000, Name: "CONHOST.EXE", Start: notBefore + 5},                     // letter case does not matter
		{PID: 4003, PPID: 4000, Name: `C:\Windows\System32\ConHost.exe`, Start: notBefore + 9}, // a full path names it too
		{PID: 4010, PPID: 4000, Name: "conhost.exe", Start: notBefore - 1},                     // runp's PID's earlier incarnation, or runp's own console
		{PID: 4011, PPID: 4000, Name: "conhost.exe", Start: 0},                                 // start unknown: never ours
		{PID: 4012, PPID: 4001, Name: "conhost.exe", Start: notBefore + 1},                     // a grandchild: not created by runp
		{PID: 4013, PPID: 5000, Name: "conhost.exe", Start: notBefore + 1},                     // another parent's console host
		{PID: 4014, PPID: 4000, Name: "cmd.exe", Start: notBefore + 1},                         // runp's child, but no console host
		{PID: 4015, PPID: 4000, Name: "conhost.exe.bak", Start: notBefore + 1},                 // a name that only starts right
		{PID: 4016, PPID: 4000, Name: "myconhost.exe", Start: notBefore + 1},                   // a name that only ends right
		{PID: 4000, PPID: 4000, Name: "conhost.exe", Start: notBefore + 1},                     // a self-loop never selects runp
		{PID: 0, PPID: 4000, Name: "conhost.exe", Start: notBefore + 1},                        // the idle process row
	}
	got := SelectConhosts(snapshot, runp, notBefore)
	var pids []int
	for _, p := range got {
		pids = append(pids, p.PID)
	}
	if want := []int{4001, 4002, 4003}; !slices.Equal(pids, want) {
		t.Errorf("SelectConhosts picked %v, want %v", pids, want)
	}
	if got[0] != snapshot[1] {
		t.Errorf("SelectConhosts changed the row: %+v, want %+v", got[0], snapshot[1])
	}
	if got := SelectConhosts(nil, runp, notBefore); got != nil {
		t.Errorf("SelectConhosts(nil) = %v", got)
	}
}

func TestBaseName(t *testing.T) {
	for in, want := range map[string]string{
		"conhost.exe":                     "conhost.exe",
		`C:\Windows\System32\conhost.exe`: "conhost.exe",
		"/usr/bin/x":                      "x",
		`dir\`:                            "",
		"":                                "",
	} {
		if got := baseName(in); got != want {
			t.Errorf("baseName(%q) = %q, want %q", in, got, want)
		}
	}
}
