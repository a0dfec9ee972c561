//go:build windows

package proc

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unsafe"

	"github.com/shirou/gopsutil/v4/host"
	"golang.org/x/sys/windows"
)

// systemTimeOfDayInformation is SYSTEM_TIMEOFDAY_INFORMATION, returned by
// NtQuerySystemInformation(SystemTimeOfDayInformation). Times are FILETIMEs.
type systemTimeOfDayInformation struct {
	BootTime      int64
	CurrentTime   int64
	TimeZoneBias  int64
	TimeZoneID    uint32
	Reserved      uint32
	BootTimeBias  uint64
	SleepTimeBias uint64
}

// filetimeUnixEpoch is 1970-01-01 as a FILETIME (100ns units since 1601).
const filetimeUnixEpoch = 116444736000000000

// Windows has no boot UUID. The kernel keeps the boot time, the same value in
// every process, unlike now-GetTickCount64 which jitters by the time between
// the two reads. When the wall clock is stepped the kernel moves BootTime by
// the step and adds the step to BootTimeBias, so BootTime-BootTimeBias stays
// put for the whole boot. gopsutil's now-uptime in whole seconds is the
// fallback; it can straddle a second boundary, which at worst makes a record
// from another runp look foreign, and such records are dropped, never killed.
var bootID = sync.OnceValues(func() (string, error) {
	var info systemTimeOfDayInformation
	err := windows.NtQuerySystemInformation(windows.SystemTimeOfDayInformation,
		unsafe.Pointer(&info), uint32(unsafe.Sizeof(info)), nil)
	if err == nil && info.BootTime > filetimeUnixEpoch {
		secs := (info.BootTime - int64(info.BootTimeBias) - filetimeUnixEpoch + 5e6) / 1e7
		return "boot-" + strconv.FormatInt(secs, 10), nil
	}
	secs, herr := host.BootTime()
	if herr != nil {
		return "", fmt.Errorf("boot id: %w", errors.Join(err, herr))
	}
	return "boot-" + strconv.FormatUint(secs, 10), nil
})

// stillActive is STILL_ACTIVE, what GetExitCodeProcess says of a live process.
const stillActive = 259

// openProcess opens pid, mapping "no such process" to ErrGone: Windows says
// ERROR_INVALID_PARAMETER for a PID no process object holds. While the
// handle is open the PID cannot be recycled, even after the process exits.
func openProcess(pid int, access uint32) (windows.Handle, error) {
	h, err := windows.OpenProcess(access, false, uint32(pid))
	if err != nil {
		if errors.Is(err, windows.ERROR_INVALID_PARAMETER) {
			return 0, fmt.Errorf("OpenProcess %d: %w", pid, ErrGone)
		}
		return 0, fmt.Errorf("OpenProcess %d: %w", pid, err)
	}
	return h, nil
}

// startOf returns the creation time of the process behind h, and ErrGone if
// it has exited: an exited process lingers as long as anyone holds a handle
// to it, but it is as good as gone. A live process that exits with code 259
// on purpose is misread as live; it cannot be signalled anyway.
func startOf(h windows.Handle) (uint64, error) {
	var created, exited, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0, fmt.Errorf("GetProcessTimes: %w", err)
	}
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return 0, fmt.Errorf("GetExitCodeProcess: %w", err)
	}
	if code != stillActive {
		return 0, fmt.Errorf("exited with code %d: %w", code, ErrGone)
	}
	return uint64(created.HighDateTime)<<32 | uint64(created.LowDateTime), nil
}

func read(pid int) (Identity, error) {
	boot, err := bootID()
	if err != nil {
		return Identity{}, err
	}
	h, err := openProcess(pid, windows.PROCESS_QUERY_LIMITED_INFORMATION)
	if err != nil {
		return Identity{}, err
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	start, err := startOf(h)
	if err != nil {
		return Identity{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	return Identity{PID: pid, Start: start, Boot: boot}, nil
}

// look reads pid's identity and parent through one handle. An exited process
// reads as gone, so none is ever a zombie.
func look(pid int) (Sighting, error) {
	boot, err := bootID()
	if err != nil {
		return Sighting{fd: -1}, err
	}
	start, ppid, err := startAndParent(pid)
	if err != nil {
		return Sighting{fd: -1}, fmt.Errorf("pid %d: %w", pid, err)
	}
	return Sighting{ID: Identity{PID: pid, Start: start, Boot: boot}, PPID: ppid, fd: -1}, nil
}

// Exited is false: on Windows an exited process already reads as gone (see read).
func Exited(int) bool { return false }
