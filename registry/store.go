package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

const (
	sessionsDir   = "sessions"
	quarantineDir = "quarantine"
	tomlExt       = ".toml"
	lockExt       = ".lock"
	tmpExt        = ".tmp"

	// staleAfter is how old an orphan lock or temp file must be before Sweep
	// deletes it: far longer than any Create or Write spends between its steps.
	staleAfter = time.Minute
)

// Store is an open state directory.
type Store struct {
	dir        string
	sessions   string
	quarantine string
	// readOnly: the store only looks (see OpenReadOnly).
	readOnly bool
}

// Open creates dir (0700; "" means DefaultDir) with its sessions/ and quarantine/ subdirectories
// if needed, then checks them. It refuses, with an error wrapping
// errUnsafeDir, a directory that is a symlink, world-writable, or owned by
// another user (the last two are not checked on Windows).
func Open(dir string) (*Store, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	abs, err := filepath.Abs(dir) // a later chdir must not move the store
	if err != nil {
		return nil, fmt.Errorf("registry: state dir %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("registry: create state dir: %w", err)
	}
	if err := checkDir(abs); err != nil {
		return nil, err
	}
	s := &Store{
		dir:        abs,
		sessions:   filepath.Join(abs, sessionsDir),
		quarantine: filepath.Join(abs, quarantineDir),
	}
	for _, sub := range []string{s.sessions, s.quarantine} {
		if err := os.Mkdir(sub, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("registry: create state dir: %w", err)
		}
		if err := checkDir(sub); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// OpenReadOnly opens dir ("" means DefaultDir) to look only, for "runp ps"
// and a dry run of recovery: it creates nothing, deletes nothing, and a bad
// session file is reported (a *QuarantineError with no Dest) but left where
// it is. A state dir that does not exist holds no sessions. It refuses what
// Open refuses.
func OpenReadOnly(dir string) (*Store, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("registry: state dir %s: %w", dir, err)
	}
	s := &Store{
		dir:        abs,
		sessions:   filepath.Join(abs, sessionsDir),
		quarantine: filepath.Join(abs, quarantineDir),
		readOnly:   true,
	}
	for _, d := range []string{abs, s.sessions} {
		if err := checkDir(d); errors.Is(err, fs.ErrNotExist) {
			break
		} else if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// errReadOnly: a store from OpenReadOnly changes nothing.
var errReadOnly = errors.New("registry: state dir opened read-only")

// Dir returns the state directory, as an absolute path.
func (s *Store) Dir() string { return s.dir }

func (s *Store) tomlPath(id string) string { return filepath.Join(s.sessions, id+tomlExt) }
func (s *Store) lockPath(id string) string { return filepath.Join(s.sessions, id+lockExt) }

// Handle is the owner's grip on one session: it holds sessions/<id>.lock
// locked for its whole life. Its methods are safe for concurrent use. Keep it
// reachable until Remove or Close: a lost Handle's file is closed by the
// garbage collector, which releases the lock while the owner still runs.
type Handle struct {
	store *Store
	id    string

	mu      sync.Mutex
	lock    *heldLock // nil after Close or Remove
	removed bool
}

// ID returns the session id.
func (h *Handle) ID() string { return h.id }

// Create registers a new session: it creates sessions/<sess.ID>.lock (0600),
// takes an exclusive non-blocking lock on it, then writes the session file.
// It sets sess.Version to FormatVersion if it is zero.
func (s *Store) Create(sess *Session) (*Handle, error) {
	if s.readOnly {
		return nil, errReadOnly
	}
	if sess.Version == 0 {
		sess.Version = FormatVersion
	}
	if err := sess.validate(); err != nil {
		return nil, err
	}
	l, err := createLock(s.lockPath(sess.ID))
	if err != nil {
		return nil, fmt.Errorf("registry: create session %s: %w", sess.ID, err)
	}
	h := &Handle{store: s, id: sess.ID, lock: l}
	if err := h.Write(sess); err != nil {
		_ = os.Remove(l.path) // best effort: we hold it, nobody else uses the name
		_ = h.Close()         // best effort: the error above matters more
		return nil, err
	}
	return h, nil
}

// Write replaces sessions/<id>.toml atomically: the data goes to a temp file
// in the same directory, which is then renamed over the old one, so that a
// reader sees the old or the new record, never a torn one. There is no fsync:
// the record has to survive runp's death, not the machine's (after a reboot
// the boot id voids it anyway). Write always writes; the caller decides when
// the tracked set has changed enough. It sets sess.Version to FormatVersion
// if it is zero (in the file, not in sess), and refuses a session whose ID is
// not the handle's.
func (h *Handle) Write(sess *Session) error {
	if sess.Version == 0 {
		cp := *sess // do not write to the caller's session: it may be shared
		cp.Version = FormatVersion
		sess = &cp
	}
	if sess.ID != h.id {
		return fmt.Errorf("%w: id %q written through the handle of session %s", errInvalid, sess.ID, h.id)
	}
	if err := sess.validate(); err != nil {
		return err
	}
	data, err := fit(sess)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// Without the lock a write could resurrect a record that was removed, or
	// overwrite one that somebody else has claimed.
	if h.lock == nil {
		return fmt.Errorf("registry: write session %s: %w", h.id, errClosed)
	}
	return h.store.writeFile(h.id, data)
}

func (s *Store) writeFile(id string, data []byte) error {
	tmp, err := os.CreateTemp(s.sessions, "."+id+".*"+tmpExt) // 0600
	if err != nil {
		return fmt.Errorf("registry: write session %s: %w", id, err)
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rename(name, s.tomlPath(id))
	}
	if err != nil {
		_ = os.Remove(name) // best effort: Sweep deletes stale temp files
		return fmt.Errorf("registry: write session %s: %w", id, err)
	}
	return nil
}

// Remove unregisters the session: it deletes the session file, then the lock
// file, then releases the lock. The lock goes last so that whoever takes it
// next finds the session gone. Remove is idempotent; after Close it returns
// errClosed and deletes nothing, since the session may be somebody else's now.
func (h *Handle) Remove() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.removed {
		return nil
	}
	if h.lock == nil {
		return fmt.Errorf("registry: remove session %s: %w", h.id, errClosed)
	}
	if h.store.readOnly {
		return errReadOnly
	}
	// If the record cannot be deleted, keep the lock: a record without its lock
	// would be quarantined while we are still alive.
	if err := os.Remove(h.store.tomlPath(h.id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("registry: remove session %s: %w", h.id, err)
	}
	err := os.Remove(h.store.lockPath(h.id))
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if err != nil {
		err = fmt.Errorf("registry: remove session %s: %w", h.id, err) // an orphan lock: Sweep deletes it
	}
	h.removed = true
	return errors.Join(err, h.releaseLocked())
}

// Close releases the lock and leaves the files in place, as a crash would:
// the session then looks dead to List and can be claimed. Close is idempotent.
func (h *Handle) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lock == nil {
		return nil
	}
	return h.releaseLocked()
}

func (h *Handle) releaseLocked() error {
	l := h.lock
	h.lock = nil
	return l.release()
}

// heldLock is a session lock held by this process.
type heldLock struct {
	f    *os.File
	path string
}

// heldHere holds the paths of every lock this process holds or is probing.
// Nobody here opens a second descriptor on them: where flock is emulated with
// fcntl locks (NFS), a second lock from the same process would succeed, and
// closing it would drop the first.
var heldHere sync.Map // lock path -> struct{}

// createLock creates a new lock file (0600) and locks it. O_EXCL: an id is
// used once; a collision is a bug, never a shared lock.
func createLock(path string) (*heldLock, error) {
	if _, dup := heldHere.LoadOrStore(path, struct{}{}); dup {
		return nil, fmt.Errorf("lock %s: %w", path, fs.ErrExist)
	}
	f, err := openLockFile(path, true)
	if err != nil {
		heldHere.Delete(path)
		return nil, err
	}
	ok, err := tryLock(f)
	if err == nil && !ok {
		err = fmt.Errorf("lock %s is held by another process", path)
	}
	if err != nil {
		_ = os.Remove(path) // best effort: we created it, nobody else uses the name
		_ = f.Close()       // best effort: the error above matters more
		heldHere.Delete(path)
		return nil, err
	}
	return &heldLock{f: f, path: path}, nil
}

type lockState int

const (
	lockMissing lockState = iota // no lock file: the session is gone
	lockBusy                     // held by someone else: the owner is alive
	lockHeld                     // now held by us: the owner is dead
)

// lockExisting opens id's lock file, never creating it, and tries to lock it.
// The lock is returned only in state lockHeld.
func (s *Store) lockExisting(id string) (*heldLock, lockState, error) {
	path := s.lockPath(id)
	if _, busy := heldHere.LoadOrStore(path, struct{}{}); busy {
		return nil, lockBusy, nil
	}
	f, err := openLockFile(path, false)
	if err != nil {
		heldHere.Delete(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, lockMissing, nil
		}
		return nil, lockMissing, err
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		_ = f.Close() // best effort: we hold nothing on it
		heldHere.Delete(path)
		return nil, lockBusy, err
	}
	return &heldLock{f: f, path: path}, lockHeld, nil
}

// release unlocks and closes the lock file.
func (l *heldLock) release() error {
	// Closing the only descriptor releases the lock too, but on Windows only
	// "eventually"; unlocking first makes it prompt everywhere.
	_ = unlock(l.f) // best effort: Close below releases it anyway
	err := l.f.Close()
	heldHere.Delete(l.path)
	if err != nil {
		return fmt.Errorf("registry: release lock: %w", err)
	}
	return nil
}
