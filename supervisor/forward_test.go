//go:build linux

package supervisor

import (
	"bytes"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"runp/pty"
)

// forwardPTY opens a PTY whose slave is drained, with canonical mode and
// echo off (nothing waits for a newline or fills the master's buffer) and
// ISIG as isig, and returns a console that forwards into its master.
func forwardPTY(tb testing.TB, isig bool) *console {
	tb.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		tb.Skip(err)
	}
	tb.Cleanup(func() { _ = master.Close(); _ = slave.Close() })
	tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		tb.Fatal(err)
	}
	tio.Lflag &^= unix.ICANON | unix.ECHO | unix.ISIG
	if isig {
		tio.Lflag |= unix.ISIG
	}
	if err := unix.IoctlSetTermios(int(slave.Fd()), unix.TCSETS, tio); err != nil {
		tb.Fatal(err)
	}
	go func(slave *os.File) { _, _ = io.Copy(io.Discard, slave) }(slave)
	return &console{pty: &pty.PTY{In: master, Out: master}, stop: -1}
}

// TestForwardNotesSignalKeys: the interrupt and quit keys of the user's
// terminal count as the keyboard's only when that terminal had ISIG (keys
// set) and the PTY turns the same key into the signal.
func TestForwardNotesSignalKeys(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keys      uint32 // console.keys: VINTR | VQUIT<<8
		isig      bool   // the PTY's
		typed     string
		int, quit bool
	}{
		{"interrupt", 0x03 | 0x1c<<8, true, "ab\x03cd", true, false},
		{"quit", 0x03 | 0x1c<<8, true, "\x1c", false, true},
		{"plain text", 0x03 | 0x1c<<8, true, "abc", false, false},
		{"terminal without ISIG", 0, true, "\x03\x1c", false, false},
		{"PTY without ISIG", 0x03 | 0x1c<<8, false, "\x03\x1c", false, false},
		{"other interrupt key", 0x07, true, "\x03", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := forwardPTY(t, tc.isig)
			c.keys.Store(tc.keys)
			if err := c.forward([]byte(tc.typed)); err != nil {
				t.Fatal(err)
			}
			if got := c.fromKeyboard(unix.SIGINT); got != tc.int {
				t.Errorf("SIGINT from the keyboard: %v, want %v", got, tc.int)
			}
			if got := c.fromKeyboard(unix.SIGQUIT); got != tc.quit {
				t.Errorf("SIGQUIT from the keyboard: %v, want %v", got, tc.quit)
			}
			if c.fromKeyboard(unix.SIGTERM) {
				t.Error("SIGTERM from the keyboard")
			}
		})
	}
}

// BenchmarkForward is the keystroke relay's hot path: console.forward writes
// 4 KiB reads (a paste) into a real PTY master while the slave is drained.
// The PTY keeps ISIG, so each call looks at the PTY's modes and scans the
// bytes for the keys that signal.
func BenchmarkForward(b *testing.B) {
	c := forwardPTY(b, true)
	c.keys.Store(0x03 | 0x1c<<8)
	chunk := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz0123456789 "), 4096/37+1)[:4096]
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		if err := c.forward(chunk); err != nil {
			b.Fatal(err)
		}
	}
}
