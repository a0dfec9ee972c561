//go:build linux

package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"runp/internal/testenv"
)

func init() {
	// altscreen switches to the alternate screen, as a full-screen program
	// does, and waits. On SIGTERM, with "restore", it switches back and
	// exits; with "stay" it ignores SIGTERM, and dies of SIGKILL on the
	// alternate screen.
	helpers["altscreen"] = func(args []string) int {
		c := make(chan os.Signal, 1)
		if args[0] == "restore" {
			signal.Notify(c, unix.SIGTERM)
		} else {
			signal.Ignore(unix.SIGTERM)
		}
		fmt.Print("\x1b[?1049hready\n")
		if args[0] != "restore" {
			time.Sleep(time.Hour)
		}
		<-c
		fmt.Print("\x1b[?1049lbye\n")
		return 0
	}
}

// TestOutputOnFullDisk: runp's stdout on a full disk loses the output, not
// the command's status. Before, the relay hung the PTY up under the command
// at the first failed write, and runp exited 129 (SIGHUP).
func TestOutputOnFullDisk(t *testing.T) {
	for _, mode := range [][]string{nil, {"--no-pty"}, {"--idle-timeout", "1m"}} {
		t.Run(strings.Join(append([]string{"pty"}, mode...), " "), func(t *testing.T) {
			full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Skipf("no /dev/full: %v", err)
			}
			defer full.Close()
			tag := newTag(t)
			// The command writes for a while after the first failure.
			cmd := run{flags: mode, helper: "drip", args: []string{"20", "20ms", "3"}}.command(t, tag)
			cmd.Stdout = full
			var errb strings.Builder
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { killTagged(t, tag) })
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(testenv.Patience):
				t.Fatal("runp did not exit")
			}
			if status := cmd.ProcessState.ExitCode(); status != 3 {
				t.Errorf("status %d, want the command's 3; stderr:\n%s", status, errb.String())
			}
			if mode != nil && mode[0] == "--no-pty" {
				return // the command writes to /dev/full itself, and sees ENOSPC
			}
			if n := strings.Count(errb.String(), "runp: writing the command's output"); n != 1 {
				t.Errorf("said %d times that output was lost, want once; stderr:\n%s", n, errb.String())
			}
			noLeaks(t, tag)
		})
	}
}

// TestTerminalMessagesInRawMode: runp's own lines, and its -v log, end in
// "\r\n" while the terminal is raw; before, they went down a line without
// going back to the first column (a staircase).
func TestTerminalMessagesInRawMode(t *testing.T) {
	term := newTerminal(t, 24, 80)
	term.run("sleep", runpBin, "-v", "--timeout", "300ms", "--grace", "100ms", "--", os.Args[0])
	if status := term.wait(); status != 124 {
		t.Fatalf("status %d; screen:\n%q", status, term.text())
	}
	term.expect("timed out after 300ms")
	screen := term.text()
	if bare := strings.Count(screen, "\n") - strings.Count(screen, "\r\n"); bare != 0 {
		t.Fatalf("%d lines end in a bare \\n; screen:\n%q", bare, screen)
	}
}

// TestTerminalMessagesAfterFullScreen: a message that runp prints while a
// full-screen program holds the alternate screen (the timeout that ends
// it) is written once the normal screen is back, where the user sees it;
// if the program died on the alternate screen, runp switches back itself.
func TestTerminalMessagesAfterFullScreen(t *testing.T) {
	for _, how := range []string{"restore", "stay"} {
		t.Run(how, func(t *testing.T) {
			term := newTerminal(t, 24, 80)
			// The limit must fire after the helper is on the alternate
			// screen: 2s leaves a loaded machine room for two starts.
			term.run("altscreen", runpBin, "--timeout", "2s", "--grace", "100ms", "--", os.Args[0], how)
			if status := term.wait(); status != 124 {
				t.Fatalf("status %d; screen:\n%q", status, term.text())
			}
			term.expect("runp: timed out") // what runp wrote may still be on its way
			screen := term.text()
			enter := strings.Index(screen, "\x1b[?1049h")
			leave := strings.LastIndex(screen, "\x1b[?1049l")
			msg := strings.Index(screen, "runp: timed out")
			if enter < 0 || msg < 0 {
				t.Fatalf("no alternate screen or no message; screen:\n%q", screen)
			}
			if leave < enter || msg < leave {
				t.Fatalf("the message is not after the return to the normal screen; screen:\n%q", screen)
			}
			if strings.Count(screen, "runp: timed out") != 1 {
				t.Fatalf("the message is not there once; screen:\n%q", screen)
			}
		})
	}
}
