//go:build windows

package pty

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"unicode/utf16"
	"unsafe"

	"golang.org/x/sys/windows"
)

// ConPTY is driven through golang.org/x/sys/windows directly, not through
// github.com/UserExistsError/conpty, whose Start gives no way to act between
// CreateProcess and the child's first instruction (runp must put the child
// into a job object there), keeps the pseudo console's ends of the pipes
// open in runp (so the output never reaches EOF), passes no application
// name (so Windows searches the current directory first, whatever PATH
// said), and closes its output handle in the same call that has to run
// while another thread still drains that handle (ClosePseudoConsole), which
// leaves a reader calling ReadFile on a closed, possibly reused handle.

var (
	kernel32 = windows.NewLazySystemDLL("kernel32.dll")
	// procCreatePseudoConsole is only probed: x/sys panics when it calls a
	// function the system lacks (Windows 10 before 1809).
	procCreatePseudoConsole = kernel32.NewProc("CreatePseudoConsole")
	// UpdateProcThreadAttribute is called directly because the value of
	// PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE is the HPCON itself, not a
	// pointer to it, and x/sys takes it as an unsafe.Pointer, which must
	// not hold an arbitrary integer.
	procUpdateProcThreadAttribute = kernel32.NewProc("UpdateProcThreadAttribute")
)

// Cmd is a process to start in a pseudo console.
type Cmd struct {
	// Path is the executable, already resolved. It is passed as the
	// application name, so that Windows does not search for it again.
	Path string
	// CmdLine is the whole command line, the program name included, as
	// windows.ComposeCommandLine makes it for an argv.
	CmdLine string
	// Env holds "key=value" entries, deduplicated; nil means runp's own.
	Env []string
	// Dir is the working directory; "" means runp's own.
	Dir string
	// Setup, if not nil, runs while the new process is suspended, before
	// any of its code has run: the place to put it into a job object. An
	// error aborts the start and terminates the process.
	Setup func(process windows.Handle) error
}

// PTY is a pseudo console for one process (see the package documentation).
// In carries input to the pseudo console: UTF-8 text and VT sequences, as a
// terminal sends them; Out its rendering of its screen, UTF-8 with VT
// sequences, which reaches EOF once the pseudo console is closed and its
// conhost.exe has exited.
type PTY struct {
	In, Out *os.File
	// Pid and Process are the started process, once Start has returned;
	// Process is valid until Close.
	Pid     int
	Process windows.Handle
	// NotBefore is the system time, a FILETIME, read just before the
	// pseudo console was created: the conhost.exe serving it is not older
	// (see proc.FindConhosts).
	NotBefore uint64

	mu     sync.Mutex
	hpc    windows.Handle
	closed bool
	// conhostEnds are the pipe ends that conhost holds duplicates of:
	// closed once the process has started (or failed to), after which only
	// conhost's copy of the output's write end keeps Out from EOF.
	conhostEnds [2]windows.Handle
}

// New creates a pseudo console of o.Size (with o.InheritCursor, at the
// console's cursor position); Start then starts the process in it.
func New(o Options) (*PTY, error) {
	if procCreatePseudoConsole.Find() != nil {
		return nil, fmt.Errorf("ConPTY needs Windows 10 1809 or later: %w", ErrUnsupported)
	}
	pp, err := newPipes()
	if err != nil {
		return nil, err
	}
	var flags uint32
	if o.InheritCursor {
		flags |= windows.PSEUDOCONSOLE_INHERIT_CURSOR
	}
	var now windows.Filetime
	windows.GetSystemTimeAsFileTime(&now)
	var hpc windows.Handle
	if err := windows.CreatePseudoConsole(coord(o.Size), pp.inR, pp.outW, flags, &hpc); err != nil {
		for _, h := range []windows.Handle{pp.inR, pp.inW, pp.outR, pp.outW} {
			_ = windows.CloseHandle(h) // best effort: never used
		}
		return nil, fmt.Errorf("CreatePseudoConsole: %w", err)
	}
	return &PTY{
		In:          os.NewFile(uintptr(pp.inW), "conpty-input"),
		Out:         os.NewFile(uintptr(pp.outR), "conpty-output"),
		NotBefore:   uint64(now.HighDateTime)<<32 | uint64(now.LowDateTime),
		hpc:         hpc,
		conhostEnds: [2]windows.Handle{pp.inR, pp.outW},
	}, nil
}

// Start starts c in the pseudo console, suspended until c.Setup has run.
// The process's standard handles are the pseudo console's:
// STARTF_USESTDHANDLES with null handles keeps it from getting runp's own
// handles instead when those are redirected. On an error the process,
// which has run no code of the command, is terminated; the caller closes
// the PTY.
func (p *PTY) Start(c *Cmd) error {
	defer p.releaseConhostEnds()
	pi, err := startSuspended(c, p.hpc)
	if err != nil {
		return err
	}
	p.Pid, p.Process = int(pi.ProcessId), pi.Process
	return nil
}

// releaseConhostEnds closes the pipe ends conhost holds duplicates of.
func (p *PTY) releaseConhostEnds() {
	for i, h := range p.conhostEnds {
		if h != 0 {
			_ = windows.CloseHandle(h) // best effort: conhost holds its own duplicate
			p.conhostEnds[i] = 0
		}
	}
}

// pipes are the pseudo console's two pipes: runp writes inW and reads outR;
// conhost holds duplicates of inR and outW.
type pipes struct{ inR, inW, outR, outW windows.Handle }

// newPipes makes the pipes. Anonymous pipes are synchronous, as
// CreatePseudoConsole requires, and made without inheritable handles (nil
// security attributes).
func newPipes() (*pipes, error) {
	var pp pipes
	if err := windows.CreatePipe(&pp.inR, &pp.inW, nil, 0); err != nil {
		return nil, fmt.Errorf("CreatePipe: %w", err)
	}
	if err := windows.CreatePipe(&pp.outR, &pp.outW, nil, 0); err != nil {
		_ = windows.CloseHandle(pp.inR) // best effort: never used
		_ = windows.CloseHandle(pp.inW) // best effort: never used
		return nil, fmt.Errorf("CreatePipe: %w", err)
	}
	return &pp, nil
}

// startSuspended creates c's process attached to hpc, suspended, runs
// c.Setup and resumes it. On an error the process, which has run no code
// of the command, is terminated and its handle closed.
func startSuspended(c *Cmd, hpc windows.Handle) (_ *windows.ProcessInformation, err error) {
	pi, err := createProcess(c, hpc)
	if err != nil {
		return nil, err
	}
	defer closeOnErr(&err, &pi.Process)
	defer func() { _ = windows.CloseHandle(pi.Thread) }() // not needed once resumed
	defer func() {
		if err != nil {
			// Still suspended: no code of the command has run.
			_ = windows.TerminateProcess(pi.Process, 1) // best effort: ClosePseudoConsole ends it too
		}
	}()
	if c.Setup != nil {
		if err := c.Setup(pi.Process); err != nil {
			return nil, err
		}
	}
	if _, err := windows.ResumeThread(pi.Thread); err != nil {
		return nil, fmt.Errorf("ResumeThread: %w", err)
	}
	return pi, nil
}

// createProcess runs CreateProcess for c attached to hpc, suspended. Its
// error wraps an *os.SyscallError named "CreateProcess" when that call
// failed, which is how the caller tells "cannot execute" from other trouble.
func createProcess(c *Cmd, hpc windows.Handle) (*windows.ProcessInformation, error) {
	app, err := windows.UTF16PtrFromString(c.Path)
	if err != nil {
		return nil, fmt.Errorf("application name %q: %w", c.Path, err)
	}
	// CreateProcessW may write into the command line: it must be a
	// buffer of our own, which UTF16PtrFromString makes.
	cmdLine, err := windows.UTF16PtrFromString(c.CmdLine)
	if err != nil {
		return nil, fmt.Errorf("command line: %w", err)
	}
	var dir *uint16
	if c.Dir != "" {
		if dir, err = windows.UTF16PtrFromString(c.Dir); err != nil {
			return nil, fmt.Errorf("directory %q: %w", c.Dir, err)
		}
	}
	creation := uint32(windows.EXTENDED_STARTUPINFO_PRESENT | windows.CREATE_SUSPENDED)
	var env *uint16
	if c.Env != nil {
		block, err := envBlock(c.Env)
		if err != nil {
			return nil, err
		}
		env = &block[0]
		creation |= windows.CREATE_UNICODE_ENVIRONMENT
	}

	attrs, err := windows.NewProcThreadAttributeList(1)
	if err != nil {
		return nil, fmt.Errorf("NewProcThreadAttributeList: %w", err)
	}
	defer attrs.Delete()
	r, _, e := procUpdateProcThreadAttribute.Call(uintptr(unsafe.Pointer(attrs.List())), 0,
		windows.PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE, uintptr(hpc), unsafe.Sizeof(hpc), 0, 0)
	if r == 0 {
		return nil, fmt.Errorf("UpdateProcThreadAttribute: %w", e)
	}
	si := &windows.StartupInfoEx{ProcThreadAttributeList: attrs.List()}
	si.Cb = uint32(unsafe.Sizeof(*si))
	si.Flags = windows.STARTF_USESTDHANDLES

	pi := new(windows.ProcessInformation)
	// bInheritHandles is false: the child gets nothing of runp's but the
	// pseudo console, in particular not the pipes' other ends, nor the
	// job handle (which would keep kill-on-close from ever firing).
	if err := windows.CreateProcess(app, cmdLine, nil, nil, false, creation, env, dir, &si.StartupInfo, pi); err != nil {
		return nil, os.NewSyscallError("CreateProcess", err)
	}
	return pi, nil
}

// envBlock encodes env as CreateProcessW wants it with
// CREATE_UNICODE_ENVIRONMENT: "k=v\0" entries, then one more "\0".
func envBlock(env []string) ([]uint16, error) {
	var b []uint16
	for _, kv := range env {
		if strings.IndexByte(kv, 0) >= 0 {
			return nil, fmt.Errorf("environment entry %q holds a NUL", kv)
		}
		b = append(b, utf16.Encode([]rune(kv))...)
		b = append(b, 0)
	}
	if len(b) == 0 {
		b = append(b, 0) // an empty block is two NULs
	}
	return append(b, 0), nil
}

// coord converts s to the pseudo console's COORD, with DefaultSize for a
// zero dimension and the int16 range respected.
func coord(s Size) windows.Coord {
	if s.Rows == 0 {
		s.Rows = DefaultSize.Rows
	}
	if s.Cols == 0 {
		s.Cols = DefaultSize.Cols
	}
	return windows.Coord{X: int16(min(s.Cols, 0x7fff)), Y: int16(min(s.Rows, 0x7fff))}
}

// closeOnErr closes *h if the function is failing (*err is set) and zeroes
// it, so that a second call on the way out does not close a handle value
// that may have been reused meanwhile.
func closeOnErr(err *error, h *windows.Handle) {
	if *err != nil && *h != 0 {
		_ = windows.CloseHandle(*h) // best effort: nothing was written through it
		*h = 0
	}
}

// Resize sets the pseudo console's size; conhost tells the programs in it
// with a WINDOW_BUFFER_SIZE_EVENT. It is an error after CloseConsole.
func (p *PTY) Resize(s Size) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return os.ErrClosed
	}
	if err := windows.ResizePseudoConsole(p.hpc, coord(s)); err != nil {
		return fmt.Errorf("ResizePseudoConsole: %w", err)
	}
	return nil
}

// CloseConsole closes the pseudo console; later calls do nothing. Conhost
// sends CTRL_CLOSE_EVENT to the programs still attached to it, which may
// write more output until they disconnect, then exits; Out reaches EOF
// after that. Before Windows 11 24H2, which made the call return at once,
// it waits for conhost to exit, and conhost for its output to be read: Out
// must be drained by another goroutine meanwhile (or closed before).
func (p *PTY) CloseConsole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	windows.ClosePseudoConsole(p.hpc)
}

// Close closes the pseudo console, both pipes and the process handle. A read
// of Out blocked in another goroutine is cancelled and waited for by
// os.File.Close, so the handle is never reused under it. Out is closed
// first: a pseudo console still open then finds its output pipe broken and
// does not wait for a reader of its last frame.
func (p *PTY) Close() error {
	err := p.Out.Close()
	p.CloseConsole()
	p.releaseConhostEnds()
	if ierr := p.In.Close(); err == nil {
		err = ierr
	}
	if p.Process != 0 {
		if herr := windows.CloseHandle(p.Process); err == nil && herr != nil {
			err = fmt.Errorf("CloseHandle: %w", herr)
		}
	}
	return err
}
