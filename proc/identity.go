// Package proc holds runp's process primitives: who a process is, who its
// descendants are, how to signal one without ever hitting a stranger that
// inherited its PID, and how to find escapees by their session cookie.
package proc

import (
	"errors"
	"fmt"
)

// Identity names one process: a PID alone never does, because every OS
// recycles PIDs. Ino, where the OS provides it, is exact; (PID, Start, Boot)
// is exact only to Start's resolution: two processes that get the same PID
// within one tick of Start's clock look alike (see Same).
type Identity struct {
	PID int
	// Start is the OS creation time at its full native resolution, compared
	// exactly, never with a tolerance:
	//   - linux: start time in clock ticks after boot, field 22 of /proc/<pid>/stat;
	//   - darwin: kinfo_proc p_starttime in unix microseconds;
	//   - windows: the creation FILETIME in 100ns units since 1601.
	Start uint64
	// Boot is the boot id (see BootID).
	Boot string
	// Ino is the inode number of a pidfd on the process when pidfds live on
	// pidfs (Linux >= 6.9): the kernel numbers every process of a boot with
	// a 64-bit counter that is never reused. 0 when unknown: older kernels,
	// darwin, windows (where a held handle does the same job), and records
	// written before runp knew it.
	Ino uint64
}

// ErrGone reports that no process has the PID any more.
var ErrGone = errors.New("process is gone")

// ErrReused reports that the PID exists but belongs to another process than
// the one recorded: it must be dropped, never signalled.
var ErrReused = errors.New("pid now belongs to another process")

// ErrUnsupported reports an operation this platform does not provide.
var ErrUnsupported = errors.New("proc: not supported on this platform")

// ErrProtected reports a signal runp never sends, whatever a session file
// says: to itself, to one of its ancestors, to PID 1, and SIGKILL or SIGSTOP
// to another live runp (see Signal).
var ErrProtected = errors.New("protected process: not signalled")

// Same reports whether id and other name the same process: PID, Start and
// Boot all equal, and Ino too when both know it. With Ino on both sides the
// answer is exact; without it, a process that died and whose PID was handed
// out again within the same tick of Start's clock (10 ms on Linux) passes.
func (id Identity) Same(other Identity) bool {
	if id.Ino != 0 && other.Ino != 0 && id.Ino != other.Ino {
		return false
	}
	return id.PID == other.PID && id.Start == other.Start && id.Boot == other.Boot
}

// String formats id for logs.
func (id Identity) String() string {
	if id.Ino != 0 {
		return fmt.Sprintf("pid %d (start %d, pidfs ino %d)", id.PID, id.Start, id.Ino)
	}
	return fmt.Sprintf("pid %d (start %d)", id.PID, id.Start)
}

// BootID returns an identifier of the current boot, read once and cached.
//   - linux: /proc/sys/kernel/random/boot_id, a random UUID per boot.
//   - darwin: sysctl kern.bootsessionuuid, else kern.boottime.
//   - windows: the kernel's boot time (SystemTimeOfDayInformation), rounded
//     to the second; Windows has no boot UUID, and a boot time computed as
//     now-uptime would jitter between processes.
func BootID() (string, error) {
	return bootID()
}

// Read returns the identity of the process that has pid now, with Ino
// where the kernel provides it (all fields read from one process, even if
// the PID changes hands during the read). It returns an error wrapping
// ErrGone if no process has that pid.
func Read(pid int) (Identity, error) {
	s, err := Look(pid)
	if err != nil {
		return Identity{}, err
	}
	s.Close()
	return s.ID, nil
}

// Sighting is what one look at a PID found, all of it from one process.
type Sighting struct {
	ID     Identity
	PPID   int
	Zombie bool // exited, waiting for its parent to reap it
	// fd is a pidfd open on the process (linux), or -1; Hold keeps it,
	// Close closes it.
	fd int
}

// Look reads the identity, parent and state of the process that has pid
// now, all from one process. On Linux it also opens a pidfd on it, which the
// caller either keeps with Hold or closes with Close.
func Look(pid int) (Sighting, error) {
	if pid <= 0 {
		return Sighting{fd: -1}, fmt.Errorf("read pid %d: %w", pid, ErrGone)
	}
	return look(pid)
}

// Hold keeps the sighting's pidfd as the process's (Linux; a no-op
// elsewhere): until Release, Signal goes through it, so that the signal
// reaches this process whoever has the PID then, and Held tells whether the
// process has been reaped. Every Hold of an identity needs one Release.
func (s Sighting) Hold() { hold(s.ID, s.fd) }

// Close closes the sighting's pidfd, when the caller does not Hold it.
func (s Sighting) Close() { closeFd(s.fd) }

// Release drops one Hold of id, closing its pidfd with the last.
func Release(id Identity) { release(id) }

// Held reports, for an identity held by Hold, whether its process has not
// been reaped yet; held is false when id is not held (no pidfd: another OS,
// an old kernel, or no descriptor left), and alive then means nothing.
func Held(id Identity) (alive, held bool) { return heldAlive(id) }

// verify re-reads the process at id.PID and checks it is still id: nil,
// or an error wrapping ErrGone or ErrReused.
func verify(id Identity) error {
	cur, err := Read(id.PID)
	if err != nil {
		return err
	}
	if !cur.Same(id) {
		return fmt.Errorf("%v, now %v boot %q: %w", id, cur, cur.Boot, ErrReused)
	}
	return nil
}
