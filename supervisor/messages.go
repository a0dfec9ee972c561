package supervisor

import (
	"bytes"
	"io"
	"sync"
)

// MessageWriter returns the writer for runp's own messages to w (its
// stderr), for the Config's Stderr and for the Logger's handler, so that
// both follow the terminal while a Run has it:
//
//   - while the terminal is in raw mode, output post-processing is off, and
//     a bare "\n" would move down without going back to the first column:
//     every line ends in "\r\n" then;
//   - while the command holds the terminal's alternate screen (a full-screen
//     program: vim, less, top), a line written there would vanish when the
//     program restores the screen: it is held, and written once the screen
//     is the normal one again (the program left it, or runp restored it at
//     the end).
//
// A Run given another writer as Stderr wraps it itself; only then does a
// Logger writing to the same place miss the translation.
func MessageWriter(w io.Writer) io.Writer {
	if m, ok := w.(*messages); ok {
		return m
	}
	return &messages{w: w}
}

// messages is MessageWriter's writer.
type messages struct {
	w    io.Writer
	mu   sync.Mutex
	raw  bool     // the terminal is in raw mode
	alt  bool     // the command holds the alternate screen
	held [][]byte // lines written while alt
}

func (m *messages) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.alt {
		m.held = append(m.held, bytes.Clone(p))
		return len(p), nil
	}
	if _, err := m.w.Write(m.lines(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// lines returns p with "\r\n" line ends while the terminal is raw; the
// caller holds mu.
func (m *messages) lines(p []byte) []byte {
	if !m.raw || bytes.IndexByte(p, '\n') < 0 {
		return p
	}
	return bytes.ReplaceAll(bytes.ReplaceAll(p, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// setRaw records whether the terminal is in raw mode.
func (m *messages) setRaw(raw bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.raw = raw
}

// setAlt records whether the command holds the alternate screen; when it
// gives it up, the held lines are written.
func (m *messages) setAlt(alt bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alt = alt
	if alt {
		return
	}
	for _, p := range m.held {
		_, _ = m.w.Write(m.lines(p)) // best effort, as any message
	}
	m.held = nil
}

// screen follows, from the command's output, whether it has switched the
// terminal to the alternate screen: DEC private modes 47, 1047 and 1049,
// set with "ESC [ ? Pm h" and reset with "ESC [ ? Pm l". A sequence split
// between two reads is carried over to the next.
type screen struct {
	alt   bool
	carry []byte
}

// csiPrivate starts the sequences screen looks for.
var csiPrivate = []byte("\x1b[?")

// feed reads one chunk of output and reports whether alt changed.
func (sc *screen) feed(b []byte) bool {
	was := sc.alt
	if len(sc.carry) > 0 {
		b = append(sc.carry, b...)
		sc.carry = nil
	}
	for {
		i := bytes.Index(b, csiPrivate)
		if i < 0 {
			// Keep an ESC or "ESC [" at the very end: it may start one.
			for k := min(len(b), len(csiPrivate)-1); k > 0; k-- {
				if bytes.HasPrefix(csiPrivate, b[len(b)-k:]) {
					sc.carry = bytes.Clone(b[len(b)-k:])
					break
				}
			}
			return sc.alt != was
		}
		j := i + len(csiPrivate)
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == ';') {
			j++
		}
		if j == len(b) {
			if j-i < 64 { // longer is no mode switch anyone sends
				sc.carry = bytes.Clone(b[i:])
			}
			return sc.alt != was
		}
		if b[j] == 'h' || b[j] == 'l' {
			for _, mode := range bytes.Split(b[i+len(csiPrivate):j], []byte(";")) {
				switch string(mode) {
				case "47", "1047", "1049":
					sc.alt = b[j] == 'h'
				}
			}
		}
		b = b[j:]
	}
}
