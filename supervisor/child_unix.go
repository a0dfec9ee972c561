//go:build unix

package supervisor

import (
	"errors"
	"log/slog"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"runp/proc"
)

// errChildDone is returned when a signal is asked for after the child was reaped.
var errChildDone = errors.New("command already exited")

// child is runp's direct child and the one owner of wait4 in this process.
//
// Nothing else waits for the child (it is started with syscall.ForkExec, so
// no os.Process holds it): a second waiter would race the wait4(-1) loop,
// needed to reap orphans re-parented to a subreaper, for the child's status.
// This loop reaps everything and picks out the child. The mutex is held across
// wait4 and across kill, so a signal can never be sent to the child's PID
// after the kernel has released it for reuse.
type child struct {
	pid     int
	mon     *monitor // the child is the job-control monitor of the command, if not nil
	reapAll bool     // subreaper: reap every child, not only ours
	log     *slog.Logger
	exited  chan struct{} // closed when the child has been reaped
	stopped chan struct{} // receives when the child is stopped (Ctrl-Z)
	mu      sync.Mutex
	done    bool
	status  syscall.WaitStatus
	none    bool // the last wait4(-1) said ECHILD: no child at all
}

func newChild(pid int, reapAll bool, log *slog.Logger) *child {
	return &child{
		pid:     pid,
		reapAll: reapAll,
		log:     log,
		exited:  make(chan struct{}),
		stopped: make(chan struct{}, 1),
	}
}

// reap collects every waitable process without blocking: called on SIGCHLD
// and on every tick, since signals of the same kind coalesce.
func (c *child) reap() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		if c.done && !c.reapAll {
			return
		}
		target := c.pid
		if c.reapAll {
			target = -1
		}
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(target, &ws, syscall.WNOHANG|syscall.WUNTRACED, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			c.none = errors.Is(err, syscall.ECHILD)
			return // ECHILD: nothing left; 0: nothing waitable now
		}
		switch {
		case pid != c.pid:
			if !ws.Stopped() {
				c.log.Debug("reaped", "pid", pid)
			}
		case ws.Stopped():
			select {
			case c.stopped <- struct{}{}:
			default:
			}
		default:
			c.done = true
			c.status = ws
			if c.mon != nil {
				// The command's own status, unless the monitor was killed.
				if job, ok := c.mon.final(); ok {
					ws, c.status = job, job
				}
			}
			code, _ := exitCode(ws)
			c.log.Debug("child exited", "pid", pid, "status", code)
			close(c.exited)
		}
	}
}

// signal sends sig to the child, or to process group pgrp when pgrp > 0, as
// long as the child has not been reaped.
func (c *child) signal(sig syscall.Signal, pgrp int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return errChildDone
	}
	target := c.pid
	if pgrp > 0 {
		target = -pgrp
	}
	if c.mon != nil && sig == unix.SIGCONT {
		// The monitor stopped with its job; resumed, it resumes the job.
		_ = unix.Kill(c.pid, sig) // best effort
	}
	if c.mon != nil && pgrp <= 0 {
		// The command is the monitor's child; its PID is freed when the
		// monitor reaps it, so only its identity names it.
		if c.mon.job == nil {
			return errChildDone
		}
		if err := proc.Signal(*c.mon.job, sig); err != nil {
			return err
		}
		c.log.Debug("signalled", "pid", c.mon.job.PID, "signal", unix.SignalName(sig))
		return nil
	}
	if err := unix.Kill(target, sig); err != nil {
		return err
	}
	c.log.Debug("signalled", "pid", target, "signal", unix.SignalName(sig))
	return nil
}

// result returns the child's wait status once exited is closed.
func (c *child) result() syscall.WaitStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// childless reports, for a subreaper, that it has no child left, zombies
// included: then no descendant is left either.
func (c *child) childless() bool {
	if !c.reapAll {
		return false
	}
	c.reap()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.none
}
