package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Entry is one session seen by List.
type Entry struct {
	Session Session
	// Live reports that the session's lock is held by someone else: its
	// owner is alive (or, for a moment, another runp is looking at it).
	Live bool
}

// List reads every session file. A session is live if its lock cannot be
// taken; List takes the lock of a dead session for a moment to find out, so a
// concurrent Claim of that session may fail and should be retried later.
//
// A file that does not parse, has a newer format version, a bad or
// mismatched ID, or no lock file is moved to quarantine/ and reported once as
// a *QuarantineError in the second result, unless its owner is alive (a
// newer runp, say): then it is skipped and left alone. Those errors are never
// fatal; the third result is set only when sessions/ cannot be read at all.
// Entries are sorted by Started.
func (s *Store) List() ([]Entry, []error, error) {
	des, err := os.ReadDir(s.sessions)
	if errors.Is(err, fs.ErrNotExist) && s.readOnly {
		return nil, nil, nil // no state dir yet, so no sessions
	}
	if err != nil {
		return nil, nil, fmt.Errorf("registry: list sessions: %w", err)
	}
	var entries []Entry
	var errs []error
	for _, de := range des {
		name := de.Name()
		// Dot files are temp files being written; anything but a regular file
		// was not put here by runp.
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, tomlExt) || !de.Type().IsRegular() {
			continue
		}
		e, err := s.probe(name)
		if err != nil {
			errs = append(errs, err)
		}
		if e != nil {
			entries = append(entries, *e)
		}
	}
	slices.SortFunc(entries, func(a, b Entry) int {
		if c := a.Session.Started.Compare(b.Session.Started); c != 0 {
			return c
		}
		return strings.Compare(a.Session.ID, b.Session.ID)
	})
	return entries, errs, nil
}

// probe reads one session file and tests its owner's liveness. It returns a
// nil entry for a session that vanished meanwhile or must be skipped.
func (s *Store) probe(name string) (*Entry, error) {
	path := filepath.Join(s.sessions, name)
	id := strings.TrimSuffix(name, tomlExt)
	if !validID(id) {
		return nil, s.quarantineFile(path, fmt.Errorf("%w: file name is not a session id", errInvalid))
	}
	l, state, err := s.lockExisting(id)
	if err != nil {
		return nil, fmt.Errorf("registry: session %s: %w", id, err)
	}
	if l != nil {
		defer func() { _ = l.release() }() // best effort: the lock was only a probe
	}
	sess, err := readSession(path, id)
	if err == nil && state == lockMissing {
		err = &badFile{errNoLock}
	}
	if err != nil {
		var bad *badFile
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Removed before we looked at the lock: the owner deletes the record
			// first, the lock last.
			err = nil
		case !errors.As(err, &bad):
			err = fmt.Errorf("registry: session %s: %w", id, err)
		case state == lockBusy:
			err = nil // a live owner, maybe a newer runp: its file, its business
		default:
			err = s.quarantineFile(path, bad.err)
			if l != nil && !s.readOnly {
				_ = os.Remove(l.path) // best effort: else Sweep deletes it
			}
		}
		return nil, err
	}
	return &Entry{Session: *sess, Live: state == lockBusy}, nil
}

// badFile marks a session file whose content cannot be used, as opposed to
// one that cannot be read.
type badFile struct{ err error }

func (e *badFile) Error() string { return e.err.Error() }
func (e *badFile) Unwrap() error { return e.err }

// readSession reads and parses sessions/<id>.toml. Content errors are
// returned as *badFile.
func readSession(path, id string) (*Session, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	sess, err := parse(data)
	if err != nil {
		return nil, &badFile{err}
	}
	if sess.ID != id {
		return nil, &badFile{fmt.Errorf("%w: id %q does not match the file name", errInvalid, sess.ID)}
	}
	return sess, nil
}

// quarantineFile moves a bad session file to quarantine/<name>.<unixnano>.
// It returns nil if the file is already gone (another runp moved it first).
func (s *Store) quarantineFile(path string, cause error) error {
	if s.readOnly {
		return &QuarantineError{Path: path, Err: cause}
	}
	dest := filepath.Join(s.quarantine, fmt.Sprintf("%s.%d", filepath.Base(path), time.Now().UnixNano()))
	if err := rename(path, dest); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("registry: cannot quarantine bad session file %s (%v): %w", path, cause, err)
	}
	return &QuarantineError{Path: path, Dest: dest, Err: cause}
}
