//go:build linux

package proc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

func signal(id Identity, sig syscall.Signal) error {
	// A pidfd held since the process was first seen is the process itself.
	if err, ok := withHeld(id, func(fd int) error { return signalPidfd(fd, id, sig) }); ok {
		return err
	}
	fd, err := openPidfd(id.PID)
	switch {
	case err == nil:
		defer closeFd(fd)
		if err := verifyPidfd(fd, id); err != nil {
			return err
		}
		return signalPidfd(fd, id, sig)
	case errors.Is(err, ErrGone):
		return err
	case !errors.Is(err, ErrUnsupported) && !errors.Is(err, errNoFd):
		return err
	}
	// No pidfd: check, then kill(2). The PID could change hands in between,
	// which takes the process's exit, its reaping and the PID coming round
	// again within microseconds.
	if err := verify(id); err != nil {
		return err
	}
	if err := protectRunp(id, sig, nil); err != nil {
		return err
	}
	return sysErr("kill", unix.Kill(id.PID, sig))
}

// verifyPidfd checks that fd, freshly opened on id.PID, is id's process.
// With id.Ino (pidfs) that is exact: the inode number is the process's for
// the whole boot. Without it the start time decides: the pidfd was opened
// before /proc/<pid>/stat is read, so the process it refers to was born no
// later than the check, and if the start time still matches, the PID has not
// changed hands since id was recorded unless it did so within one clock tick.
func verifyPidfd(fd int, id Identity) error {
	if id.Ino != 0 && pidfs() {
		if ino := pidfdIno(fd); ino != id.Ino {
			return fmt.Errorf("%v, now pidfs ino %d: %w", id, ino, ErrReused)
		}
		return nil
	}
	return verify(id)
}

// signalPidfd sends sig through fd, which is id's process. If the process
// has been reaped since, the kernel answers ESRCH even if its PID has been
// handed out again.
func signalPidfd(fd int, id Identity, sig syscall.Signal) error {
	if err := protectRunp(id, sig, func() bool { return pidfdAlive(fd) }); err != nil {
		return err
	}
	return sysErr("pidfd_send_signal", unix.PidfdSendSignal(fd, sig, nil, 0))
}

// protectRunp refuses SIGKILL to a live runp: killed, it could not clean up
// its own tree, which would be left behind; the stop signal makes it do so.
// A runp is recognised by its executable, the same file as this process's
// (device and inode of /proc/<pid>/exe). same, if not nil, confirms after the
// read that the PID still belonged to the signalled process.
func protectRunp(id Identity, sig syscall.Signal, same func() bool) error {
	if sig != unix.SIGKILL || !isRunp(id.PID) || (same != nil && !same()) {
		return nil
	}
	return fmt.Errorf("%v is a runp (%s): only the stop signal, so that it cleans its own tree: %w",
		id, selfExePath(), ErrProtected)
}

// isRunp is sameExe; the package's tests, whose helper processes run the
// test binary itself, turn it off where they stand for ordinary processes.
var isRunp = sameExe

type fileKey struct{ dev, ino uint64 }

var selfExe = sync.OnceValues(func() (fileKey, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/exe", &st); err != nil {
		return fileKey{}, err
	}
	return fileKey{st.Dev, st.Ino}, nil
})

func selfExePath() string {
	p, _ := os.Executable()
	return p
}

// sameExe reports whether pid runs this process's executable file.
func sameExe(pid int) bool {
	self, err := selfExe()
	if err != nil {
		return false
	}
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/exe", &st); err != nil {
		return false
	}
	return fileKey{st.Dev, st.Ino} == self
}

// ancestors returns the PIDs of this process's parent, its parent's parent,
// and so on up to the top of the PID namespace (whose parent reads as 0).
// The clean-up asks once per signal, so a walk is kept with a pidfd on each
// ancestor, and made again once runp's parent has changed or one of them
// has exited (a pidfd polls readable from its process's exit on, zombie
// included): while neither happened, the chain of parents is what it was.
// Without pidfds every call walks.
func ancestors() []int {
	ancestry.Lock()
	defer ancestry.Unlock()
	if ancestry.fds != nil && os.Getppid() == ancestry.pids[0] && noneExited(ancestry.fds) {
		return ancestry.pids
	}
	for _, fd := range ancestry.fds {
		closeFd(fd)
	}
	ancestry.pids, ancestry.fds = walkAncestors()
	return ancestry.pids
}

// ancestry is the last walk of ancestors, and a pidfd on each; fds is nil
// when the walk could not hold them all, and the next call walks again.
var ancestry struct {
	sync.Mutex
	pids []int
	fds  []int
}

// walkAncestors walks up from this process's parent. fds, a pidfd on each
// ancestor, is nil unless each was proved to be the process it names: a
// pidfd opened on a PID, then the child's parent read again as that PID
// while the child lives, is the parent, not a process that got its PID.
func walkAncestors() (pids, fds []int) {
	pb := getBuf()
	defer putBuf(pb)
	held := true
	// parentOf is the parent of pids[i-1], or of this process. A read that
	// fails (the ancestor exited, or no descriptor was left) ends the walk
	// short: it is not kept, and the next call walks again. Only a parent
	// that reads as 0 ends a walk that is kept.
	parentOf := func(i int) int {
		if i == 0 {
			return os.Getppid()
		}
		st, err := readStat(pids[i-1], pb)
		if err != nil {
			held = false
			return 0
		}
		return st.ppid
	}
	for pid := parentOf(0); pid > 0 && len(pids) < 4096; {
		pids = append(pids, pid)
		i := len(pids) - 1
		if held {
			fd, err := openPidfd(pid)
			held = err == nil && parentOf(i) == pid && (i == 0 || noneExited(fds[i-1:]))
			if err == nil {
				fds = append(fds, fd)
			}
		}
		pid = parentOf(i + 1)
	}
	if !held || len(fds) == 0 {
		for _, fd := range fds {
			closeFd(fd)
		}
		return pids, nil
	}
	return pids, fds
}

// noneExited reports whether no process behind fds has exited, in one poll.
func noneExited(fds []int) bool {
	pfds := make([]unix.PollFd, len(fds))
	for i, fd := range fds {
		pfds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	}
	for {
		n, err := unix.Poll(pfds, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return err == nil && n == 0
	}
}

// sysErr maps ESRCH to ErrGone.
func sysErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ESRCH):
		return fmt.Errorf("%s: %w", op, ErrGone)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}
