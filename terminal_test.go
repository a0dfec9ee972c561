//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	cpty "github.com/creack/pty"
	"golang.org/x/sys/unix"

	"runp/internal/testenv"
)

// terminal is a user's terminal made for a test: runp runs as the session
// leader of an outer PTY, in its foreground, as it would from a shell.
type terminal struct {
	t             *testing.T
	master, slave *os.File
	mu            sync.Mutex
	screen        bytes.Buffer
	cmd           *exec.Cmd
	done          chan struct{}
}

func newTerminal(t *testing.T, rows, cols uint16) *terminal {
	t.Helper()
	master, slave, err := cpty.Open()
	if err != nil {
		t.Skipf("no PTY: %v", err)
	}
	t.Cleanup(func() { _ = master.Close(); _ = slave.Close() })
	if err := cpty.Setsize(master, &cpty.Winsize{Rows: rows, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, master: master, slave: slave, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			term.mu.Lock()
			term.screen.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return term
}

// run starts argv as the terminal's session leader and foreground job.
func (term *terminal) run(helper string, argv ...string) {
	t := term.t
	t.Helper()
	tag := newTag(t)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), helperEnv+"="+helper, tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = term.slave, term.slave, term.slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term.cmd = cmd
	t.Cleanup(func() { killTagged(t, tag) })
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() { _ = cmd.Wait(); close(term.done) }()
}

func (term *terminal) runp(helper string, args ...string) {
	term.run(helper, append([]string{runpBin, "--", os.Args[0]}, args...)...)
}

// expect waits until the screen shows s.
func (term *terminal) expect(s string) {
	term.t.Helper()
	testenv.WaitFor(term.t, "the terminal to show "+s, func() bool { return strings.Contains(term.text(), s) })
}

func (term *terminal) text() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.screen.String()
}

func (term *terminal) wait() int {
	term.t.Helper()
	awaitExit(term.t, term.done, func() string { return "screen:\n" + term.text() })
	return shellStatus(term.cmd.ProcessState)
}

func (term *terminal) modes() unix.Termios {
	term.t.Helper()
	tio, err := unix.IoctlGetTermios(int(term.slave.Fd()), unix.TCGETS)
	if err != nil {
		term.t.Fatal(err)
	}
	return *tio
}

// waitRaw waits until runp has put the terminal in raw mode: what a user
// types before that is the outer terminal's to echo.
func (term *terminal) waitRaw() {
	term.t.Helper()
	testenv.WaitFor(term.t, "raw mode", func() bool { return term.modes().Lflag&unix.ECHO == 0 })
}

func (term *terminal) typ(s string) {
	term.t.Helper()
	if _, err := term.master.Write([]byte(s)); err != nil {
		term.t.Fatal(err)
	}
}

func TestTerminalEverythingIsATerminal(t *testing.T) {
	term := newTerminal(t, 24, 80)
	term.runp("isatty")
	if status := term.wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
	term.expect("0:true 1:true 2:true")
}

func TestTerminalModesRestored(t *testing.T) {
	for _, tc := range []struct {
		name   string
		helper string
		args   []string
		status int
		kill   bool // send runp SIGTERM once the child is ready
	}{
		{"normal exit", "exit", []string{"0"}, 0, false},
		{"child killed", "selfkill", []string{"9"}, 137, false},
		{"runp gets SIGTERM", "sleep", nil, 143, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			term := newTerminal(t, 24, 80)
			before := term.modes()
			term.runp(tc.helper, tc.args...)
			if tc.kill {
				term.expect("ready")
				if during := term.modes(); during.Lflag&unix.ECHO != 0 {
					t.Fatal("the terminal is not in raw mode while the command runs")
				}
				if err := term.cmd.Process.Signal(syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			}
			if status := term.wait(); status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if after := term.modes(); after != before {
				t.Fatalf("terminal modes changed:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
	t.Run("command not executable", func(t *testing.T) {
		term := newTerminal(t, 24, 80)
		before := term.modes()
		term.run("exit", runpBin, "/etc/passwd")
		if status := term.wait(); status != 126 {
			t.Fatalf("status %d, want 126", status)
		}
		if after := term.modes(); after != before {
			t.Fatal("terminal modes changed")
		}
	})
}

func TestTerminalWindowSize(t *testing.T) {
	term := newTerminal(t, 30, 100)
	term.runp("size")
	term.expect("size 30 100")
	// Resizing the outer terminal sends runp SIGWINCH; runp resizes the PTY.
	if err := cpty.Setsize(term.master, &cpty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	term.expect("size 40 120")
	term.typ("\x04") // Ctrl-D: EOF on the child's stdin
	if status := term.wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
}

func TestTerminalKeystrokes(t *testing.T) {
	term := newTerminal(t, 24, 80)
	term.runp("signals")
	term.expect("ready")
	// Raw mode: Ctrl-C is a byte that runp relays; the PTY's line discipline
	// turns it into SIGINT for the command.
	term.typ("\x03")
	term.expect("got SIGINT")
	term.typ("\x1c") // Ctrl-\ : SIGQUIT
	term.expect("got SIGQUIT")
	term.typ("\x04") // Ctrl-D at the start of a line: EOF
	if status := term.wait(); status != 0 {
		t.Fatalf("status %d; screen:\n%s", status, term.text())
	}
}

func TestTerminalTyping(t *testing.T) {
	term := newTerminal(t, 24, 80)
	term.runp("cat")
	term.waitRaw()
	term.typ("hello runp\r")
	testenv.WaitFor(t, "the line echoed and printed", func() bool {
		return strings.Count(term.text(), "hello runp") == 2
	})
	term.typ("\x04")
	if status := term.wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
}

// TestTerminalBackgroundJob: runp started in the background of a shell must
// not touch the terminal's modes, or the kernel stops it with SIGTTOU.
func TestTerminalBackgroundJob(t *testing.T) {
	term := newTerminal(t, 24, 80)
	before := term.modes()
	term.run("bgshell", os.Args[0], "exit", runpBin, "--", os.Args[0], "0")
	if status := term.wait(); status != 0 {
		t.Fatalf("status %d; screen:\n%s", status, term.text())
	}
	term.expect("bgshell: runp exited 0")
	if after := term.modes(); after != before {
		t.Fatal("terminal modes changed")
	}
}

func TestBackgroundHolderDoesNotHang(t *testing.T) {
	p := start(t, run{helper: "bgholder"})
	p.expect("grandchild ")
	if status := p.wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
	// A leftover that writes without end, left alive on purpose: the output
	// is cut after the drain bound, and runp returns.
	p = start(t, run{flags: []string{"--on-exit", "leave"}, helper: "spew"})
	p.expect("descendant ")
	if status := p.wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
}

// TestTerminalCtrlCDuringCleanUp: once the command has exited, the terminal
// is the user's again; Ctrl-C reaches runp and turns --on-exit wait into a
// clean-up.
func TestTerminalCtrlCDuringCleanUp(t *testing.T) {
	term := newTerminal(t, 24, 80)
	before := term.modes()
	term.run("leave", runpBin, "-v", "--on-exit", "wait", "--grace", "200ms", "--", os.Args[0], "ignoreterm")
	term.expect("waiting for descendants")
	if after := term.modes(); after != before {
		t.Fatal("terminal still in raw mode while runp waits for descendants")
	}
	term.typ("\x03")
	if status := term.wait(); status != 0 {
		t.Fatalf("status %d; screen:\n%s", status, term.text())
	}
	term.expect("signal=SIGKILL") // the descendant ignores SIGTERM
}

// TestTerminalCtrlZ: Ctrl-Z stops the command; runp gives the shell its
// terminal back, modes restored, and stops too; `fg` resumes both.
func TestTerminalCtrlZ(t *testing.T) {
	for _, mode := range [][]string{nil, {"--no-pty"}} {
		t.Run(strings.Join(append([]string{"pty"}, mode...), " "), func(t *testing.T) {
			term := newTerminal(t, 24, 80)
			args := append(append([]string{"jobshell", os.Args[0], "sleep", runpBin}, mode...), "--", os.Args[0])
			term.run(args[0], args[1:]...)
			term.expect("ready")
			if mode == nil {
				term.waitRaw()
			}
			term.typ("\x1a") // Ctrl-Z
			term.expect("jobshell: stopped, modes restored true")
			if mode == nil {
				term.waitRaw() // resumed in the foreground: raw again
			} else {
				// The command's group has the terminal again.
				testenv.WaitFor(t, "the command in the foreground", func() bool {
					pgrp, err := unix.IoctlGetInt(int(term.master.Fd()), unix.TIOCGPGRP)
					return err == nil && strings.Contains(term.text(), "ready "+strconv.Itoa(pgrp))
				})
			}
			term.typ("\x03")
			term.expect("jobshell: exited 130")
			if status := term.wait(); status != 0 {
				t.Fatalf("status %d; screen:\n%s", status, term.text())
			}
		})
	}
}
