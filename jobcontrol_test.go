//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"runp/internal/testenv"
)

func init() {
	// selfstop stops itself as vim does: it reads keys in raw mode, and on
	// Ctrl-Z restores the terminal's modes and calls kill(0, SIGTSTP);
	// "q" makes it exit 7.
	helpers["selfstop"] = func([]string) int {
		old, err := term.MakeRaw(0)
		if err != nil {
			fmt.Println("selfstop:", err)
			return 1
		}
		defer func() { _ = term.Restore(0, old) }()
		fmt.Printf("selfstop: ready %d\r\n", os.Getpid())
		b := make([]byte, 1)
		for {
			if n, err := os.Stdin.Read(b); n == 0 || err != nil {
				return 1
			}
			switch b[0] {
			case 0x1a:
				_ = term.Restore(0, old)
				fmt.Print("selfstop: suspending\n")
				_ = unix.Kill(0, unix.SIGTSTP)
				_, _ = term.MakeRaw(0)
				fmt.Print("selfstop: resumed\r\n")
			case 'q':
				return 7
			}
		}
	}
}

// TestTerminalSelfStop: a program that reads Ctrl-Z in raw mode and stops
// itself with kill(0, SIGTSTP), as vim does, stops under runp as without
// it: an interactive bash prints its stopped-job line and has the terminal
// back, and `fg` resumes the program. Before, the kernel dropped the
// SIGTSTP (the command's process group was orphaned) and nothing happened.
func TestTerminalSelfStop(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	term := newTerminal(t, 24, 80)
	term.run("selfstop", "env", "PS1=bash$ ", "bash", "--norc", "--noprofile", "-i")
	term.expect("bash$ ")
	term.typ(runpBin + " -- " + os.Args[0] + "\r")
	term.expect("selfstop: ready")
	term.waitRaw()
	// The session records the command as runp's child (role child), though
	// its parent is the monitor that started it.
	var cmdPID int
	if i := strings.Index(term.text(), "selfstop: ready "); i >= 0 {
		cmdPID, _ = strconv.Atoi(strings.Fields(term.text()[i+len("selfstop: ready "):])[0])
	}
	testenv.WaitFor(t, "the command recorded as the child", func() bool {
		out, _, _ := runpCLI(t, "ps", "--json")
		var sessions []sessionJSON
		_ = json.Unmarshal([]byte(out), &sessions)
		roles := map[string]processJSON{}
		for _, s := range sessions {
			for _, pr := range s.Processes {
				roles[pr.Role] = pr
			}
		}
		child, mon := roles["child"], roles["monitor"]
		return child.PID == cmdPID && mon.PID != 0 && child.PPID == mon.PID
	})
	term.typ("\x1a")
	term.expect("selfstop: suspending")
	term.expect("Stopped")
	// The shell has the terminal back: it reads and runs a command.
	term.typ("echo back $((6*7))\r")
	term.expect("back 42")
	term.typ("fg\r")
	term.expect("selfstop: resumed")
	term.waitRaw()
	prompts := strings.Count(term.text(), "bash$ ")
	term.typ("q")
	// Once runp has exited, bash prompts again.
	testenv.WaitFor(t, "the prompt after runp", func() bool { return strings.Count(term.text(), "bash$ ") > prompts })
	term.typ("echo status $?\r")
	term.expect("status 7")
	term.typ("exit\r")
	if status := term.wait(); status != 0 {
		t.Fatalf("bash exited %d; screen:\n%q", status, term.text())
	}
}

// TestTerminalSignalsOnce: at a terminal the command runs under runp's
// job-control monitor, which forwards nothing: every signal runp passes on,
// and the clean-up's stop signal, reaches the command once.
func TestTerminalSignalsOnce(t *testing.T) {
	term := newTerminal(t, 24, 80)
	term.run("signals", runpBin, "--timeout", "2s", "--grace", "300ms", "--", os.Args[0])
	term.expect("ready")
	term.waitRaw()
	if err := term.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	term.expect("got SIGUSR1")
	if status := term.wait(); status != 124 {
		t.Fatalf("status %d; screen:\n%q", status, term.text())
	}
	term.expect("got SIGTERM")
	term.expect("runp: timed out")
	for _, sig := range []string{"SIGUSR1", "SIGTERM"} {
		if n := strings.Count(term.text(), "got "+sig); n != 1 {
			t.Errorf("the command got %s %d times, want once; screen:\n%q", sig, n, term.text())
		}
	}
	// With -g, to the PTY's foreground group: the command and its child.
	term = newTerminal(t, 24, 80)
	term.run("group", runpBin, "-g", "--", os.Args[0])
	testenv.WaitFor(t, "both processes ready", func() bool { return strings.Count(term.text(), "ready ") == 2 })
	term.waitRaw()
	if err := term.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, "both processes of the group signalled", func() bool { return strings.Count(term.text(), "got SIGUSR1") == 2 })
	term.typ("\x04")
	if status := term.wait(); status != 0 {
		t.Fatalf("status %d; screen:\n%q", status, term.text())
	}
}
