//go:build unix

package supervisor

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"runp/pty"
)

// wire connects the command's stdio following the terminal rules of docs/design.md.
func (s *session) wire() error {
	c := s.cfg
	if c.NoPTY {
		s.cmd.stdin = c.Stdin
		var err error
		if s.cmd.stdout, err = s.output(c.Stdout); err != nil {
			return err
		}
		if s.cmd.stderr, err = s.output(c.stderr); err != nil {
			return err
		}
		// The child gets a process group of its own, and the terminal's
		// foreground with it, so that Ctrl-C reaches it once (from the
		// terminal), not twice (from the terminal and from runp).
		fg := c.Interactive && pty.IsTerminal(c.Stdin) && pty.IsForeground(c.Stdin)
		s.cmd.sys = &syscall.SysProcAttr{Setpgid: true, Foreground: fg, Ctty: pty.Fd(c.Stdin)}
		s.fgTaken, s.fgJob = fg, fg
		return nil
	}

	master, slave, err := pty.Open()
	if err != nil {
		return err
	}
	s.master, s.slave = master, slave
	// inTTY: the user types into the command through runp's terminal.
	outTTY, errTTY, inTTY := isTerminal(c.Stdout), isTerminal(c.stderr), c.Interactive && pty.IsTerminal(c.Stdin)
	if !outTTY {
		if err := pty.RawOutput(slave); err != nil {
			return err
		}
	}
	s.cmd.stdout = slave
	s.cmd.stdin = slave
	if !inTTY {
		s.cmd.stdin = c.Stdin // EOF and binary data pass untouched
		if !c.KeepPager {
			s.cmd.env = withoutPagers(s.cmd.env) // no keyboard: no pager
		}
	}
	if outTTY && errTTY {
		s.cmd.stderr = slave
	} else if s.cmd.stderr, err = s.output(c.stderr); err != nil {
		return err
	}
	// Fd 1 of the child is always the slave: it becomes the controlling
	// terminal of the child's new session.
	s.cmd.sys = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 1}
	if inTTY && c.JobControl && os.Getpid() != 1 {
		// At a terminal, a program that stops itself must be able to
		// (see monitor). As PID 1 nobody could resume it: runp cannot stop.
		s.mon = newMonitor(s.cmd)
	}

	var in, size *os.File
	if inTTY {
		in = c.Stdin
	}
	for _, w := range []io.Writer{c.Stdout, c.Stdin, c.stderr} {
		if f, ok := w.(*os.File); ok && pty.IsTerminal(f) {
			size = f
			break
		}
	}
	if s.con, err = newConsole(in, size, master); err != nil {
		return err
	}
	s.con.suspend = s.stopJob
	if errTTY {
		s.con.msgs = c.msgs
	}
	if outTTY && errTTY {
		// The command's screen and runp's messages are one.
		s.screen = &screen{}
	}
	s.con.resize()
	return nil
}

// afterStart drops runp's copies of the child's ends, so that EOF and EIO
// arrive when the command's side closes, and starts relaying the PTY.
func (s *session) afterStart() {
	s.closePipes()
	if s.slave != nil {
		_ = s.slave.Close() // best effort
		s.slave = nil
	}
	if s.master != nil {
		hooks := streamHooks{brokenPipe: s.brokenPipe, lost: s.lostOutput}
		if s.screen != nil {
			hooks.watch = s.watchScreen
		}
		s.streams = append(s.streams, startStream(s.master, s.cfg.Stdout, s.act, hooks))
		if err := s.con.attach(); err != nil {
			s.cfg.Logger.Debug("raw mode unavailable", "err", err)
		}
	}
}

// brokenPipe: runp's stdout reader went away. Run directly, the command would
// get SIGPIPE on its next write; give it that instead of a PTY that fills up.
func (s *session) brokenPipe() {
	_ = s.child.signal(unix.SIGPIPE, s.group()) // best effort
}

// releaseTerminal gives the user's terminal back the moment the command has
// exited, before the clean-up: from then on Ctrl-C reaches runp itself (and
// hurries the clean-up), and nothing typed goes into a dead PTY.
func (s *session) releaseTerminal() {
	if s.con != nil {
		_ = s.con.detach() // best effort
	}
	if s.fgTaken {
		takeForeground(s.cfg.Stdin)
		s.fgTaken = false
	}
}

// settleBound bounds settleOutput: the command has stopped, and what it
// wrote before is in the PTY already.
const settleBound = 200 * time.Millisecond

// settleOutput waits, within settleBound, until what the command wrote
// before it stopped has reached runp's stdout: a full-screen program leaves
// the alternate screen and then stops, and the user's shell must print its
// "Stopped" line on the normal screen. Polling with a bound: the PTY tells
// no one when it is empty.
func (s *session) settleOutput() {
	if s.master == nil || len(s.streams) == 0 {
		return
	}
	st := s.streams[len(s.streams)-1] // the PTY's (afterStart adds it last)
	deadline := time.Now().Add(settleBound)
	for time.Now().Before(deadline) {
		if n, err := pty.Pending(s.master); (err != nil || n == 0) && !st.busy.Load() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// drain waits for the command's output to end, within the drain bounds.
func (s *session) drain() {
	for _, st := range s.streams {
		st.drain(drainQuiet, drainMax)
		if st.readErr != nil {
			fmt.Fprintf(s.cfg.Stderr, "runp: reading the command's output: %v\n", st.readErr)
		}
	}
}

// watchScreen follows the command's output for the alternate screen, so
// that runp's messages wait while the command holds it (see MessageWriter).
// Lines wait from before the chunk that enters the alternate screen is
// written until after the one that leaves it is.
func (s *session) watchScreen(b []byte) (after func()) {
	s.screenMu.Lock()
	defer s.screenMu.Unlock()
	if !s.screen.feed(b) {
		return nil
	}
	if s.screen.alt {
		s.cfg.msgs.setAlt(true)
		return nil
	}
	return func() { s.cfg.msgs.setAlt(false) }
}

// endScreen gives the user back the normal screen if the command left the
// terminal on the alternate one (it was killed before it could restore
// it), and writes the messages held meanwhile.
func (s *session) endScreen() {
	if s.screen == nil {
		return
	}
	s.screenMu.Lock()
	defer s.screenMu.Unlock()
	if s.screen.alt {
		_, _ = io.WriteString(s.cfg.Stdout, "\x1b[?1049l") // best effort
		s.screen.alt = false
	}
	s.cfg.msgs.setAlt(false)
}

// closeAll releases everything on every exit path, including a failed start.
func (s *session) closeAll() {
	s.releaseTerminal()
	s.endScreen()
	if s.mon != nil {
		s.mon.close()
	}
	for _, f := range append(s.closers, s.slave, s.master) {
		if f != nil {
			_ = f.Close() // best effort
		}
	}
}

// takeForeground makes runp's group the terminal's foreground again after a
// --no-pty child held it. runp is in the background at that moment, and
// tcsetpgrp from the background raises SIGTTOU unless it is ignored.
func takeForeground(tty *os.File) {
	signal.Ignore(unix.SIGTTOU)
	defer signal.Reset(unix.SIGTTOU)
	_ = pty.SetForeground(tty, unix.Getpgrp()) // best effort
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && pty.IsTerminal(f)
}
