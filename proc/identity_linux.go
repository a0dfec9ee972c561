//go:build linux

package proc

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// noPidfd is set once pidfd_open has answered ENOSYS: the kernel is older
// than 5.3, or a seccomp profile (Docker's default on old versions) hides the
// call. It will not appear later, so stop asking.
var noPidfd atomic.Bool

// pidfsMagic is PID_FS_MAGIC, the f_type of pidfs ("PIDF").
const pidfsMagic = 0x50494446

// pidfs reports whether pidfds live on pidfs (Linux >= 6.9). There, fstat of
// a pidfd gives the inode number the kernel assigned to the process's
// struct pid from a 64-bit counter when it was created: unique for the boot,
// the same for every pidfd on that process, never handed out again. Before
// 6.9 every pidfd is an anonymous inode sharing one number, which names
// nothing.
var pidfs = sync.OnceValue(func() bool {
	fd, err := openPidfd(os.Getpid())
	if err != nil {
		return false
	}
	defer unix.Close(fd) // best effort: nothing to flush
	var fs unix.Statfs_t
	return unix.Fstatfs(fd, &fs) == nil && fs.Type == pidfsMagic
})

// errNoFd reports that this process has no file descriptor to spare: the
// caller degrades to the start-time identity.
var errNoFd = errors.New("no file descriptor left for a pidfd")

// openPidfd opens a pidfd on pid. It fails with errNoFd when descriptors ran
// out, ErrUnsupported when the kernel has no pidfd, and ErrGone when no
// process has pid: a PID that names a thread counts as no process (before
// 6.9 pidfd_open says EINVAL for it, and without PIDFD_THREAD so does 6.9).
func openPidfd(pid int) (int, error) {
	if noPidfd.Load() {
		return -1, ErrUnsupported
	}
	for {
		fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
		switch {
		case err == nil:
			return fd, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOSYS):
			noPidfd.Store(true)
			return -1, ErrUnsupported
		case errors.Is(err, unix.ESRCH), errors.Is(err, unix.EINVAL):
			return -1, fmt.Errorf("pidfd_open %d: %w", pid, ErrGone)
		case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE):
			return -1, fmt.Errorf("pidfd_open %d: %w (%w)", pid, errNoFd, err)
		default:
			return -1, fmt.Errorf("pidfd_open %d: %w", pid, err)
		}
	}
}

// pidfdAlive reports whether the process behind fd has not been reaped yet
// (a zombie counts as not reaped): while it has not, its PID is still its
// own, so whatever was read by that PID before this call was read from it.
// Signal 0 only checks, as kill(2) does; EPERM (another user's process)
// proves existence too. Raw: it runs on every walk (see readProcAt).
func pidfdAlive(fd int) bool {
	_, _, errno := syscall.RawSyscall6(unix.SYS_PIDFD_SEND_SIGNAL, uintptr(fd), 0, 0, 0, 0, 0)
	return errno == 0 || errno == unix.EPERM
}

// pidfdIno returns the pidfs inode number of fd's process, or 0 without pidfs.
func pidfdIno(fd int) uint64 {
	if !pidfs() {
		return 0
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0
	}
	return st.Ino
}

func closeFd(fd int) {
	if fd >= 0 {
		_ = unix.Close(fd) // best effort: a pidfd holds no data
	}
}

// look reads pid's identity, parent and state, with a pidfd open on it when
// one can be had. The pidfd is opened first and checked to be alive after
// /proc/<pid>/stat was read: the PID cannot have changed hands in between,
// so the stat, the pidfd and its inode number all belong to one process.
// Without a pidfd (no descriptor left, or a kernel before 5.3) the stat
// alone is read, and the identity is exact to the clock tick only.
func look(pid int) (Sighting, error) {
	boot, _ := bootID() // "" if unknown: start times (and inodes) still compare
	fd, err := openPidfd(pid)
	if err != nil && !errors.Is(err, errNoFd) && !errors.Is(err, ErrUnsupported) {
		return Sighting{fd: -1}, err
	}
	pb := getBuf()
	defer putBuf(pb)
	st, err := readStat(pid, pb)
	if err != nil {
		closeFd(fd)
		return Sighting{fd: -1}, err
	}
	// A leader that exited before its other threads shows Z too, but its
	// process lives on (and can be signalled): only a process whose last
	// thread is gone is a zombie.
	s := Sighting{ID: Identity{PID: pid, Start: st.start, Boot: boot}, PPID: st.ppid,
		Zombie: (st.state == 'Z' || st.state == 'X') && st.threads <= 1, fd: fd}
	if fd >= 0 {
		if !pidfdAlive(fd) {
			closeFd(fd)
			return Sighting{fd: -1}, fmt.Errorf("pid %d: reaped while read: %w", pid, ErrGone)
		}
		s.ID.Ino = pidfdIno(fd)
	}
	return s, nil
}

// fdReserve is what the held pidfds leave of RLIMIT_NOFILE for everything
// else runp opens (PTY, state dir, /proc reads). The Go runtime has already
// raised the soft limit to the hard one at start (and restores the original
// for the processes runp starts), so the budget is the hard limit less this.
const fdReserve = 256

var fdBudget = sync.OnceValue(func() int {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return int(min(rl.Cur, 1<<24)) - fdReserve
})

// held keeps one pidfd per tracked process, keyed by its identity, from the
// moment its holder first saw it until it is dropped. A held pidfd is the
// process itself, not its PID: the signal goes through it, and once the
// process has been reaped it refuses with ESRCH whoever has the PID now.
var held = struct {
	sync.Mutex
	m map[Identity]*heldFd
}{m: map[Identity]*heldFd{}}

type heldFd struct{ fd, refs int }

// hold keeps fd as id's pidfd. It always takes fd over: closed when another
// reference already holds id, or when the budget of descriptors is spent (id
// then goes on with its recorded identity).
func hold(id Identity, fd int) {
	held.Lock()
	defer held.Unlock()
	if h := held.m[id]; h != nil {
		h.refs++
		closeFd(fd)
		return
	}
	if fd < 0 || len(held.m) >= fdBudget() {
		closeFd(fd)
		return
	}
	held.m[id] = &heldFd{fd: fd, refs: 1}
}

// release drops one reference to id's pidfd, closing it with the last.
func release(id Identity) {
	held.Lock()
	defer held.Unlock()
	h := held.m[id]
	if h == nil {
		return
	}
	if h.refs--; h.refs == 0 {
		closeFd(h.fd)
		delete(held.m, id)
	}
}

// withHeld runs f with id's held pidfd, under the lock so that the
// descriptor cannot be closed (and its number reused) meanwhile. ok is false
// when id is not held.
func withHeld(id Identity, f func(fd int) error) (err error, ok bool) {
	held.Lock()
	defer held.Unlock()
	h := held.m[id]
	if h == nil {
		return nil, false
	}
	return f(h.fd), true
}

// heldAlive reports, for a held id, whether its process has not been reaped;
// ok is false when id is not held.
func heldAlive(id Identity) (alive, ok bool) {
	err, ok := withHeld(id, func(fd int) error {
		if !pidfdAlive(fd) {
			return ErrGone
		}
		return nil
	})
	return err == nil, ok
}
