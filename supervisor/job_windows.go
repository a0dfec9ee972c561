//go:build windows

package supervisor

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The command and everything it starts run in a Job Object with
// JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE. A process created by a member joins
// the job at birth, and without JOB_OBJECT_LIMIT_BREAKAWAY_OK none can leave
// it (CREATE_BREAKAWAY_FROM_JOB fails with access denied), so the job holds
// the whole tree, including the processes the reaper's snapshots cannot
// link back to the command: Windows keeps no parent for a process whose
// parent has exited. When runp's handle closes, however runp ends (even by
// TerminateProcess), the kernel kills every member.
//
// How the command gets in without a window in which it could start a
// process outside: the command is created suspended, assigned, then
// resumed. The other way, runp joining the job itself so that its children
// are born in it, would kill runp along with the tree when it terminates the
// job (TerminateJobObject is runp's backstop at clean-up), would trap the
// Go program embedding the supervisor in a kill-on-close job for the rest of
// its life, and would stack one more nested job on runp with every
// --retries attempt. The pseudo console's conhost.exe, a child of runp, is
// outside the job either way, so a job kill never cuts the output short.
//
// The job handle is never inheritable (nil security attributes) and the
// command is started without inheriting it: a process holding a second
// handle would keep kill-on-close from ever firing.

// exitCodeKilled is the exit code of a process that runp terminates, with
// TerminateProcess or TerminateJobObject: Windows has no signals, hence no
// 128+N, and these calls set whatever code they are given. runp gives 1, as
// the reaper does (see proc.Signal): a command killed after a second
// Ctrl-C exits 1 (one stopped by --timeout still makes runp exit 124).
const exitCodeKilled = 1

// x/sys declares the information of Set/QueryInformationJobObject as a
// uintptr, which the compiler does not see as a pointer: the struct could
// be moved with its goroutine's stack mid-call. LazyProc.Call is
// //go:uintptrescapes, which keeps the struct on the heap and alive.
var (
	kernel32                      = windows.NewLazySystemDLL("kernel32.dll")
	procSetInformationJobObject   = kernel32.NewProc("SetInformationJobObject")
	procQueryInformationJobObject = kernel32.NewProc("QueryInformationJobObject")
	procGetProcessIdOfThread      = kernel32.NewProc("GetProcessIdOfThread")
)

// jobAccounting is JOBOBJECT_BASIC_ACCOUNTING_INFORMATION.
type jobAccounting struct {
	TotalUserTime, TotalKernelTime                       int64
	ThisPeriodTotalUserTime, ThisPeriodTotalKernelTime   int64
	TotalPageFaultCount, TotalProcesses, ActiveProcesses uint32
	TotalTerminatedProcesses                             uint32
}

// job is the Job Object of one attempt.
type job struct{ h windows.Handle }

// newJob creates an unnamed job with kill-on-close.
func newJob() (*job, error) {
	h, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("CreateJobObject: %w", err)
	}
	j := &job{h: h}
	if err := j.setKillOnClose(true); err != nil {
		_ = windows.CloseHandle(h) // best effort: the job is empty
		return nil, err
	}
	return j, nil
}

// setKillOnClose sets the job's limits to kill-on-close, or to none.
func (j *job) setKillOnClose(on bool) error {
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	if on {
		info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	}
	r, _, e := procSetInformationJobObject.Call(uintptr(j.h), windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), unsafe.Sizeof(info))
	if r == 0 {
		return fmt.Errorf("SetInformationJobObject: %w", e)
	}
	return nil
}

// assign puts a process into the job. Since Windows 8 a process already in
// a job (runp's own, under another runp or a CI service) joins this one as
// a nested job, so this fails only where the outer job forbids it.
func (j *job) assign(process windows.Handle) error {
	if err := windows.AssignProcessToJobObject(j.h, process); err != nil {
		return fmt.Errorf("AssignProcessToJobObject: %w", err)
	}
	return nil
}

// active returns the number of processes in the job.
func (j *job) active() (int, error) {
	var info jobAccounting
	r, _, e := procQueryInformationJobObject.Call(uintptr(j.h), windows.JobObjectBasicAccountingInformation,
		uintptr(unsafe.Pointer(&info)), unsafe.Sizeof(info), 0)
	if r == 0 {
		return 0, fmt.Errorf("QueryInformationJobObject: %w", e)
	}
	return int(info.ActiveProcesses), nil
}

// terminate kills every process in the job. Membership is the identity
// check here: only the command and what it started can be in the job.
func (j *job) terminate() error {
	if err := windows.TerminateJobObject(j.h, exitCodeKilled); err != nil {
		return fmt.Errorf("TerminateJobObject: %w", err)
	}
	return nil
}

// waitEmpty waits until the job has no process, checking every interval,
// and reports true; or false once stop is closed or the job cannot be
// queried.
func (j *job) waitEmpty(stop <-chan struct{}, interval time.Duration) bool {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := j.active()
		if err != nil {
			return false
		}
		if n == 0 {
			return true
		}
		select {
		case <-stop:
			return false
		case <-t.C:
		}
	}
}

// close closes the handle: with kill-on-close still set, the kernel kills
// whatever is left in the job.
func (j *job) close() error {
	if err := windows.CloseHandle(j.h); err != nil {
		return fmt.Errorf("CloseHandle(job): %w", err)
	}
	return nil
}

// resumeProcess resumes a process created with CREATE_SUSPENDED by
// exec.Cmd, which closes the handle of the process's initial thread. A
// process that has not run yet has that one thread only; Toolhelp finds it
// by its owner, and the owner is checked again through an open handle,
// which pins the thread: a thread of the snapshot that had exited could
// have passed its id on to a thread of another process. (NtResumeProcess
// would do this in one call, but is undocumented.)
func resumeProcess(pid int) error {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPTHREAD, 0)
	if err != nil {
		return fmt.Errorf("CreateToolhelp32Snapshot: %w", err)
	}
	defer func() { _ = windows.CloseHandle(snap) }() // best effort: nothing to flush
	var te windows.ThreadEntry32
	te.Size = uint32(unsafe.Sizeof(te))
	resumed := 0
	for err = windows.Thread32First(snap, &te); err == nil; err = windows.Thread32Next(snap, &te) {
		if te.OwnerProcessID != uint32(pid) {
			continue
		}
		ok, rerr := resumeThread(te.ThreadID, pid)
		if rerr != nil {
			return rerr
		}
		if ok {
			resumed++
		}
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return fmt.Errorf("Thread32Next: %w", err)
	}
	if resumed == 0 {
		return fmt.Errorf("pid %d: no suspended thread found", pid)
	}
	return nil
}

// resumeThread resumes thread tid if it belongs to process pid.
func resumeThread(tid uint32, pid int) (bool, error) {
	th, err := windows.OpenThread(windows.THREAD_SUSPEND_RESUME|windows.THREAD_QUERY_LIMITED_INFORMATION, false, tid)
	if err != nil {
		return false, fmt.Errorf("OpenThread %d: %w", tid, err)
	}
	defer func() { _ = windows.CloseHandle(th) }() // best effort: nothing to flush
	owner, _, e := procGetProcessIdOfThread.Call(uintptr(th))
	if owner == 0 {
		return false, fmt.Errorf("GetProcessIdOfThread: %w", e)
	}
	if int(owner) != pid {
		return false, nil
	}
	if _, err := windows.ResumeThread(th); err != nil {
		return false, fmt.Errorf("ResumeThread: %w", err)
	}
	return true, nil
}
