package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Claim takes the lock of session id for recovery, without blocking. ok is
// false, with a nil error, if the owner is alive or the session is gone. On
// success the returned Handle holds the lock, and sess is the record as read
// after locking; the caller cleans up, then calls h.Remove.
//
// A record that turns out to be unreadable is quarantined: ok is false and
// err is the *QuarantineError.
func (s *Store) Claim(id string) (h *Handle, sess *Session, ok bool, err error) {
	if !validID(id) {
		return nil, nil, false, fmt.Errorf("%w: bad session id %q", errInvalid, id)
	}
	// Never create the lock file here: if it is gone, so is the session.
	l, state, err := s.lockExisting(id)
	if err != nil {
		return nil, nil, false, fmt.Errorf("registry: claim session %s: %w", id, err)
	}
	if state != lockHeld {
		return nil, nil, false, nil
	}
	// The owner's Remove unlinks the record, then the lock file, and only then
	// unlocks; we may have opened the lock file before it was unlinked and
	// locked it after. Then the path names another file, or none, and the
	// session is gone.
	if !stillLinked(l.f, l.path) {
		_ = l.release() // best effort: it guards nothing any more
		return nil, nil, false, nil
	}
	path := s.tomlPath(id)
	sess, err = readSession(path, id)
	if err != nil {
		var bad *badFile
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// The owner died between removing the record and the lock.
			if !s.readOnly {
				_ = os.Remove(s.lockPath(id)) // best effort: else Sweep deletes it
			}
			err = nil
		case errors.As(err, &bad):
			err = s.quarantineFile(path, bad.err)
			if !s.readOnly {
				_ = os.Remove(s.lockPath(id)) // best effort: else Sweep deletes it
			}
		default:
			err = fmt.Errorf("registry: claim session %s: %w", id, err)
		}
		_ = l.release() // best effort: the error above matters more
		return nil, nil, false, err
	}
	return &Handle{store: s, id: id, lock: l}, sess, true, nil
}

// stillLinked reports whether path still names the open file f.
func stillLinked(f *os.File, path string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	return os.SameFile(fi, pi)
}

// Sweep deletes what crashed owners can leave in sessions/ besides their
// records: lock files without a record (the owner died inside Create or
// Remove), whose lock is free, and temp files (the owner died inside Write).
// Only files older than a minute are considered, so that a Create or Write in
// progress is never disturbed. All errors are collected; none stops the sweep.
func (s *Store) Sweep() error {
	if s.readOnly {
		return errReadOnly
	}
	des, err := os.ReadDir(s.sessions)
	if err != nil {
		return fmt.Errorf("registry: sweep: %w", err)
	}
	var errs []error
	for _, de := range des {
		name := de.Name()
		isTmp := strings.HasPrefix(name, ".") && strings.HasSuffix(name, tmpExt)
		id, isLock := strings.CutSuffix(name, lockExt)
		if !isTmp && !(isLock && validID(id)) {
			continue
		}
		info, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("registry: sweep: %w", err))
			continue
		}
		if time.Since(info.ModTime()) < staleAfter {
			continue
		}
		if isTmp {
			err = os.Remove(filepath.Join(s.sessions, name))
		} else {
			err = s.sweepLock(id)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("registry: sweep: %w", err))
		}
	}
	return errors.Join(errs...)
}

// sweepLock deletes id's lock file if it has no record and nobody holds it.
func (s *Store) sweepLock(id string) error {
	if _, err := os.Lstat(s.tomlPath(id)); !errors.Is(err, fs.ErrNotExist) {
		return nil // a record (or an unreadable one): List and Claim deal with it
	}
	l, state, err := s.lockExisting(id)
	if err != nil || state != lockHeld {
		return err
	}
	// Only a lock holder writes the record, so none can appear now; check
	// again in case one was written between the Lstat above and the lock.
	if _, err := os.Lstat(s.tomlPath(id)); errors.Is(err, fs.ErrNotExist) && stillLinked(l.f, l.path) {
		err = os.Remove(s.lockPath(id))
		_ = l.release() // best effort: the file is gone
		return err
	}
	_ = l.release() // best effort: we only looked
	return nil
}
