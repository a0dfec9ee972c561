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

// wire connects the command's stdio following the terminal rules of
// docs/design.md.
func (a *attemptState) wire() error {
	if a.cfg.NoPTY {
		return a.wirePlain()
	}
	return a.wirePTY()
}

// wirePlain gives the command runp's stdio (NoPTY), the outputs through
// pipes when they are not files.
func (a *attemptState) wirePlain() error {
	c := a.cfg
	a.cmd.stdin = c.Stdin
	var err error
	if a.cmd.stdout, err = a.output(c.Stdout); err != nil {
		return err
	}
	if a.cmd.stderr, err = a.output(c.stderr); err != nil {
		return err
	}
	// The child gets a process group of its own, and the terminal's
	// foreground with it, so that Ctrl-C reaches it once (from the
	// terminal), not twice (from the terminal and from runp).
	fg := c.Interactive && pty.IsTerminal(c.Stdin) && pty.IsForeground(c.Stdin)
	a.cmd.sys = &syscall.SysProcAttr{Setpgid: true, Foreground: fg, Ctty: pty.Fd(c.Stdin)}
	a.fgTaken, a.fgJob = fg, fg
	return nil
}

// wirePTY opens the command's PTY, says which of its stdio are the PTY,
// and prepares runp's console around it; command.start starts the command
// in it.
func (a *attemptState) wirePTY() error {
	c := a.cfg
	// inTTY: the user types into the command through runp's terminal.
	outTTY, errTTY, inTTY := isTerminal(c.Stdout), isTerminal(c.stderr), c.Interactive && pty.IsTerminal(c.Stdin)
	a.con = newConsole(c, inTTY)
	p, err := pty.New(pty.Options{Size: a.con.windowSize(), RawOutput: !outTTY})
	if err != nil {
		return err
	}
	a.pty, a.con.pty, a.cmd.pty = p, p, p
	if !inTTY {
		a.cmd.stdin = c.Stdin // EOF and binary data pass untouched
		if !c.KeepPager {
			a.cmd.env = withoutPagers(a.cmd.env) // no keyboard: no pager
		}
	}
	if !outTTY || !errTTY {
		if a.cmd.stderr, err = a.output(c.stderr); err != nil {
			return err
		}
	}
	if inTTY && c.JobControl && os.Getpid() != 1 {
		// At a terminal, a program that stops itself must be able to
		// (see monitor). As PID 1 nobody could resume it: runp cannot stop.
		a.mon = newMonitor(a.cmd)
	}
	a.con.suspend = a.stopJob
	if errTTY {
		a.con.msgs = c.msgs
	}
	if outTTY && errTTY {
		// The command's screen and runp's messages are one.
		a.screen = &screen{}
	}
	return nil
}

// afterStart drops runp's copies of the child's ends, so that EOF and EIO
// arrive when the command's side closes, and starts relaying the PTY.
func (a *attemptState) afterStart() {
	a.closePipes()
	if a.pty != nil {
		hooks := streamHooks{brokenPipe: a.brokenPipe, lost: a.lostOutput}
		if a.screen != nil {
			hooks.watch = a.watchScreen
		}
		a.streams = append(a.streams, startStream(a.pty.Out, a.cfg.Stdout, a.act, hooks))
		if err := a.con.attach(); err != nil {
			a.cfg.Logger.Debug("raw mode unavailable", "err", err)
		}
	}
}

// brokenPipe: runp's stdout reader went away. Run directly, the command would
// get SIGPIPE on its next write; give it that instead of a PTY that fills up.
func (a *attemptState) brokenPipe() {
	_ = a.child.signal(unix.SIGPIPE, a.group()) // best effort
}

// releaseTerminal gives the user's terminal back the moment the command has
// exited, before the clean-up: from then on Ctrl-C reaches runp itself (and
// hurries the clean-up), and nothing typed goes into a dead PTY.
func (a *attemptState) releaseTerminal() {
	if a.con != nil {
		_ = a.con.detach() // best effort
	}
	if a.fgTaken {
		takeForeground(a.cfg.Stdin)
		a.fgTaken = false
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
func (a *attemptState) settleOutput() {
	if a.pty == nil || len(a.streams) == 0 {
		return
	}
	st := a.streams[len(a.streams)-1] // the PTY's (afterStart adds it last)
	deadline := time.Now().Add(settleBound)
	for time.Now().Before(deadline) {
		if n, err := pty.Pending(a.pty.Out); (err != nil || n == 0) && !st.busy.Load() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// finish runs once the child has exited and the tree is dealt with: it
// drains the output and returns the command's status, and whether the
// signal that ended it came from the user's keyboard (see Result.Keyboard).
func (a *attemptState) finish() (ws syscall.WaitStatus, keyboard bool, err error) {
	a.drain()
	ws = a.child.result()
	return ws, ws.Signaled() && a.con != nil && a.con.fromKeyboard(ws.Signal()), nil
}

// drain waits for the command's output to end, within the drain bounds.
func (a *attemptState) drain() {
	for _, st := range a.streams {
		st.drain(drainQuiet, drainMax)
		if st.readErr != nil {
			fmt.Fprintf(a.cfg.Stderr, "runp: reading the command's output: %v\n", st.readErr)
		}
	}
}

// watchScreen follows the command's output for the alternate screen, so
// that runp's messages wait while the command holds it (see MessageWriter).
// Lines wait from before the chunk that enters the alternate screen is
// written until after the one that leaves it is.
func (a *attemptState) watchScreen(b []byte) (after func()) {
	a.screenMu.Lock()
	defer a.screenMu.Unlock()
	if !a.screen.feed(b) {
		return nil
	}
	if a.screen.alt {
		a.cfg.msgs.setAlt(true)
		return nil
	}
	return func() { a.cfg.msgs.setAlt(false) }
}

// endScreen gives the user back the normal screen if the command left the
// terminal on the alternate one (it was killed before it could restore
// it), and writes the messages held meanwhile.
func (a *attemptState) endScreen() {
	if a.screen == nil {
		return
	}
	a.screenMu.Lock()
	defer a.screenMu.Unlock()
	if a.screen.alt {
		_, _ = io.WriteString(a.cfg.Stdout, "\x1b[?1049l") // best effort
		a.screen.alt = false
	}
	a.cfg.msgs.setAlt(false)
}

// closeAll releases everything on every exit path, including a failed start.
func (a *attemptState) closeAll() {
	if a.unpin != nil {
		a.unpin()
	}
	a.releaseTerminal()
	a.endScreen()
	if a.mon != nil {
		a.mon.close()
	}
	for _, f := range a.closers {
		_ = f.Close() // best effort
	}
	if a.pty != nil {
		_ = a.pty.Close() // best effort
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
