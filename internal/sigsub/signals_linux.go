package sigsub

import "syscall"

// lastSignal is the highest signal number (SIGRTMAX).
const lastSignal = 64

// reserved: signals 32 to 34 belong to the C libraries (glibc's SIGCANCEL
// and SIGSETXID, musl's SIGSYNCCALL), so glibc's SIGRTMIN is 34, musl's 35.
// The Go runtime uses 33 for its own per-thread system calls and swallows
// it, and installs no handler for 32 and 34, which os/signal cannot catch
// either: their default action ends runp as it ends any program.
func reserved(sig syscall.Signal) bool { return sig >= 32 && sig <= 34 }
