//go:build linux

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"runp/internal/testenv"
	process "runp/proc"
	"runp/reaper"
)

// hostile are arguments a process may give itself to take over the terminal
// of whoever runs "runp ps": a title change ending in BEL, a screen clear, a
// fake line, a C1 CSI, a right-to-left override, and bytes that are not
// UTF-8.
var hostile = []string{"\x1b]0;pwned\a", "\x1b[2J", "fake\r\nsession x (runp 1): removed", "\u009b31m", "\u202eevil", "\xff\xfe"}

// escaped is how ps and reap show each of hostile.
var escaped = []string{`\x1b]0;pwned\a`, `\x1b[2J`, `fake\r\nsession x (runp 1): removed`, `\u009b31m`, `\u202eevil`, `\xff\xfe`}

// checkSafe fails unless out is UTF-8 with no control character but "\n",
// no unprintable rune, and holds each of escaped.
func checkSafe(t *testing.T, what, out string, escaped []string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: not UTF-8: %q", what, out)
	}
	for _, r := range out {
		if r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f || r == '\u202e' {
			t.Errorf("%s: prints %U raw: %q", what, r, out)
			break
		}
	}
	for _, e := range escaped {
		if !strings.Contains(out, e) {
			t.Errorf("%s: no %s in:\n%s", what, e, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "session x") {
			t.Errorf("%s: a process made a line of its own: %q", what, l)
		}
	}
}

// TestPsPrintsSafely: a live session whose command has hostile arguments
// (#11 point 11): ps escapes them, in the session's argv and in the
// recorded command; JSON keeps the exact strings.
func TestPsPrintsSafely(t *testing.T) {
	p := start(t, run{flags: []string{"--reap-interval", "20ms"}, helper: "sleep", args: hostile})
	p.expect("ready")
	var sessions []sessionJSON
	testenv.WaitFor(t, "the session recorded", func() bool {
		out, _, _ := runpCLI(t, "ps", "--json")
		sessions = nil
		_ = json.Unmarshal([]byte(out), &sessions)
		return len(sessions) == 1 && len(sessions[0].Processes) > 0
	})
	// JSON strings are UTF-8: the bytes that are not become U+FFFD there.
	valid := hostile[:len(hostile)-1]
	if argv := sessions[0].Argv; !slices.Equal(argv[len(argv)-len(hostile):len(argv)-1], valid) {
		t.Errorf("ps --json argv %q, want it to end with %q", argv, hostile)
	}
	if cmd := sessions[0].Processes[0].Command; !strings.Contains(cmd, strings.Join(valid, " ")) {
		t.Errorf("ps --json command %q, want %q in it", cmd, strings.Join(valid, " "))
	}
	out, _, status := runpCLI(t, "ps")
	if status != 0 {
		t.Fatalf("ps: status %d", status)
	}
	// The session file is TOML, always UTF-8: the registry keeps the bytes
	// that are not as the runes of the same numbers (\xff as ÿ).
	checkSafe(t, "ps", out, escaped[:len(escaped)-1])
	if n := strings.Count(out, "\n"); n != 2+len(sessions[0].Processes) {
		t.Errorf("ps: %d lines, want %d:\n%s", n, 2+len(sessions[0].Processes), out)
	}
	p.signal(15)
	p.wait()
}

// TestReapPrintsSafely: reap shows the recorded argv and, for a process
// found by its cookie only, its current command line, both escaped.
func TestReapPrintsSafely(t *testing.T) {
	dir := t.TempDir()
	id := deadSession(t, dir, "", hostile, "")
	s := namedSleeper(t, strings.Join(hostile, " "), reaper.SessionKey+"="+id)
	testenv.WaitFor(t, "the sleeper's exec", func() bool { return strings.Contains(process.Cmdline(s.Process.Pid), "pwned") })
	out, stderr, status := runpIn(t, dir, "reap", "--dry-run")
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	checkSafe(t, "reap --dry-run", out, escaped)
	if !strings.Contains(out, "cookie") {
		t.Errorf("the cookie carrier is not listed:\n%s", out)
	}
}

// TestJSONNotHTMLEscaped: the report, ps --json and reap --json write &&,
// < and > as they are (#12 point 8).
func TestJSONNotHTMLEscaped(t *testing.T) {
	const arg = "make && ./test <in >out"
	report := filepath.Join(t.TempDir(), "report.json")
	if _, _, status := runOnce(t, run{flags: []string{"--report", report}, helper: "exit", args: []string{"0", arg}}); status != 0 {
		t.Fatalf("status %d", status)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	deadSession(t, dir, "", []string{"sh", "-c", arg}, "")
	ps, _, _ := runpIn(t, dir, "ps", "--json")
	reap, _, _ := runpIn(t, dir, "reap", "--json", "--dry-run")
	for what, out := range map[string]string{"report": string(data), "ps --json": ps, "reap --json": reap} {
		if !strings.Contains(out, `"`+arg+`"`) || strings.Contains(out, `\u00`) {
			t.Errorf("%s: want %q as it is, got:\n%s", what, arg, out)
		}
	}
}
