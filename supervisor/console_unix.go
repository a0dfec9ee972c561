//go:build unix

package supervisor

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"runp/pty"
)

// console is runp's side of the user's terminal in PTY mode: raw mode on
// runp's stdin, the keystroke relay into the PTY, and window sizes.
type console struct {
	in   *os.File // runp's stdin when the user types into the command, else nil
	size *os.File // a terminal of runp's to copy the window size from, or nil
	pty  *pty.PTY // the command's PTY

	// suspend handles the terminal's suspend key (Ctrl-Z); see relay.
	suspend func() bool
	// msgs learns when raw mode is on, so that runp's messages end their
	// lines in "\r\n" meanwhile; nil when stderr is not a terminal.
	msgs *messages

	mu      sync.Mutex
	restore func() error // non-nil while raw mode is on
	stop    int          // write end of the running relay's wake-up pipe, or -1

	// keys holds the user's terminal's interrupt and quit characters, c_cc
	// VINTR | VQUIT<<8 as they were before raw mode; 0 for none, all 0 if
	// that terminal did not generate signals. attach sets it, the relay
	// reads it: atomic, as a relay that detach stopped may still run.
	keys atomic.Uint32
	// keyed has a bit 1<<sig set once the relay has passed one of those
	// keys into a PTY that turned it into sig (SIGINT, SIGQUIT).
	keyed atomic.Uint32
}

// signalKeys are the signals of console.keys, in order.
// and signalIndex their indexes in c_cc.
var (
	signalKeys  = [2]syscall.Signal{unix.SIGINT, unix.SIGQUIT}
	signalIndex = [2]int{unix.VINTR, unix.VQUIT}
)

// newConsole prepares the console of a PTY about to start: with inTTY,
// cfg.Stdin is the user's keyboard; the window size is copied from the
// first of runp's stdout, stdin and stderr that is a terminal.
func newConsole(cfg *Config, inTTY bool) *console {
	c := &console{stop: -1}
	if inTTY {
		c.in = cfg.Stdin
	}
	for _, w := range []io.Writer{cfg.Stdout, cfg.Stdin, cfg.stderr} {
		if f, ok := w.(*os.File); ok && pty.IsTerminal(f) {
			c.size = f
			break
		}
	}
	return c
}

// resize copies runp's window size to the PTY.
func (c *console) resize() {
	_ = c.pty.Resize(c.windowSize()) // best effort: a failed resize must not end the run
}

// windowSize is runp's window size; with no terminal to copy from, it
// honours $COLUMNS and $LINES, else uses pty.DefaultSize.
func (c *console) windowSize() pty.Size {
	s := pty.DefaultSize
	if c.size != nil {
		if got, err := pty.GetSize(c.size); err == nil && got.Rows > 0 && got.Cols > 0 {
			s = got
		}
	} else {
		if n, err := strconv.ParseUint(os.Getenv("COLUMNS"), 10, 16); err == nil && n > 0 {
			s.Cols = uint16(n)
		}
		if n, err := strconv.ParseUint(os.Getenv("LINES"), 10, 16); err == nil && n > 0 {
			s.Rows = uint16(n)
		}
	}
	return s
}

// attach turns raw mode on and starts the keystroke relay, but only while
// runp is in the terminal's foreground: from the background, tcsetattr would
// stop runp with SIGTTOU and reading would stop it with SIGTTIN. It is called
// at start and again on SIGCONT, when a shell's `fg` brings runp forward.
func (c *console) attach() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.in == nil || c.restore != nil || !pty.IsForeground(c.in) {
		return nil
	}
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil { // no pipe2 on macOS
		return err
	}
	unix.CloseOnExec(p[0])
	unix.CloseOnExec(p[1])
	var keys uint32
	if tio, err := pty.Termios(c.in); err == nil && tio.Lflag&unix.ISIG != 0 {
		keys = uint32(tio.Cc[unix.VINTR]) | uint32(tio.Cc[unix.VQUIT])<<8
	}
	c.keys.Store(keys)
	restore, err := pty.MakeRaw(c.in)
	if err != nil {
		_ = unix.Close(p[0]) // best effort
		_ = unix.Close(p[1]) // best effort
		return err
	}
	c.restore, c.stop = restore, p[1]
	if c.msgs != nil {
		c.msgs.setRaw(true)
	}
	go c.relay(p[0])
	return nil
}

// detach restores the terminal's modes and stops the relay, so that runp in
// the background (after Ctrl-Z and `bg`) never reads the terminal; safe to
// call on every exit path.
func (c *console) detach() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.restore == nil {
		return nil
	}
	err := c.restore()
	c.restore = nil
	if c.msgs != nil {
		c.msgs.setRaw(false)
	}
	_ = unix.Close(c.stop) // best effort: wakes the relay's poll with POLLHUP
	c.stop = -1
	return err
}

// attached reports whether raw mode is on.
func (c *console) attached() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.restore != nil
}

// relay copies keystrokes from runp's terminal into the PTY until the
// wake-up pipe wake is closed. It polls stdin together with that pipe
// instead of blocking in read, so it can be stopped without setting
// O_NONBLOCK on a terminal that the user's shell shares.
func (c *console) relay(wake int) {
	defer func() { _ = unix.Close(wake) }() // best effort
	fds := []unix.PollFd{
		{Fd: int32(pty.Fd(c.in)), Events: unix.POLLIN},
		{Fd: int32(wake), Events: unix.POLLIN},
	}
	buf := make([]byte, 4096)
	for {
		_, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || fds[1].Revents != 0 {
			return
		}
		if fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) == 0 {
			continue
		}
		n, err := unix.Read(int(fds[0].Fd), buf)
		if errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN) {
			continue
		}
		if n <= 0 || err != nil {
			return // the terminal hung up
		}
		if err := c.forward(buf[:n]); err != nil {
			return
		}
	}
}

// noteKeys records in keyed which of the user's terminal's signal keys b
// holds that the PTY, with modes tio, turns into the same signal: what that
// terminal would have sent runp's process group, had it not been raw.
func (c *console) noteKeys(b []byte, tio *unix.Termios) {
	keys := c.keys.Load()
	for k, sig := range signalKeys {
		key := byte(keys >> (8 * k))
		// 0 disables a key on Linux, 0xff (_POSIX_VDISABLE) on the BSDs.
		if key == 0 || key == 0xff || tio.Cc[signalIndex[k]] != key {
			continue
		}
		if bytes.IndexByte(b, key) >= 0 {
			c.keyed.Or(1 << sig)
		}
	}
}

// fromKeyboard reports whether sig, the signal the command died of, is one
// that a key runp relayed could have made the PTY send (see noteKeys).
func (c *console) fromKeyboard(sig syscall.Signal) bool {
	return sig > 0 && sig < 32 && c.keyed.Load()&(1<<sig) != 0
}

// forward writes keystrokes into the PTY, except the suspend key when the
// command's job cannot be stopped by it.
//
// Why: the command leads a session of its own whose parent, runp, is outside
// it, so its process group is orphaned, and the kernel discards SIGTSTP from
// the terminal for orphaned process groups (POSIX job control). Ctrl-Z would
// do nothing. So while the PTY generates signals (ISIG) runp takes the
// suspend key itself and lets suspend stop the job; a job that a shell inside
// the PTY controls is not orphaned and gets the key as usual.
//
// It also notes the interrupt and quit keys that go through (see keyed).
func (c *console) forward(b []byte) error {
	for len(b) > 0 {
		i := -1
		if tio, err := pty.Termios(c.pty.Out); err == nil && tio.Lflag&unix.ISIG != 0 {
			c.noteKeys(b, tio)
			if susp := tio.Cc[unix.VSUSP]; susp != 0 {
				i = bytes.IndexByte(b, susp)
			}
		}
		if i < 0 || c.suspend == nil {
			_, err := c.pty.In.Write(b)
			return err
		}
		if _, err := c.pty.In.Write(b[:i]); err != nil {
			return err
		}
		if c.suspend() {
			b = b[i+1:]
		} else {
			if _, err := c.pty.In.Write(b[i : i+1]); err != nil {
				return err
			}
			b = b[i+1:]
		}
	}
	return nil
}
