//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageErrors: a mistake in runp's command line gets one line that names
// the option as it was typed and says what is wrong, and exit status 125
// before anything runs (#12 point 6, #11 point 14).
func TestUsageErrors(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"--timeout", "banana"}, `--timeout: "banana" is not a duration (for example 300ms, 10s, 5m)`},
		{[]string{"-t", "banana"}, `-t: "banana" is not a duration (for example 300ms, 10s, 5m)`},
		{[]string{"-timeout=banana"}, `-timeout: "banana" is not a duration (for example 300ms, 10s, 5m)`},
		{[]string{"--grace", "5"}, `--grace: "5" is not a duration (for example 300ms, 10s, 5m)`},
		{[]string{"--no-such-flag"}, "unknown option --no-such-flag (see runp --help)"},
		{[]string{"-no-such-flag"}, "unknown option -no-such-flag (see runp --help)"},
		{[]string{"--no-pty", "--x=1"}, "unknown option --x (see runp --help)"},
		{[]string{"--timeout", "-1s"}, "--timeout must not be negative (got -1s)"},
		{[]string{"-t", "-1s"}, "-t must not be negative (got -1s)"},
		{[]string{"--idle-timeout", "-1s"}, "--idle-timeout must not be negative (got -1s)"},
		{[]string{"--retry-delay=-1ms"}, "--retry-delay must not be negative (got -1ms)"},
		{[]string{"--grace", "-2s"}, "--grace must not be negative (got -2s)"},
		{[]string{"--reap-interval", "-1s"}, "--reap-interval must not be negative (got -1s)"},
		{[]string{"--retries", "-1"}, "--retries must not be negative (got -1)"},
		{[]string{"--retries", "two"}, `--retries: "two" is not a whole number`},
		{[]string{"--no-pty=maybe"}, `--no-pty: "maybe" is not true or false`},
		{[]string{"--on-exit", "stay"}, `--on-exit: "stay" is not kill, wait or leave`},
		{[]string{"--stop-signal", "SIGFOO"}, `--stop-signal: "SIGFOO" is not a signal (for example TERM, INT, KILL)`},
		{[]string{"--report", "r.json", "-v", "--timeout"}, "--timeout needs a value"},
		{[]string{"ps", "--no-such-flag"}, "runp ps has no option --no-such-flag (see runp ps --help)"},
		{[]string{"reap", "--grace", "x"}, `--grace: "x" is not a duration (for example 300ms, 10s, 5m)`},
		{[]string{"reap", "--grace=-1s"}, "--grace must not be negative (got -1s)"},
		{[]string{"reap", "--stop-signal", "NOPE"}, `--stop-signal: "NOPE" is not a signal (for example TERM, INT, KILL)`},
	} {
		argv := append(tc.argv, "--", "touch", marker)
		if tc.argv[0] == "ps" || tc.argv[0] == "reap" || strings.HasSuffix(tc.want, "needs a value") {
			argv = tc.argv
		}
		out, stderr, status := runpCLI(t, argv...)
		if status != 125 || stderr != "runp: "+tc.want+"\n" || out != "" {
			t.Errorf("runp %s: status %d, stdout %q, stderr %q; want 125 and %q", strings.Join(tc.argv, " "), status, out, stderr, "runp: "+tc.want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("runp %s ran the command", strings.Join(tc.argv, " "))
		}
	}
}
