package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// leftDir holds one empty file per session whose runp exited leaving its
// processes running on purpose. Those processes still carry
// the session's cookie, and the session has no file any more: without the
// mark, "runp reap" would take them for the leftovers of a runp killed
// before it first wrote its session, and stop what the user asked to keep.
const leftDir = "left"

// MarkLeft records that session id's runp left its processes running on
// purpose.
func (s *Store) MarkLeft(id string) error {
	if s.readOnly {
		return errReadOnly
	}
	if !validID(id) {
		return fmt.Errorf("registry: bad session id %q", id)
	}
	dir := filepath.Join(s.dir, leftDir)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, id), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// Left reports whether session id's processes were left running on purpose
// (see MarkLeft).
func (s *Store) Left(id string) bool {
	if !validID(id) {
		return false
	}
	_, err := os.Lstat(filepath.Join(s.dir, leftDir, id))
	return err == nil
}

// ForgetLeft removes the marks of the sessions that no process carries any
// more (carried holds the cookies found on the machine): the mark is needed
// only while a process of the session runs.
func (s *Store) ForgetLeft(carried map[string]bool) error {
	if s.readOnly {
		return errReadOnly
	}
	dir := filepath.Join(s.dir, leftDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	var first error
	for _, e := range entries {
		if carried[e.Name()] {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && first == nil && !errors.Is(err, fs.ErrNotExist) {
			first = err
		}
	}
	return first
}
