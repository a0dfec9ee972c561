// Package registry keeps runp's state directory: one TOML file per live runp
// session under sessions/, each next to a lock file that its owner holds for
// its whole life.
//
// The lock is the liveness test. A runp that can take another session's lock
// knows that the owner is dead, whatever has happened to its PID since. Files
// are replaced by write-temp + rename, so a reader sees the old or the new
// record, never half of one. A record that does not parse is moved to
// quarantine/ and reported once; it is never fatal.
//
// Layout of a state dir:
//
//	<dir>/sessions/<id>.toml   the record, written only by its owner
//	<dir>/sessions/<id>.lock   flock / LockFileEx, held by the owner
//	<dir>/sessions/.<id>.*.tmp a record being written (ignored by List)
//	<dir>/quarantine/          records that could not be read, moved aside
package registry

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// FormatVersion is the version of the session file format written by this
// package. Files with a higher version are not understood and are quarantined.
const FormatVersion = 1

// Roles of a tracked process.
const (
	// RoleChild is runp's direct child, the command it was asked to run.
	RoleChild = "child"
	// RoleDescendant is any other process of the child's tree.
	RoleDescendant = "descendant"
	// RoleConhost is a Windows console host created by runp's ConPTY.
	RoleConhost = "conhost"
	// RoleMonitor is runp's direct child when the command runs under job
	// control at a terminal: a copy of runp that started the command,
	// which is then its child (see supervisor.Config.JobControl).
	RoleMonitor = "monitor"
)

var (
	// errUnsafeDir is wrapped by Open when the state dir (or one of its
	// subdirectories) is a symlink, world-writable or owned by another user.
	errUnsafeDir = errors.New("registry: unsafe state directory")
	// errInvalid is wrapped by errors about session data that is malformed:
	// a file that does not decode, a missing field, an out-of-range value.
	errInvalid = errors.New("registry: invalid session")
	// errVersion is wrapped when a session file has a format version newer
	// than FormatVersion.
	errVersion = errors.New("registry: unsupported session format version")
	// errNoLock is wrapped when a session file exists without its lock file,
	// which runp itself never leaves behind (the lock is created first and
	// removed last); liveness cannot be proven, so the file is quarantined.
	errNoLock = errors.New("registry: session file has no lock file")
	// errClosed is returned by Handle methods after Close or Remove.
	errClosed = errors.New("registry: session handle closed")
)

// Process is one tracked process.
type Process struct {
	PID  int `toml:"pid"`
	PPID int `toml:"ppid"`
	// Start is the OS start time: Linux clock ticks since boot, darwin unix
	// microseconds, windows FILETIME 100ns units.
	Start uint64 `toml:"start"`
	// Ino is the exact identity where the OS has one, 0 where it does not:
	// on Linux >= 6.9 the inode number of a pidfd on the process (pidfs),
	// unique for the boot, unlike Start which has a 10 ms resolution. Files
	// written before it existed read back with 0, and older runps ignore it.
	Ino       uint64    `toml:"pidfs_ino,omitempty"`
	Command   string    `toml:"command"`
	Role      string    `toml:"role"`
	FirstSeen time.Time `toml:"first_seen"`
}

// Session is the content of sessions/<id>.toml.
type Session struct {
	Version int    `toml:"version"`
	ID      string `toml:"id"`
	// PID is runp's own pid.
	PID int `toml:"pid"`
	// Start is runp's own start time, in the same units as Process.Start.
	Start     uint64    `toml:"start"`
	BootID    string    `toml:"boot_id"`
	Argv      []string  `toml:"argv"`
	Cwd       string    `toml:"cwd"`
	Started   time.Time `toml:"started"`
	Processes []Process `toml:"process"` // [[process]] tables
}

// QuarantineError reports a session file that could not be used and was
// moved out of sessions/.
type QuarantineError struct {
	Path string // where the file was
	Dest string // where it is now, under quarantine/; "" if it was left in place (OpenReadOnly)
	Err  error  // why it was moved
}

// Error implements error, on one line.
func (e *QuarantineError) Error() string {
	if e.Dest == "" {
		return fmt.Sprintf("registry: bad session file %s (left in place): %v", e.Path, e.Err)
	}
	return fmt.Sprintf("registry: moved bad session file %s to %s: %v", e.Path, e.Dest, e.Err)
}

// Unwrap returns the reason the file was quarantined.
func (e *QuarantineError) Unwrap() error { return e.Err }

// NewID returns a new session id: a UTC time prefix, so that ids sort roughly
// by age, and 8 random bytes in hex, so that concurrent runps never collide.
// It is safe as a file name on every platform.
func NewID() string {
	// The ID must be unique, not secret: a process can only claim a
	// session by carrying its cookie, which kills it at clean-up. The
	// runtime seeds math/rand/v2 from the OS; crypto/rand would add its
	// package initialisation to every runp's start.
	return time.Now().UTC().Format("20060102T150405Z") + "-" + fmt.Sprintf("%016x", rand.Uint64())
}

// DefaultDir returns the state dir to use when none is given:
// $RUNP_STATE_DIR, else $XDG_STATE_HOME/runp, else ~/.local/state/runp; on
// Windows $RUNP_STATE_DIR, else %LOCALAPPDATA%\runp.
func DefaultDir() (string, error) {
	if d := os.Getenv("RUNP_STATE_DIR"); d != "" {
		return d, nil
	}
	if runtime.GOOS == "windows" {
		d, err := os.UserCacheDir() // %LocalAppData% on Windows
		if err != nil {
			return "", fmt.Errorf("registry: no default state dir: %w", err)
		}
		return filepath.Join(d, "runp"), nil
	}
	// The XDG base directory spec says a relative path is invalid and must be ignored.
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "runp"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("registry: no default state dir: %w", err)
	}
	return filepath.Join(home, ".local", "state", "runp"), nil
}

// parse decodes one session file, then validates it: a known format version,
// a valid ID, PIDs in range. Every error wraps errInvalid or errVersion; a
// document with more than maxValues values is refused undecoded, wrapping
// errTooLarge too.
// Empty argv and process lists come back as nil.
func parse(data []byte) (*Session, error) {
	if n := countValues(data); n > maxValues {
		return nil, fmt.Errorf("%w: %w: %d values (at most %d are decoded)", errInvalid, errTooLarge, n, maxValues)
	}
	var s Session
	// Decode into a zero Session: unknown keys are ignored, so that a newer
	// runp of the same format version may add fields.
	if err := toml.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalid, err)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	if len(s.Argv) == 0 {
		s.Argv = nil
	}
	if len(s.Processes) == 0 {
		s.Processes = nil
	}
	return &s, nil
}

// marshal encodes a session as TOML. Times are written in UTC: TOML offsets
// have minute resolution, and some historical zones do not. Commands and
// argv elements are clipped to maxCommand bytes.
func marshal(sess *Session) ([]byte, error) {
	cp := *sess
	cp.Started = cp.Started.UTC()
	if len(sess.Argv) > 0 {
		cp.Argv = make([]string, len(sess.Argv))
		for i, a := range sess.Argv {
			cp.Argv[i] = clip(a, maxCommand)
		}
	}
	if len(sess.Processes) > 0 {
		cp.Processes = make([]Process, len(sess.Processes))
		for i, p := range sess.Processes {
			p.FirstSeen = p.FirstSeen.UTC()
			p.Command = clip(p.Command, maxCommand)
			cp.Processes[i] = p
		}
	}
	b, err := toml.Marshal(&cp)
	if err != nil {
		return nil, fmt.Errorf("registry: encode session %s: %w", sess.ID, err)
	}
	return b, nil
}

// validate checks what a reader relies on. PIDs are bounded to pid_t because
// a value such as 1<<32-1 would reach kill(2) truncated to -1: every process.
func (s *Session) validate() error {
	switch {
	case s.Version > FormatVersion:
		return fmt.Errorf("%w %d (this runp reads up to %d)", errVersion, s.Version, FormatVersion)
	case s.Version < 1:
		return fmt.Errorf("%w: missing or bad format version %d", errInvalid, s.Version)
	case !validID(s.ID):
		return fmt.Errorf("%w: bad session id %q", errInvalid, s.ID)
	case !validPID(s.PID):
		return fmt.Errorf("%w: bad runp pid %d", errInvalid, s.PID)
	case s.Start > math.MaxInt64:
		return fmt.Errorf("%w: runp start time %d out of range", errInvalid, s.Start)
	case !validTime(s.Started):
		return fmt.Errorf("%w: start date %v out of range", errInvalid, s.Started)
	}
	for i, p := range s.Processes {
		switch {
		case !validPID(p.PID):
			return fmt.Errorf("%w: process %d: bad pid %d", errInvalid, i, p.PID)
		case p.PPID < 0 || p.PPID > math.MaxInt32:
			return fmt.Errorf("%w: process %d: bad ppid %d", errInvalid, i, p.PPID)
		case p.Start > math.MaxInt64:
			return fmt.Errorf("%w: process %d: start time %d out of range", errInvalid, i, p.Start)
		case p.Ino > math.MaxInt64:
			return fmt.Errorf("%w: process %d: pidfs_ino %d out of range", errInvalid, i, p.Ino)
		case !validTime(p.FirstSeen):
			return fmt.Errorf("%w: process %d: first_seen %v out of range", errInvalid, i, p.FirstSeen)
		}
	}
	return nil
}

func validPID(pid int) bool { return pid > 0 && pid <= math.MaxInt32 }

// validTime reports whether t can be written as a TOML datetime, which has a
// four-digit year.
func validTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 0 && y <= 9999
}

// validID reports whether id is usable as a file name stem everywhere: ASCII
// letters, digits, '-', '_' and '.', not starting with '.' (which also
// excludes "." and ".." and the temp files' names), at most 128 bytes.
func validID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
