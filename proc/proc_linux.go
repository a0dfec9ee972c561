//go:build linux

package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// procBuf is a reusable read buffer. Files in /proc are generated on read and
// report size 0, so os.ReadFile cannot size its buffer and allocates a fresh
// 512-byte one per call; the reaper reads one stat per process per tick, so a
// pooled buffer and raw open/read/close are used instead (see
// BenchmarkReadStat* for the difference).
type procBuf struct{ b []byte }

// maxPooled bounds what goes back to the pool: one huge environ must not pin
// megabytes for the life of runp.
const maxPooled = 64 << 10

var bufPool = sync.Pool{New: func() any { return &procBuf{b: make([]byte, 2*pageSize)} }}

func getBuf() *procBuf { return bufPool.Get().(*procBuf) }

func putBuf(pb *procBuf) {
	if cap(pb.b) <= maxPooled {
		bufPool.Put(pb)
	}
}

// seqShort: a procfs seq_file (stat, children) returns less than asked only
// at the end of its data or when its internal one-page buffer is full, and a
// full page is never under half a page. So a read shorter than this has
// reached the end, and the read that would return 0 can be skipped: on a
// VM with costly syscalls that is ~15% of reading a stat file.
const seqShort = 2048

const pageSize = 4096

// readProcAt reads the whole file at path (relative to dirfd, or absolute
// with unix.AT_FDCWD) into pb and returns the bytes read, valid until pb is
// reused. seq says the file is a seq_file (see seqShort). A missing file or a
// process that died under the read is reported as ErrGone: the kernel says
// ENOENT for the former and ESRCH for the latter.
//
// A seq_file (stat, children, loadavg) is generated from the kernel's own
// structures and never waits on another process, so it is opened and read
// with raw system calls. An ordinary system call wakes the Go runtime's
// sysmon thread when the program was idle, and sysmon then polls every
// 20 µs for about a millisecond: that poll was most of the CPU an idle
// runp's reaper ticks cost. cmdline and environ are read from the other
// process's memory and can wait on its memory-map lock, so they go through
// ordinary system calls, which let the scheduler run other goroutines
// meanwhile.
func readProcAt(dirfd int, path string, pb *procBuf, seq bool) ([]byte, error) {
	open, read := openat, unix.Read
	if seq {
		open, read = rawOpenat, rawRead
	}
	fd, err := open(dirfd, path)
	if err != nil {
		return nil, procErr(path, err)
	}
	defer rawClose(fd)
	n := 0
	for {
		// Always offer a page or more: seqShort assumes it, and a seq_file
		// would hand a smaller buffer only a slice of its next record.
		if len(pb.b)-n < pageSize {
			nb := make([]byte, max(2*len(pb.b), n+pageSize))
			copy(nb, pb.b[:n])
			pb.b = nb
		}
		m, err := read(fd, pb.b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, procErr(path, err)
		}
		n += m
		if m == 0 || seq && m < seqShort {
			return pb.b[:n], nil
		}
	}
}

func openat(dirfd int, path string) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// rawOpenat is openat for paths under /proc, whose lookup never blocks
// (see readProcAt for why it is raw).
func rawOpenat(dirfd int, path string) (int, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return -1, err
	}
	for {
		fd, _, errno := syscall.RawSyscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)),
			unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0, 0, 0)
		switch errno {
		case 0:
			return int(fd), nil
		case unix.EINTR:
			continue
		}
		return -1, errno
	}
}

// rawRead is read for a seq_file (see readProcAt).
func rawRead(fd int, b []byte) (int, error) {
	n, _, errno := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// rawClose closes a read-only /proc file: nothing can be lost, so the
// error is dropped.
func rawClose(fd int) {
	_, _, _ = syscall.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0) // best effort
}

// procErr wraps err from a /proc access, mapping "no such process" to ErrGone.
func procErr(path string, err error) error {
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("%s: %w (%w)", path, ErrGone, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

func procPath(pid int, file string) string {
	return "/proc/" + strconv.Itoa(pid) + "/" + file
}

// statInfo is the part of /proc/<pid>/stat the reaper needs.
type statInfo struct {
	state   byte   // field 3: R, S, D, Z, T, ...
	ppid    int    // field 4
	threads int    // field 20: num_threads
	start   uint64 // field 22: starttime, clock ticks after boot
}

// parseStat parses the text of /proc/<pid>/stat. Field 2, the command name,
// is in parentheses but is not escaped: it may hold spaces, '(' and ')'
// ("a) b (c" is a valid name), so the fields are counted from the last ')'.
// Every field after it is a number or the one-letter state, so the last ')'
// is always the closing one.
func parseStat(b []byte) (statInfo, error) {
	var st statInfo
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return st, errors.New("stat: no ')' after comm")
	}
	rest := b[i+1:]
	field := 3 // rest begins with " <field 3>"
	for field <= 22 {
		// Skip the single separating space, then take one field.
		if len(rest) == 0 || rest[0] != ' ' {
			return st, fmt.Errorf("stat: truncated before field %d", field)
		}
		rest = rest[1:]
		j := bytes.IndexByte(rest, ' ')
		if j < 0 {
			j = len(rest)
		}
		f := rest[:j]
		var err error
		switch field {
		case 3:
			if len(f) != 1 {
				return st, fmt.Errorf("stat: bad state %q", f)
			}
			st.state = f[0]
		case 4:
			st.ppid, err = strconv.Atoi(string(f))
		case 20:
			st.threads, err = strconv.Atoi(string(f))
		case 22:
			st.start, err = strconv.ParseUint(string(f), 10, 64)
		}
		if err != nil {
			return st, fmt.Errorf("stat field %d: %w", field, err)
		}
		rest = rest[j:]
		field++
	}
	return st, nil
}

// readStat reads and parses /proc/<pid>/stat.
func readStat(pid int, pb *procBuf) (statInfo, error) {
	path := procPath(pid, "stat")
	b, err := readProcAt(unix.AT_FDCWD, path, pb, true)
	if err != nil {
		return statInfo{}, err
	}
	st, err := parseStat(b)
	if err != nil {
		return st, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// statComm returns field 2 of a stat text, without its parentheses.
func statComm(b []byte) string {
	i := bytes.IndexByte(b, '(')
	j := bytes.LastIndexByte(b, ')')
	if i < 0 || j < i {
		return ""
	}
	return string(b[i+1 : j])
}

var (
	bootOnce sync.Once
	bootVal  string
	bootErr  error
)

func bootID() (string, error) {
	bootOnce.Do(func() {
		b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
		if err != nil {
			bootErr = fmt.Errorf("boot id: %w", err)
			return
		}
		bootVal = strings.TrimSpace(string(b))
		if bootVal == "" {
			bootErr = errors.New("boot id: /proc/sys/kernel/random/boot_id is empty")
			return
		}
		// PIDs mean something only inside their PID namespace, and
		// containers on one machine share its boot id: a session recorded
		// in another namespace must never match here, as if from another
		// boot.
		if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil {
			bootVal += "/" + ns
		}
	})
	return bootVal, bootErr
}

// cmdline reads /proc/<pid>/cmdline, whose argv entries are NUL-terminated.
// It is empty for kernel threads and zombies (their mm is gone), which ps
// shows as "[comm]"; so does this.
func cmdline(pid int) string {
	pb := getBuf()
	defer putBuf(pb)
	b, err := readProcAt(unix.AT_FDCWD, procPath(pid, "cmdline"), pb, false)
	if err != nil {
		return ""
	}
	b = bytes.TrimRight(b, "\x00")
	if len(b) > 0 {
		return strings.ReplaceAll(string(b), "\x00", " ")
	}
	b, err = readProcAt(unix.AT_FDCWD, procPath(pid, "stat"), pb, true)
	if err != nil {
		return ""
	}
	if c := statComm(b); c != "" {
		return "[" + c + "]"
	}
	return ""
}
