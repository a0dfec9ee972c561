//go:build linux

// Command ptyrelay is the bare PTY relay of bench/compare.sh: open a PTY
// with creack/pty, turn output post-processing (OPOST) off on the slave,
// start the command with the slave as its stdout and controlling terminal,
// copy master -> stdout with a 32 KiB loop until EIO, and exit with the
// command's status. It is what runp's output path costs with nothing else.
//
// With -nonblock the master comes from runp's own pty.Open (non-blocking,
// read through Go's poller, as runp reads it) instead of creack/pty's
// blocking descriptor: the difference between the two isolates the poller.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	cpty "github.com/creack/pty"
	"golang.org/x/sys/unix"

	"runp/pty"
)

func main() {
	nonblock := flag.Bool("nonblock", false, "read the master through Go's poller, as runp does")
	bufSize := flag.Int("buf", 32<<10, "copy buffer size in bytes")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, "usage: ptyrelay [-nonblock] [-buf N] CMD [ARGS...]") }
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(125)
	}
	open := cpty.Open
	if *nonblock {
		open = pty.Open
	}
	master, slave, err := open()
	if err != nil {
		fail(err)
	}
	if err := rawOutput(slave); err != nil {
		fail(err)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, slave, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 1}
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	_ = slave.Close() // the child holds it; EIO comes when the child's copies close
	buf := make([]byte, *bufSize)
	for {
		n, err := master.Read(buf)
		if n > 0 {
			if _, werr := os.Stdout.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break // EIO: every slave descriptor is closed
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			os.Exit(128 + int(ws.Signal()))
		}
		os.Exit(ee.ExitCode())
	}
	if err != nil {
		fail(err)
	}
}

// rawOutput clears OPOST, as runp does when its stdout is not a terminal.
func rawOutput(slave *os.File) error {
	fd := int(slave.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Oflag &^= unix.OPOST
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ptyrelay:", err)
	os.Exit(125)
}
