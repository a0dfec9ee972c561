//go:build linux

package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"runp/internal/testenv"
)

// A script's loop around runp: bash -c, a shell without job control, so
// runp is in the script's process group, the terminal's foreground. The
// echoes are computed so that nothing typed can match them.
func scriptLoop(t *testing.T) (bash, script string) {
	return mustLook(t, "bash"), fmt.Sprintf(
		"for i in 1 2; do %q -- %q; echo it-$((i*10)); done; echo loop-$((6*7))", runpBin, os.Args[0])
}

// TestCtrlCStopsAScriptLoop: Ctrl-C at a terminal stops a script's loop
// around runp, as it stops one around the command itself. A non-interactive
// bash stops only when it got SIGINT itself; with runp's terminal raw, the
// key went into runp's PTY and only the command got it, so the loop used
// to go on. runp now sends the signal to its process group, as the
// terminal would have.
func TestCtrlCStopsAScriptLoop(t *testing.T) {
	bash, script := scriptLoop(t)
	term := newTerminal(t, 24, 80)
	term.run("sleep", bash, "-c", script)
	term.expect("ready ")
	term.waitRaw() // runp has the terminal: Ctrl-C goes through its PTY
	term.typ("\x03")
	testenv.WaitFor(t, "bash to end after Ctrl-C", func() bool {
		screen := term.text()
		if strings.Contains(screen, "it-") || strings.Contains(screen, "loop-42") || strings.Count(screen, "ready ") > 1 {
			t.Fatalf("the loop went on after Ctrl-C; screen:\n%s", screen)
		}
		select {
		case <-term.done:
			return true
		default:
			return false
		}
	})
	status := term.wait()
	screen := term.text()
	if strings.Contains(screen, "it-") || strings.Contains(screen, "loop-42") {
		t.Fatalf("the loop went on after Ctrl-C; screen:\n%s", screen)
	}
	if status != 128+int(syscall.SIGINT) {
		t.Fatalf("bash ended with status %d, not by SIGINT; screen:\n%s", status, screen)
	}
}

// TestKillINTDoesNotStopAScriptLoop: a SIGINT sent to the command with kill,
// no key typed, reaches no one else, with runp as without it: runp dies of
// it, and the script, which got no SIGINT, goes on.
func TestKillINTDoesNotStopAScriptLoop(t *testing.T) {
	bash, script := scriptLoop(t)
	term := newTerminal(t, 24, 80)
	term.run("sleep", bash, "-c", script)
	ready := regexp.MustCompile(`ready (\d+)`)
	for i := 1; i <= 2; i++ {
		var pid int
		testenv.WaitFor(t, fmt.Sprintf("command %d to be ready", i), func() bool {
			m := ready.FindAllStringSubmatch(term.text(), -1)
			if len(m) < i {
				return false
			}
			pid, _ = strconv.Atoi(m[i-1][1])
			return true
		})
		if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		term.expect(fmt.Sprintf("it-%d", i*10))
	}
	term.expect("loop-42")
	if status := term.wait(); status != 0 {
		t.Fatalf("bash ended with status %d; screen:\n%s", status, term.text())
	}
}
