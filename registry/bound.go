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
// memory as it is large, several times over. Two bounds keep that in hand:
// the file's size, checked before anything is read, and the number of values
// in it, counted before it is decoded. The second matters because decoding
// costs per value, not per byte: 16 MiB of `argv = ["", "", ...` would cost
// the decoder almost 1 GB, 16 MiB of empty [[process]] tables 500 MB.
//
// What a real session needs: a process table costs about 130 bytes and 8
// values without its command, and the command is clipped to maxCommand. The
// bounds hold some 2,000 processes with commands that long, and 32,000 with
// commands of a hundred bytes or without commands, which is what the writer
// falls back to for a tree that large (see fit). Reading the worst file within
// them costs `runp ps` about 60 MB (TestHugeSessionFileQuarantinedUnread and
// TestDenseSessionFileBounded measure it).
const (
	// maxFileSize is the largest session file that is read.
	maxFileSize = 8 << 20
	// maxValues is the most values (counted as '=', ',', '[' and '{'
	// outside strings and comments) a session file may hold to be decoded.
	maxValues = 1 << 18
	// maxCommand bounds each recorded command line and argv element, in
	// bytes; longer ones are clipped, with "…" at the end. They are for
	// people to read (ps, reap, reports); identity never depends on them.
	maxCommand = 4096
	// maxArgv and maxArgc bound the whole recorded argv when a session must
	// shrink.
	maxArgv = 64 << 10
	maxArgc = 1024
)

// errTooLarge is wrapped when a session file exceeds maxFileSize, or a
// session cannot be encoded within it.
var errTooLarge = errors.New("registry: session file too large")

// readBounded reads f whole unless it is larger than maxFileSize. The size
// is checked before reading, and the read is limited too, so a file that
// grows meanwhile costs no more.
func readBounded(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		// Swapped in since List saw a regular file; a FIFO would block the read.
		return nil, &badFile{fmt.Errorf("%w: not a regular file", errInvalid)}
	}
	if fi.Size() > maxFileSize {
		return nil, &badFile{fmt.Errorf("%w: %d bytes (at most %d are read)", errTooLarge, fi.Size(), maxFileSize)}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, &badFile{fmt.Errorf("%w: more than %d bytes", errTooLarge, maxFileSize)}
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

// fit encodes sess within maxFileSize. Commands are clipped to maxCommand
// (Marshal does that); should the file still be too large, a tree of tens of
// thousands of processes, it is written without commands and with a shorter
// argv: the identities are what recovery needs, the rest is for display.
func fit(sess *Session) ([]byte, error) {
	data, err := marshal(sess)
	if err != nil || fits(data) {
		return data, err
	}
	cp := *sess
	cp.Argv = nil
	total := 0
	for _, a := range sess.Argv {
		if total += len(a); total > maxArgv || len(cp.Argv) == maxArgc {
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
	if data, err = marshal(&cp); err != nil || fits(data) {
		return data, err
	}
	return nil, fmt.Errorf("%w: session %s: %d processes take %d bytes", errTooLarge, sess.ID, len(sess.Processes), len(data))
}

func fits(data []byte) bool { return len(data) <= maxFileSize && countValues(data) <= maxValues }

// countValues counts the places where a TOML document can start a value:
// '=', ',', '[' and '{' outside strings and comments. Every value the decoder
// allocates follows one of them, so the count bounds what decoding costs.
// It follows TOML's lexing of strings (basic with backslash escapes, literal,
// and their multi-line forms) and comments; what it gets wrong on a malformed
// document only makes the decoder fail sooner.
func countValues(data []byte) int {
	n := 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '=', ',', '[', '{':
			n++
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case '"', '\'':
			i = stringEnd(data, i, c)
		}
	}
	return n
}

// stringEnd returns the index of the last quote of the string that starts
// at data[i], or len(data) if it never ends.
func stringEnd(data []byte, i int, q byte) int {
	multi := i+2 < len(data) && data[i+1] == q && data[i+2] == q
	if multi {
		i += 3
	} else {
		i++
	}
	for ; i < len(data); i++ {
		switch {
		case q == '"' && data[i] == '\\':
			i++ // the escaped byte
		case data[i] == q && !multi:
			return i
		case data[i] == q && i+2 < len(data) && data[i+1] == q && data[i+2] == q:
			return i + 2
		case data[i] == '\n' && !multi:
			return i // unterminated: the decoder will say so
		}
	}
	return len(data)
}
