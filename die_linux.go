package main

import (
	"os/signal"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// On Linux runp can die of any signal. The Go runtime cannot be left to do
// it: unsubscribed, it kills the process for SIGTERM, SIGINT and SIGHUP
// only, crashes with a stack dump for SIGQUIT, SIGABRT, SIGSEGV..., and
// drops the rest. So the disposition is set to the default with
// rt_sigaction itself, as coreutils timeout and sudo do with sigaction, the
// signal is unblocked, and raised on this thread. The raise dumps no core:
// the command's dump, if any, is the one that matters.

func canDieOf(syscall.Signal) bool { return true }

// armDefault gives sig its default action on this thread, locked to it,
// and no core dump; false if the kernel refused.
func armDefault(sig syscall.Signal) bool {
	// Reset first: once it returns, no os/signal call of runp's (the
	// subscription is stopped in the background) touches sig again.
	signal.Reset(sig)
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}) // best effort
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)     // best effort: also no piped core_pattern
	if sig != unix.SIGKILL && setDefault(sig) != nil {
		return false
	}
	runtime.LockOSThread()
	var set unix.Sigset_t
	const bits = unsafe.Sizeof(set.Val[0]) * 8 // 64, or 32 on 32-bit platforms
	n := uintptr(sig) - 1
	set.Val[n/bits] |= 1 << (n % bits)
	_ = unix.PthreadSigmask(unix.SIG_UNBLOCK, &set, nil) // best effort
	return true
}

// raise sends sig to this thread, which has it unblocked: to the group,
// the kernel also prefers the calling thread, so this is the fallback.
func raise(sig syscall.Signal, _ bool) {
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
