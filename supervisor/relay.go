package supervisor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// activity remembers when the command last wrote anything.
type activity struct{ last atomic.Int64 }

func (a *activity) touch()           { a.last.Store(time.Now().UnixNano()) }
func (a *activity) since() time.Time { return time.Unix(0, a.last.Load()) }

// stream copies one of the command's outputs (the PTY master or a pipe) to
// runp's writer.
//
// When the writer's reader is gone (EPIPE), hooks.brokenPipe is called and
// the source is closed, so the command never blocks on a full PTY. Any other
// write error (a full disk: ENOSPC, EIO, EFBIG, EDQUOT) is the writer's
// alone: without runp the command would have seen it and gone on, or not, as
// it chose. The stream calls hooks.lost once and goes on reading and
// discarding, so that the command runs to its own end and runp exits with
// its status, rather than hanging up the PTY under it (SIGHUP, 129).
type stream struct {
	src      *os.File
	dst      io.Writer
	act      *activity
	hooks    streamHooks
	draining atomic.Bool
	busy     atomic.Bool // a chunk is read and not yet written
	quiet    time.Duration
	hard     atomic.Int64 // unix nanoseconds: no read deadline goes past it
	done     chan struct{}
	err      error // the write that failed; nil while output is written
	readErr  error // how reading the source failed, other than its end
}

// streamHooks are what a stream tells its owner; each may be nil.
type streamHooks struct {
	brokenPipe func()              // the writer's reader is gone
	lost       func(error)         // the writer failed otherwise: output is discarded from now on
	watch      func([]byte) func() // sees every chunk before it is written; what it returns runs after
}

// copyBuf is large enough that a PTY, which hands out at most a few KiB per
// read, never needs two reads per wake-up, and small enough to stay in cache.
const copyBuf = 32 << 10

func startStream(src *os.File, dst io.Writer, act *activity, hooks streamHooks) *stream {
	s := &stream{src: src, dst: dst, act: act, hooks: hooks, done: make(chan struct{})}
	go s.run()
	return s
}

func (s *stream) run() {
	defer close(s.done)
	buf := make([]byte, copyBuf)
	for {
		n, err := s.src.Read(buf)
		if n > 0 {
			s.busy.Store(true)
			s.act.touch()
			var after func()
			if s.hooks.watch != nil {
				after = s.hooks.watch(buf[:n])
			}
			if s.err != nil {
				// Discarding since a write failed (see stream).
			} else if _, werr := s.dst.Write(buf[:n]); errors.Is(werr, syscall.EPIPE) {
				// Nobody reads any more. Without runp the command's next
				// write would fail (and raise SIGPIPE): it gets SIGPIPE,
				// and closing our end makes its further writes fail too
				// (a PTY hangs up, a pipe breaks).
				if s.hooks.brokenPipe != nil {
					s.hooks.brokenPipe()
				}
				s.err = werr
				_ = s.src.Close() // best effort
				return
			} else if werr != nil {
				s.err = werr
				if s.hooks.lost != nil {
					s.hooks.lost(werr)
				}
			}
			if after != nil {
				after()
			}
			s.busy.Store(false)
			if s.draining.Load() {
				d := time.Now().Add(s.quiet)
				if hard := time.Unix(0, s.hard.Load()); hard.Before(d) {
					d = hard
				}
				_ = s.src.SetReadDeadline(d) // best effort
			}
		}
		if err != nil {
			// EIO is how a Linux PTY master says every slave is closed;
			// EOF is a pipe's; a deadline means the drain bound ran out.
			if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.EIO) && !errors.Is(err, os.ErrDeadlineExceeded) {
				s.readErr = err
			}
			return
		}
	}
}

// drain waits for the stream to end after the command has exited. A
// background process that still holds the PTY or pipe open must not keep runp
// waiting: the stream ends after quiet without output, or after max at most.
// Where the descriptor cannot take a deadline (a PTY master on macOS is not
// pollable), the reader is abandoned after max instead.
func (s *stream) drain(quiet, max time.Duration) {
	s.quiet = quiet
	s.hard.Store(time.Now().Add(max).UnixNano())
	s.draining.Store(true)
	pollable := s.src.SetReadDeadline(time.Now().Add(quiet)) == nil
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-s.done:
		return
	case <-t.C:
	}
	if !pollable {
		return
	}
	// The reader may be about to set a deadline it computed before the
	// bound ran out; set the past one again until it has stopped.
	past := time.Unix(1, 0)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		_ = s.src.SetReadDeadline(past) // best effort
		select {
		case <-s.done:
			return
		case <-tick.C:
		}
	}
}

// childOutput returns what the child writes to for w: w itself when it is a
// file (no copy at all), else the write end of a pipe and the stream that
// relays it; the caller closes the write end once the child has started.
// With relayFiles (--idle-timeout) files are relayed too, since runp must
// see the output to know it is idle.
func childOutput(w io.Writer, relayFiles bool, act *activity, hooks streamHooks) (*os.File, *stream, error) {
	if f, ok := w.(*os.File); ok && !relayFiles {
		return f, nil, nil
	}
	r, wr, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("pipe: %w", err)
	}
	return wr, startStream(r, w, act, hooks), nil
}
