//go:build linux

package reaper

import (
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// newTick returns a tick on a timerfd that the Go netpoller waits on,
// or on a Go timer if no timerfd can be had.
//
// A Go timer costs an idle process a burst of polling each time it fires:
// the runtime's sysmon thread wakes at the timer's exact time, while the
// netpoller that runs timers sleeps in whole milliseconds and wakes later,
// and sysmon polls every 20 µs in between. An idle runp spent most of its
// CPU there. A file the netpoller waits on wakes only the netpoller. The
// timerfd is read and armed with raw system calls, as an ordinary one wakes
// sysmon too (see readProcAt).
func newTick(d time.Duration) tick {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return newTimerTick(d)
	}
	f := os.NewFile(uintptr(fd), "reaper-tick") // non-blocking: the netpoller waits on it
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close() // best effort
		return newTimerTick(d)
	}
	ft := &fdTick{f: f, rc: rc, c: make(chan struct{}, 1)}
	ft.Reset(d)
	go ft.wait()
	return ft
}

// fdTick is a tick on a timerfd.
type fdTick struct {
	f  *os.File
	rc syscall.RawConn
	c  chan struct{}
}

func (ft *fdTick) C() <-chan struct{} { return ft.c }

// wait passes every expiry on to C until Stop closes the timerfd.
func (ft *fdTick) wait() {
	var n [8]byte // the expiry count, unused
	for {
		err := ft.rc.Read(func(fd uintptr) bool {
			_, _, errno := syscall.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&n[0])), uintptr(len(n)))
			return errno != unix.EAGAIN && errno != unix.EINTR
		})
		if err != nil {
			return // closed by Stop
		}
		select {
		case ft.c <- struct{}{}:
		default: // one pending tick is enough
		}
	}
}

// Reset arms the timerfd to expire once, d from now.
func (ft *fdTick) Reset(d time.Duration) {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(max(int64(d), 1))} // 0 would disarm it
	_ = ft.rc.Control(func(fd uintptr) {
		_, _, _ = syscall.RawSyscall6(unix.SYS_TIMERFD_SETTIME, fd, 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0) // cannot fail on a valid timerfd
	})
}

// Stop closes the timerfd, which ends wait.
func (ft *fdTick) Stop() { _ = ft.f.Close() } // best effort: nothing is lost
