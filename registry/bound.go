package registry

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// A session file is read whole and decoded into memory, by `runp ps`, by
// `runp reap`, and by every runp's background recovery; an unbounded file in
// sessions/ (planted, or a disk error) would make each of them use as much
// memory as it is large, several times over. So a file has a bound, and one
// beyond it is quarantined unread.
//
// What a real session needs: a process table costs about 150 bytes without
// its command, and the command is clipped to MaxCommand. 16 MiB holds about
// 4,000 processes with commands that long, some 40,000 with commands of a
// few hundred bytes, and over 100,000 without commands, which is what the
// writer falls back to for a tree that large (see fit). `runp ps --json` of
// a file of that size peaks at about 115 MB of RSS; a file beyond it costs
// nothing (TestHugeSessionFileQuarantinedUnread in package main).
const (
	// MaxFileSize is the largest session file that is read.
	MaxFileSize = 16 << 20
	// MaxCommand bounds each recorded command line and argv element, in
	// bytes; longer ones are clipped, with "…" at the end. They are for
	// people to read (ps, reap, reports); identity never depends on them.
	MaxCommand = 4096
	// maxArgv bounds the whole recorded argv when a session must shrink.
	maxArgv = 64 << 10
)

// ErrTooLarge is wrapped when a session file exceeds MaxFileSize, or a
// session cannot be encoded within it.
var ErrTooLarge = errors.New("registry: session file too large")

// readBounded reads f whole unless it is larger than MaxFileSize. The size
// is checked before reading, and the read is limited too, so a file that
// grows meanwhile costs no more.
func readBounded(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		// Swapped in since List saw a regular file; a FIFO would block the read.
		return nil, &badFile{fmt.Errorf("%w: not a regular file", ErrInvalid)}
	}
	if fi.Size() > MaxFileSize {
		return nil, &badFile{fmt.Errorf("%w: %d bytes (at most %d are read)", ErrTooLarge, fi.Size(), MaxFileSize)}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &badFile{fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxFileSize)}
	}
	return data, nil
}

// clip shortens s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// fit encodes sess within MaxFileSize. Commands are clipped to MaxCommand
// (Marshal does that); should the file still be too large, a tree of tens of
// thousands of processes, it is written without commands and with a shorter
// argv: the identities are what recovery needs, the rest is for display.
func fit(sess *Session) ([]byte, error) {
	data, err := Marshal(sess)
	if err != nil || len(data) <= MaxFileSize {
		return data, err
	}
	cp := *sess
	cp.Argv = nil
	total := 0
	for _, a := range sess.Argv {
		if total += len(a); total > maxArgv {
			cp.Argv = append(cp.Argv, "…")
			break
		}
		cp.Argv = append(cp.Argv, a)
	}
	cp.Processes = make([]Process, len(sess.Processes))
	for i, p := range sess.Processes {
		p.Command = ""
		cp.Processes[i] = p
	}
	if data, err = Marshal(&cp); err != nil || len(data) <= MaxFileSize {
		return data, err
	}
	return nil, fmt.Errorf("%w: session %s: %d processes take %d bytes", ErrTooLarge, sess.ID, len(sess.Processes), len(data))
}
