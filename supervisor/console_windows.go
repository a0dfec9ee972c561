//go:build windows

package supervisor

import (
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"runp/pty"
)

// Window size changes are polled. Windows has no SIGWINCH; its
// WINDOW_BUFFER_SIZE_EVENT is an input record, queued among the keystrokes
// (only with ENABLE_WINDOW_INPUT), so it exists only when runp's stdin is
// the console and only for whoever reads the input records; and it reports
// the buffer size, which in a classic console with scrollback does not
// change when the window does. One GetConsoleScreenBufferInfo every 250 ms
// is cheap, takes nothing from the input (the relay drops such records, see
// pty.InputReader), follows the window in conhost and Windows Terminal
// alike, also when stdin is redirected, and shows a resize within a quarter
// of a second.
const resizePoll = 250 * time.Millisecond

// The input relay's stop: its read is cancelled, again every relayRetry (a
// CancelIoEx that lands just before a pipe read starts misses it), until
// the relay returns or relayStopMax has passed.
const (
	relayRetry   = 5 * time.Millisecond
	relayStopMax = 500 * time.Millisecond
)

// console is runp's side of the user's console in ConPTY mode: VT output,
// raw input, the input relay into the pseudo console, and window sizes.
type console struct {
	log        *slog.Logger
	restoreOut func() error // VT processing on runp's stdout, when a console
	in         *os.File     // runp's stdin, relayed into the pseudo console; nil if none
	typed      bool         // stdin is a pipe or a file: its line feeds become Enter
	restoreIn  func() error // raw mode, when stdin is a console
	size       *os.File     // a console screen buffer to copy the size from, or nil
	ownSize    bool         // size is a CONOUT$ opened here

	reader    *pty.InputReader
	stop      chan struct{}
	relayDone chan struct{} // nil unless the relay runs
	pollDone  chan struct{} // nil unless the poll runs
	stopOnce  sync.Once
	closeOnce sync.Once
}

// newConsole prepares runp's console before the pseudo console exists:
// VT output first, so that the pseudo console's first frame is interpreted,
// and raw mode, so that its cursor position request is answered.
func newConsole(c *Config) *console {
	con := &console{log: c.Logger, stop: make(chan struct{})}
	if f, ok := c.Stdout.(*os.File); ok && pty.IsTerminal(f) {
		restore, err := pty.EnableVTOutput(f)
		if err != nil {
			c.Logger.Debug("VT output unavailable", "err", err)
		} else {
			con.restoreOut = restore
		}
	}
	for _, w := range []io.Writer{c.Stdout, c.stderr} {
		if f, ok := w.(*os.File); ok && pty.IsTerminal(f) {
			con.size = f
			break
		}
	}
	if c.Stdin != nil {
		con.in = c.Stdin
		con.typed = !pty.IsTerminal(c.Stdin)
		if !con.typed {
			if c.Interactive {
				con.makeRaw(c.Stdin)
			} else {
				con.in = nil // the calling program's console is left alone
			}
			if con.size == nil {
				// Output redirected, input a console: the window the
				// user looks at is still that console's.
				if f, err := os.OpenFile("CONOUT$", os.O_RDWR, 0); err == nil {
					con.size, con.ownSize = f, true
				}
			}
		}
	}
	return con
}

// makeRaw puts the console input in raw mode for the relay.
func (con *console) makeRaw(in *os.File) {
	restore, err := pty.MakeRaw(in)
	if err != nil {
		con.log.Debug("raw mode unavailable", "err", err)
		return
	}
	con.restoreIn = restore
}

// inheritCursor reports whether the pseudo console may ask for the cursor
// position: only if the reply can come back, from a console that
// interprets the request (VT output) through a relay that reads it (raw VT
// input). Without it the pseudo console starts from the top left corner.
func (con *console) inheritCursor() bool {
	return con.restoreOut != nil && con.restoreIn != nil
}

// initialSize is the console window's size; with no console to copy from it
// honours $COLUMNS and $LINES, else uses pty.DefaultSize.
func (con *console) initialSize() pty.Size {
	if con.size != nil {
		if s, err := pty.GetSize(con.size); err == nil {
			return s
		}
	}
	s := pty.DefaultSize
	if n, err := strconv.ParseUint(os.Getenv("COLUMNS"), 10, 16); err == nil && n > 0 {
		s.Cols = uint16(n)
	}
	if n, err := strconv.ParseUint(os.Getenv("LINES"), 10, 16); err == nil && n > 0 {
		s.Rows = uint16(n)
	}
	return s
}

// start relays runp's stdin into the pseudo console and follows the window
// size, starting from size. Input that is not a console is relayed as if
// typed: the pseudo console is the command's only stdin. Its end is not
// passed on, since a console has no end of input.
func (con *console) start(pc *pty.PTY, size pty.Size) {
	if con.in != nil {
		reader, err := pty.NewInputReader(con.in)
		if err != nil {
			con.log.Debug("no input relay", "err", err)
		} else {
			con.reader = reader
			con.relayDone = make(chan struct{})
			go con.relay(pc.In)
		}
	}
	if con.size != nil {
		con.pollDone = make(chan struct{})
		go con.poll(pc, size)
	}
}

func (con *console) relay(dst *os.File) {
	defer close(con.relayDone)
	buf := make([]byte, 4096)
	var keys []byte
	var t typist
	for {
		select {
		case <-con.stop:
			return
		default:
		}
		n, err := con.reader.Read(buf)
		if n > 0 {
			in := buf[:n]
			if con.typed {
				keys = t.keys(keys[:0], in)
				in = keys
			}
			if _, werr := dst.Write(in); werr != nil {
				return // the pseudo console is closed
			}
		}
		if err != nil {
			return // end of a pipe or file, cancelled, or the console is gone
		}
	}
}

// typist turns the bytes of a pipe or file into what typing them sends: a
// line feed becomes the carriage return of the Enter key, since a console
// program reading lines ends a line on Enter; the line feed of a "\r\n"
// pair is dropped, as Enter has been sent already.
type typist struct{ afterCR bool }

func (t *typist) keys(dst, src []byte) []byte {
	for _, b := range src {
		switch {
		case b == '\n' && t.afterCR:
			// the second half of a CRLF: dropped
		case b == '\n':
			dst = append(dst, '\r')
		default:
			dst = append(dst, b)
		}
		t.afterCR = b == '\r'
	}
	return dst
}

func (con *console) poll(pc *pty.PTY, last pty.Size) {
	defer close(con.pollDone)
	t := time.NewTicker(resizePoll)
	defer t.Stop()
	for {
		select {
		case <-con.stop:
			return
		case <-t.C:
		}
		s, err := pty.GetSize(con.size)
		if err != nil || s == last {
			continue
		}
		if err := pc.Resize(s); err != nil {
			con.log.Debug("resize failed", "err", err)
			continue
		}
		last = s
	}
}

// stopInput stops the relay and the size poll and gives stdin its mode back.
// The relay waits for keys in a way Cancel ends at once (see
// pty.InputReader); a read of a pipe is cancelled with CancelIoEx. A relay
// that does not return all the same is left behind.
func (con *console) stopInput() {
	con.stopOnce.Do(func() {
		close(con.stop)
		if con.pollDone != nil {
			// Bounded: a resize waits for conhost, which may wait for an
			// answer to its cursor request that never comes; closing the
			// pseudo console (and, if need be, killing its conhost) ends it.
			select {
			case <-con.pollDone:
			case <-time.After(relayStopMax):
				con.log.Debug("resize poll did not stop")
			}
		}
		if con.relayDone != nil && con.stopRelay() {
			_ = con.reader.Close() // best effort: an event handle
		}
		if con.restoreIn != nil {
			if err := con.restoreIn(); err != nil {
				con.log.Debug("restore input mode", "err", err)
			}
		}
	})
}

// stopRelay cancels the relay's read until the relay has returned, within
// relayStopMax, and reports whether it has.
func (con *console) stopRelay() bool {
	deadline := time.Now().Add(relayStopMax)
	for {
		if err := con.reader.Cancel(); err != nil {
			con.log.Debug("cancel input relay", "err", err)
		}
		select {
		case <-con.relayDone:
			return true
		case <-time.After(relayRetry):
		}
		if time.Now().After(deadline) {
			con.log.Debug("input relay did not stop")
			return false
		}
	}
}

// close stops the input and restores the output mode; call it once the
// pseudo console's output has been drained, since its last frame needs VT
// processing too. It is safe to call again, on every exit path.
func (con *console) close() {
	con.stopInput()
	con.closeOnce.Do(func() {
		if con.restoreOut != nil {
			if err := con.restoreOut(); err != nil {
				con.log.Debug("restore output mode", "err", err)
			}
		}
		if con.ownSize {
			// The poll may still hold it (see stopInput): Close waits for
			// nothing and a later GetSize just fails.
			_ = con.size.Close() // best effort: read-only use
		}
	})
}
