package main

import (
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// die ends runp by sig, the signal its command died of, so that runp's
// parent sees what it would have seen without runp (see
// supervisor.Result.DeathSignal). It returns only where it cannot: as PID
// 1, to which the kernel delivers no signal that has its default action;
// the caller then exits 128+N.
//
// The Go runtime cannot be left to do it: unsubscribed, it kills the
// process for SIGTERM, SIGINT and SIGHUP only, crashes with a stack dump for
// SIGQUIT, SIGABRT, SIGSEGV..., and drops the rest. So the disposition is
// set to the default with rt_sigaction itself, as coreutils timeout and
// sudo do with sigaction, the signal is unblocked, and raised on this
// thread. The raise dumps no core: the command's dump, if any, is the one
// that matters.
//
// With group set (the signal came from the keyboard, see
// supervisor.Result.Keyboard), sig goes to runp's whole process group first,
// as the terminal would have sent it had runp not made it raw: a script's
// bash around runp, not a job of its own, stops its loop only when it got
// SIGINT itself. Only while runp's group is the terminal's foreground,
// where the terminal's signal would have gone.
func die(sig syscall.Signal, group bool) {
	if os.Getpid() == 1 {
		return
	}
	// Reset first: once it returns, no os/signal call of runp's (the
	// subscription is stopped in the background) touches sig again.
	signal.Reset(sig)
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}) // best effort
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)     // best effort: also no piped core_pattern
	if sig != unix.SIGKILL && setDefault(sig) != nil {
		return
	}
	runtime.LockOSThread()
	var set unix.Sigset_t
	const bits = unsafe.Sizeof(set.Val[0]) * 8 // 64, or 32 on 32-bit platforms
	n := uintptr(sig) - 1
	set.Val[n/bits] |= 1 << (n % bits)
	_ = unix.PthreadSigmask(unix.SIG_UNBLOCK, &set, nil) // best effort
	if group && foreground() {
		// runp is in the group: the kernel prefers the calling thread,
		// which has sig unblocked, so this kills runp too; the raise
		// below is the fallback.
		_ = unix.Kill(0, sig)
	}
	_ = unix.Tgkill(unix.Getpid(), unix.Gettid(), sig)
	// A signal to one's own thread is delivered before kill returns: not
	// reached, unless the kernel refused.
}

// setDefault sets sig's disposition to SIG_DFL. A kernel sigaction that is
// all zeros is SIG_DFL with no flags on every architecture, whatever the
// order of its fields; the buffer is larger than any of them.
func setDefault(sig syscall.Signal) error {
	var act [64]byte
	for _, setSize := range []uintptr{8, 16} { // sizeof(sigset_t): 16 on MIPS
		_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig),
			uintptr(unsafe.Pointer(&act)), 0, setSize, 0, 0)
		if errno != unix.EINVAL || setSize == 16 {
			if errno != 0 {
				return errno
			}
			return nil
		}
	}
	return nil
}
