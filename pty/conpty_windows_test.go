//go:build windows

package pty

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"runp/internal/testenv"
)

func TestEnvBlock(t *testing.T) {
	b, err := envBlock([]string{"A=1", "Ü=ä", "=C:=C:\\"})
	if err != nil {
		t.Fatal(err)
	}
	want := append(windows.StringToUTF16("A=1"), windows.StringToUTF16("Ü=ä")...)
	want = append(want, windows.StringToUTF16("=C:=C:\\")...)
	want = append(want, 0)
	if !slices.Equal(b, want) {
		t.Errorf("envBlock = %v, want %v", b, want)
	}
	if b, err := envBlock([]string{}); err != nil || !slices.Equal(b, []uint16{0, 0}) {
		t.Errorf("empty envBlock = %v, %v; want two NULs", b, err)
	}
	if _, err := envBlock([]string{"A=x\x00y"}); err == nil {
		t.Error("a NUL in the environment was accepted")
	}
}

func TestCoord(t *testing.T) {
	for in, want := range map[Size]windows.Coord{
		{Rows: 24, Cols: 80}:         {X: 80, Y: 24},
		{}:                           {X: int16(DefaultSize.Cols), Y: int16(DefaultSize.Rows)},
		{Rows: 0xffff, Cols: 0x8000}: {X: 0x7fff, Y: 0x7fff},
	} {
		if got := coord(in); got != want {
			t.Errorf("coord(%+v) = %+v, want %+v", in, got, want)
		}
	}
}

// deadline bounds a test's waits: 30 s, or less if go test's own deadline
// is nearer.
func deadline(t *testing.T) time.Time {
	d := time.Now().Add(30 * time.Second)
	if td, ok := t.Deadline(); ok && td.Add(-2*time.Second).Before(d) {
		d = td.Add(-2 * time.Second)
	}
	return d
}

// start starts c in a new pseudo console of o, as New and PTY.Start do;
// on an error nothing is left open.
func start(o Options, c *Cmd) (*PTY, error) {
	p, err := New(o)
	if err != nil {
		return nil, err
	}
	if err := p.Start(c); err != nil {
		_ = p.Close() // best effort
		return nil, err
	}
	return p, nil
}

// startCmd starts cmd.exe with args in a pseudo console; cleanup kills it
// by its handle and closes everything.
func startCmd(t *testing.T, setup func(windows.Handle) error, args ...string) (*PTY, chan []byte) {
	t.Helper()
	comspec := filepath.Join(os.Getenv("SystemRoot"), "System32", "cmd.exe")
	pc, err := start(Options{Size: Size{Rows: 30, Cols: 100}}, &Cmd{
		Path:    comspec,
		CmdLine: windows.ComposeCommandLine(append([]string{"cmd.exe"}, args...)),
		Env:     append(os.Environ(), "RUNP_PTY_TEST=on a pseudo console"),
		Setup:   setup,
	})
	if err != nil {
		if errors.Is(err, ErrUnsupported) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	out := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(pc.Out) // until EOF, or the cancel of Close
		out <- b
	}()
	t.Cleanup(func() {
		_ = windows.TerminateProcess(pc.Process, 1) // best effort: it may have exited
		if err := pc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return pc, out
}

// waitExit waits for the process behind pc with the test's deadline and
// returns its exit code.
func waitExit(t *testing.T, pc *PTY) uint32 {
	t.Helper()
	ms := uint32(time.Until(deadline(t)).Milliseconds())
	if ev, err := windows.WaitForSingleObject(pc.Process, ms); err != nil || ev != windows.WAIT_OBJECT_0 {
		t.Fatalf("process %d did not exit: %#x, %v", pc.Pid, ev, err)
	}
	var code uint32
	if err := windows.GetExitCodeProcess(pc.Process, &code); err != nil {
		t.Fatal(err)
	}
	return code
}

// readAll closes the pseudo console and returns all its output: EOF must
// come once conhost has exited, since Start keeps none of its pipe ends.
func readAll(t *testing.T, pc *PTY, out chan []byte) string {
	t.Helper()
	pc.CloseConsole()
	select {
	case b := <-out:
		return string(b)
	case <-time.After(time.Until(deadline(t))):
		t.Fatal("no EOF on the output after CloseConsole")
	}
	return ""
}

func TestStartOutputAndExitCode(t *testing.T) {
	var called bool
	setup := func(process windows.Handle) error {
		var code uint32
		called = windows.GetExitCodeProcess(process, &code) == nil && code == 259 // STILL_ACTIVE
		return nil
	}
	pc, out := startCmd(t, setup, "/c", "echo %RUNP_PTY_TEST% & exit 7")
	if code := waitExit(t, pc); code != 7 {
		t.Errorf("exit code %d, want 7", code)
	}
	if !called {
		t.Error("Setup was not called with the live process")
	}
	got := readAll(t, pc, out)
	if err := pc.Resize(Size{Rows: 10, Cols: 10}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Resize after CloseConsole: %v, want os.ErrClosed", err)
	}
	testenv.SkipUnderWine(t, gapOutput)
	if !strings.Contains(got, "on a pseudo console") {
		t.Errorf("output %q lacks the echo", got)
	}
}

// What wine 8's pseudo console lacks (README: Platforms).
const (
	gapOutput = "its pseudo console renders no output of the programs in it"
	gapResize = "ResizePseudoConsole is not implemented"
	gapInput  = "its pseudo console gives the programs in it no input: cmd /k ends at once"
)

func TestStartInputAndResize(t *testing.T) {
	testenv.SkipUnderWine(t, gapResize+"; "+gapInput)
	pc, out := startCmd(t, nil, "/q", "/k", "prompt $G")
	if err := pc.Resize(Size{Rows: 40, Cols: 120}); err != nil {
		t.Errorf("Resize: %v", err)
	}
	// Typed as a terminal types: Enter is a carriage return.
	if _, err := io.WriteString(pc.In, "echo typed & exit 3\r"); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, pc); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	if got := readAll(t, pc, out); !strings.Contains(got, "typed") {
		t.Errorf("output %q lacks the typed command's echo", got)
	}
}

func TestStartSetupError(t *testing.T) {
	var h windows.Handle // a handle of the test's own, valid after Start has closed its
	boom := errors.New("boom")
	setup := func(process windows.Handle) error {
		self := windows.CurrentProcess()
		if err := windows.DuplicateHandle(self, process, self, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
			t.Errorf("DuplicateHandle: %v", err)
		}
		return boom
	}
	comspec := filepath.Join(os.Getenv("SystemRoot"), "System32", "cmd.exe")
	pc, err := start(Options{}, &Cmd{Path: comspec, CmdLine: "cmd.exe /c exit 0", Setup: setup})
	if !errors.Is(err, boom) || pc != nil {
		t.Fatalf("Start = %v, %v; want the Setup error", pc, err)
	}
	if h == 0 {
		return
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	// The suspended process was terminated: nothing of it runs.
	ms := uint32(time.Until(deadline(t)).Milliseconds())
	if ev, err := windows.WaitForSingleObject(h, ms); err != nil || ev != windows.WAIT_OBJECT_0 {
		t.Fatalf("the process still runs after a failed Setup: %#x, %v", ev, err)
	}
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil || code != 1 {
		t.Errorf("exit code %d, %v; want 1 from TerminateProcess", code, err)
	}
}

func TestStartNotFound(t *testing.T) {
	_, err := start(Options{}, &Cmd{Path: `C:\no\such\program.exe`, CmdLine: "program.exe"})
	var se *os.SyscallError
	if !errors.As(err, &se) || se.Syscall != "CreateProcess" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Start(missing) = %v, want a CreateProcess error that is ErrNotExist", err)
	}
}

func TestInputReaderPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = r.Close() // best effort
		_ = w.Close() // best effort
	})
	in, err := NewInputReader(r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() }) // best effort
	if _, err := w.Write([]byte("a\x1ab\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err := in.Read(buf)
	if err != nil || !bytes.Equal(buf[:n], []byte("a\x1ab\n")) {
		t.Errorf("Read = %q, %v", buf[:n], err)
	}
	// A read blocked on an empty pipe returns once cancelled.
	done := make(chan error, 1)
	go func() {
		_, err := in.Read(buf)
		done <- err
	}()
	for end := deadline(t); ; {
		if err := in.Cancel(); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err == nil {
				t.Error("a cancelled Read returned no error")
			}
			return
		case <-time.After(5 * time.Millisecond): // retry: the cancel may precede the read
		}
		if time.Now().After(end) {
			t.Fatal("Cancel did not end the Read")
		}
	}
}
