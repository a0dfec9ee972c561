//go:build windows

package pty

import (
	"errors"
	"fmt"
	"os"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/sys/windows"
)

// errCancelled is returned by InputReader.Read after Cancel.
var errCancelled = errors.New("pty: input read cancelled")

var (
	procPeekConsoleInputW = kernel32.NewProc("PeekConsoleInputW")
	procReadConsoleInputW = kernel32.NewProc("ReadConsoleInputW")
)

// inputRecord is INPUT_RECORD with its union read as a KEY_EVENT_RECORD:
// a WORD, two bytes of padding (the union holds a BOOL), then 16 bytes.
type inputRecord struct {
	EventType       uint16
	_               uint16
	KeyDown         int32
	RepeatCount     uint16
	VirtualKeyCode  uint16
	VirtualScanCode uint16
	UnicodeChar     uint16
	ControlKeyState uint32
}

// InputReader reads runp's standard input for a pseudo console: from a
// console, the keystrokes as UTF-8 (VT sequences in raw mode); from a pipe or
// a file, its bytes as they are. Cancel ends a Read that is waiting.
//
// A console is read with ReadConsoleW directly rather than through os.File,
// which treats Ctrl-Z (0x1A) as an end-of-file mark and drops it: a program
// in a raw-mode terminal must receive it like any other key.
//
// ReadConsoleW is only called when a key press is waiting, so that the
// reader never sits in it: a read blocked in the console cannot be relied
// on to be cancelled, and one left behind would take the next key the user
// types for runp's shell. Until then the reader waits on the console input
// handle and on an event that Cancel sets. The input records that make no
// text (focus, mouse, menu and buffer size events, key releases, modifier
// keys alone) wake the wait without being readable as text, and are
// removed: ReadConsoleW would skip them too.
type InputReader struct {
	f       *os.File
	h       windows.Handle
	console bool
	stop    windows.Handle // manual-reset event that Cancel sets; console only
	records []inputRecord
	units   [1024]uint16
	high    uint16 // a high surrogate whose low half is still to come, or 0
	pending []byte // decoded UTF-8 not returned yet
}

// NewInputReader returns a reader of f; Close releases it.
func NewInputReader(f *os.File) (*InputReader, error) {
	r := &InputReader{f: f, h: handle(f), console: IsTerminal(f)}
	if r.console {
		ev, err := windows.CreateEvent(nil, 1, 0, nil)
		if err != nil {
			return nil, fmt.Errorf("CreateEvent: %w", err)
		}
		r.stop = ev
		r.records = make([]inputRecord, 64)
	}
	return r, nil
}

// Read reads keystrokes or bytes. It blocks until there are some, or until
// Cancel makes it return an error.
func (r *InputReader) Read(p []byte) (int, error) {
	if !r.console {
		return r.f.Read(p)
	}
	for len(r.pending) == 0 {
		if err := r.waitKey(); err != nil {
			return 0, err
		}
		off := 0
		if r.high != 0 {
			r.units[0], off = r.high, 1
		}
		var n uint32
		if err := windows.ReadConsole(r.h, &r.units[off], uint32(len(r.units)-off), &n, nil); err != nil {
			return 0, fmt.Errorf("ReadConsole: %w", err)
		}
		if n == 0 {
			continue
		}
		units := r.units[:off+int(n)]
		r.high = 0
		// A character outside the BMP may arrive in two reads; hold its
		// first half back rather than decode it as U+FFFD.
		if last := units[len(units)-1]; utf16.IsSurrogate(rune(last)) && last < 0xDC00 {
			r.high, units = last, units[:len(units)-1]
		}
		r.pending = r.pending[:0]
		for _, c := range utf16.Decode(units) {
			r.pending = utf8.AppendRune(r.pending, c)
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// waitKey returns once a key press is waiting in the console input, or
// errCancelled once Cancel has been called.
func (r *InputReader) waitKey() error {
	for {
		ev, err := windows.WaitForMultipleObjects([]windows.Handle{r.h, r.stop}, false, windows.INFINITE)
		if err != nil {
			return fmt.Errorf("WaitForMultipleObjects: %w", err)
		}
		switch ev {
		case windows.WAIT_OBJECT_0:
		case windows.WAIT_OBJECT_0 + 1:
			return errCancelled
		default:
			return fmt.Errorf("WaitForMultipleObjects = %#x", ev)
		}
		var got uint32
		r1, _, e := procPeekConsoleInputW.Call(uintptr(r.h), uintptr(unsafe.Pointer(&r.records[0])),
			uintptr(len(r.records)), uintptr(unsafe.Pointer(&got)))
		if r1 == 0 {
			return fmt.Errorf("PeekConsoleInputW: %w", e)
		}
		for _, rec := range r.records[:got] {
			if rec.keyPress() {
				return nil
			}
		}
		// Nothing but records without text, the oldest ones: remove
		// exactly these, or the handle stays signalled. Records queued
		// since the peek stay where they are, behind them.
		if got > 0 {
			var removed uint32
			r1, _, e := procReadConsoleInputW.Call(uintptr(r.h), uintptr(unsafe.Pointer(&r.records[0])),
				uintptr(got), uintptr(unsafe.Pointer(&removed)))
			if r1 == 0 {
				return fmt.Errorf("ReadConsoleInputW: %w", e)
			}
		}
	}
}

// keyPress reports whether rec can make ReadConsoleW return: a key going
// down that is not a modifier alone. Keys without a character of their own
// (arrows, function keys) count: in VT input mode they arrive as sequences.
func (rec inputRecord) keyPress() bool {
	if rec.EventType != windows.KEY_EVENT || rec.KeyDown == 0 {
		return false
	}
	if rec.UnicodeChar != 0 {
		return true
	}
	switch rec.VirtualKeyCode {
	case 0x10, 0x11, 0x12, // VK_SHIFT, VK_CONTROL, VK_MENU
		0x14, 0x90, 0x91, // VK_CAPITAL, VK_NUMLOCK, VK_SCROLL
		0x5b, 0x5c, // VK_LWIN, VK_RWIN
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5: // VK_LSHIFT ... VK_RMENU
		return false
	}
	return true
}

// Cancel makes a waiting Read return: at once for a console (its wait
// includes Cancel's event, which stays set), and by CancelIoEx for a pipe.
// CancelIoEx cannot reach a Read that has not entered ReadFile yet, so for a
// pipe the caller calls Cancel again until its reader has returned.
func (r *InputReader) Cancel() error {
	if r.console {
		if err := windows.SetEvent(r.stop); err != nil {
			return fmt.Errorf("SetEvent: %w", err)
		}
	}
	// Also for a console: a key without text, other than those keyPress
	// knows, can leave a Read in ReadConsoleW.
	if err := windows.CancelIoEx(r.h, nil); err != nil && !errors.Is(err, windows.ERROR_NOT_FOUND) {
		return fmt.Errorf("CancelIoEx: %w", err)
	}
	return nil
}

// Close releases the reader; call it once no Read is running.
func (r *InputReader) Close() error {
	if r.stop == 0 {
		return nil
	}
	err := windows.CloseHandle(r.stop)
	r.stop = 0
	if err != nil {
		return fmt.Errorf("CloseHandle: %w", err)
	}
	return nil
}
