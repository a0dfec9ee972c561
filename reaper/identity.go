// Package reaper holds runp's process primitives: who a process is, who its
// descendants are, how to signal one without ever hitting a stranger that
// inherited its PID, and how to find escapees by their session cookie.
package reaper

import (
	"errors"
	"fmt"
)

// Identity names one process unambiguously: a PID alone never does, because
// every OS recycles PIDs. (PID, Start, Boot) cannot be recycled: Start pins
// the incarnation within one boot, Boot pins the boot.
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
}

// ErrGone reports that no process has the PID any more.
var ErrGone = errors.New("process is gone")

// ErrReused reports that the PID exists but belongs to another process than
// the one recorded: it must be dropped, never signalled.
var ErrReused = errors.New("pid now belongs to another process")

// ErrUnsupported reports an operation this platform does not provide.
var ErrUnsupported = errors.New("reaper: not supported on this platform")

// Same reports whether id and other name the same process: PID, Start and
// Boot all equal.
func (id Identity) Same(other Identity) bool {
	return id.PID == other.PID && id.Start == other.Start && id.Boot == other.Boot
}

// String formats id for logs.
func (id Identity) String() string {
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

// Read returns the identity of the process that has pid now. It returns an
// error wrapping ErrGone if no process has that pid.
func Read(pid int) (Identity, error) {
	if pid <= 0 {
		return Identity{}, fmt.Errorf("read pid %d: %w", pid, ErrGone)
	}
	return read(pid)
}

// verify re-reads the process at id.PID and checks it is still id: nil,
// or an error wrapping ErrGone or ErrReused.
func verify(id Identity) error {
	cur, err := Read(id.PID)
	if err != nil {
		return err
	}
	if !cur.Same(id) {
		return fmt.Errorf("%v, now start %d boot %q: %w", id, cur.Start, cur.Boot, ErrReused)
	}
	return nil
}
