//go:build linux

package main

// The test binary doubles as every child the tests need (immortal-style):
// with RUNP_TEST_HELPER=name in its environment, TestMain runs that helper
// instead of the tests. A helper needs no shell and behaves the same on every
// OS.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	process "runp/proc"
)

const helperEnv = "RUNP_TEST_HELPER"

// helpers maps a helper's name to its body; args are os.Args[1:].
var helpers = map[string]func(args []string) int{
	"exit": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		return n
	},
	"args": func(args []string) int {
		fmt.Printf("%q\n", args)
		return 0
	},
	"isatty": func([]string) int {
		fmt.Printf("0:%v 1:%v 2:%v\n", term.IsTerminal(0), term.IsTerminal(1), term.IsTerminal(2))
		return 0
	},
	"stderr": func(args []string) int {
		fmt.Fprintln(os.Stderr, args[0])
		return 0
	},
	"selfkill": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		_ = syscall.Kill(os.Getpid(), syscall.Signal(n))
		time.Sleep(time.Minute) // the signal ends the process before this does
		return 1
	},
	"emit": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		w := bufio.NewWriterSize(os.Stdout, 64<<10)
		if _, err := io.CopyN(w, newStream(), int64(n)); err != nil {
			return 1
		}
		if err := w.Flush(); err != nil {
			return 1
		}
		return 0
	},
	"cat": func([]string) int {
		if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
			return 1
		}
		return 0
	},
	// signals prints the name of every signal it gets; it exits when its
	// stdin reaches EOF.
	"signals": signalsHelper,
	// group starts a "signals" helper in its process group, then acts
	// as one itself.
	"group": func([]string) int {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), helperEnv+"=signals")
		cmd.Stdout = os.Stdout
		stdin, _ := cmd.StdinPipe()
		if err := cmd.Start(); err != nil {
			return 1
		}
		defer stdin.Close()
		return signalsHelper(nil)
	},
	// size prints the window size of its stdout, again on every SIGWINCH.
	"size": func([]string) int {
		c := make(chan os.Signal, 4)
		signal.Notify(c, unix.SIGWINCH)
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
		for {
			ws, err := unix.IoctlGetWinsize(1, unix.TIOCGWINSZ)
			if err != nil {
				fmt.Println("size error", err)
				return 1
			}
			fmt.Printf("size %d %d\n", ws.Row, ws.Col)
			<-c
		}
	},
	// sleep blocks until killed.
	"sleep": func([]string) int {
		fmt.Printf("ready %d\n", os.Getpid())
		time.Sleep(time.Hour)
		return 0
	},
	// bgholder starts a grandchild that keeps stdout (the PTY) open, prints
	// its pid and exits at once.
	"bgholder": func([]string) int {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), helperEnv+"=sleep")
		cmd.Stdout = os.Stdout
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // survives the PTY's hangup
		if err := cmd.Start(); err != nil {
			return 1
		}
		fmt.Printf("grandchild %d\n", cmd.Process.Pid)
		return 0
	},
	// orphan makes a grandchild that outlives its parent, so that it is
	// re-parented to runp, the subreaper. The grandchild exits when this
	// helper's stdin gets a line; this helper exits at stdin's EOF.
	"orphan": func([]string) int {
		r, w, _ := os.Pipe()
		mid := exec.Command(os.Args[0])
		mid.Env = append(os.Environ(), helperEnv+"=spawn")
		mid.Stdin = r
		out, _ := mid.StdoutPipe()
		if err := mid.Start(); err != nil {
			return 1
		}
		_ = r.Close()
		line, _ := bufio.NewReader(out).ReadString('\n')
		_ = mid.Wait()
		fmt.Printf("grandchild %s", line)
		in := bufio.NewReader(os.Stdin)
		_, _ = in.ReadString('\n')
		_ = w.Close() // the grandchild reads EOF and exits
		_, _ = io.Copy(io.Discard, in)
		return 0
	},
	// spawn starts a "waitstdin" child sharing its stdin, prints its pid, exits.
	"spawn": func([]string) int {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), helperEnv+"=waitstdin")
		cmd.Stdin = os.Stdin
		if err := cmd.Start(); err != nil {
			return 1
		}
		fmt.Println(cmd.Process.Pid)
		return 0
	},
	// leave starts a descendant that tries to outlive the command, prints
	// "descendant <pid>", then exits, or with "stay" waits for stdin's EOF.
	// How it leaves: doublefork (a daemon), setsid, pgrp (its own process
	// group), ignoreterm (it ignores SIGTERM), storm (200 detached sleeps).
	"leave": func(args []string) int {
		var pids []int
		switch args[0] {
		case "doublefork":
			mid := exec.Command(os.Args[0])
			mid.Env = append(os.Environ(), helperEnv+"=leave")
			mid.Args = []string{os.Args[0], "setsid"}
			out, err := mid.Output()
			if err != nil {
				return 1
			}
			fmt.Print(string(out))
			return stay(args)
		case "storm":
			for range 200 {
				cmd := exec.Command("sleep", "3600")
				cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
				if err := cmd.Start(); err != nil {
					return 1
				}
				pids = append(pids, cmd.Process.Pid)
			}
		default:
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), helperEnv+"=sleep")
			switch args[0] {
			case "setsid":
				cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			case "pgrp":
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			case "ignoreterm":
				cmd.Env = append(os.Environ(), helperEnv+"=ignoreterm")
				cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			}
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				return 1
			}
			// Wait until it runs (and, for ignoreterm, ignores SIGTERM).
			if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
				return 1
			}
			pids = append(pids, cmd.Process.Pid)
		}
		for _, pid := range pids {
			fmt.Printf("descendant %d %d\n", pid, startOf(pid))
		}
		return stay(args)
	},
	"ignoreterm": func([]string) int {
		signal.Ignore(unix.SIGTERM)
		fmt.Printf("ready %d\n", os.Getpid())
		time.Sleep(time.Hour)
		return 0
	},
	"reuse": func(args []string) int { return reuseHelper(args) },
	// drip prints args[0] lines, one every args[1], then exits with the
	// status args[2] (0 if absent). A failed write does not stop it.
	"drip": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		every, _ := time.ParseDuration(args[1])
		for i := range n {
			fmt.Println("drip", i)
			time.Sleep(every)
		}
		if len(args) > 2 {
			code, _ := strconv.Atoi(args[2])
			return code
		}
		return 0
	},
	// spew starts a detached grandchild that writes to stdout without end,
	// prints its pid and exits.
	"spew": func([]string) int {
		cmd := exec.Command("yes", "spew")
		cmd.Stdout = os.Stdout
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			return 1
		}
		fmt.Printf("descendant %d %d\n", cmd.Process.Pid, startOf(cmd.Process.Pid))
		return 0
	},
	"jobshell": jobShell,
	// flaky fails until the counter file args[0] reaches args[1].
	"flaky": func(args []string) int {
		b, _ := os.ReadFile(args[0])
		n, _ := strconv.Atoi(string(b))
		if err := os.WriteFile(args[0], []byte(strconv.Itoa(n+1)), 0o600); err != nil {
			return 100
		}
		want, _ := strconv.Atoi(args[1])
		if n < want {
			return 1
		}
		return 0
	},
	"waitstdin": func([]string) int {
		_, _ = io.Copy(io.Discard, os.Stdin)
		return 0
	},
	// bgshell stands in for an interactive shell: it is the session leader
	// of a terminal and runs runp as a background job (a process group that
	// is not the foreground one), then reports how runp ended.
	"bgshell": func(args []string) int {
		// args: the helper runp's command should run, then runp's argv.
		cmd := exec.Command(args[1], args[2:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Env = append(os.Environ(), helperEnv+"="+args[0])
		if err := cmd.Start(); err != nil {
			return 1
		}
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(cmd.Process.Pid, &ws, unix.WUNTRACED, nil)
			if err == unix.EINTR {
				continue
			}
			break
		}
		if ws.Stopped() {
			fmt.Printf("bgshell: runp stopped by %s\n", unix.SignalName(ws.StopSignal()))
			_ = unix.Kill(cmd.Process.Pid, unix.SIGKILL)
			return 2
		}
		fmt.Printf("bgshell: runp exited %d\n", ws.ExitStatus())
		return 0
	},
}

// stream is the deterministic binary stream that "emit" writes and the tests
// check: every byte value, "\n" and "\r" included.
type stream struct{ x uint64 }

func newStream() *stream { return &stream{x: 88172645463325252} }

func (s *stream) Read(p []byte) (int, error) {
	for i := range p {
		s.x ^= s.x << 13
		s.x ^= s.x >> 7
		s.x ^= s.x << 17
		p[i] = byte(s.x)
	}
	return len(p), nil
}

// signalsHelper prints the name of every signal it gets; it exits when its
// stdin reaches EOF.
func signalsHelper([]string) int {
	c := make(chan os.Signal, 16)
	signal.Notify(c, unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT,
		unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH, unix.SIGCONT)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fmt.Printf("ready %d\n", os.Getpid())
	for s := range c {
		fmt.Printf("%d got %s\n", os.Getpid(), unix.SignalName(s.(syscall.Signal)))
	}
	return 0
}

// stay waits for stdin's EOF when args end with "stay"; with "fail" it
// exits 1 at once.
func stay(args []string) int {
	switch args[len(args)-1] {
	case "stay":
		_, _ = io.Copy(io.Discard, os.Stdin)
	case "fail":
		return 1
	}
	return 0
}

// jobShell stands in for a shell with job control: it runs args as the
// foreground job of its terminal (args[0] names the helper the job's command
// runs), and when the job stops (Ctrl-Z) it reports
// the terminal's modes, takes the terminal, then puts the job back in the
// foreground with SIGCONT, as `fg` does, and reports how it ended.
func jobShell(args []string) int {
	tio, _ := unix.IoctlGetTermios(0, unix.TCGETS)
	cmd := exec.Command(args[1], args[2:]...) // args[0]: the helper the job runs
	cmd.Env = append(os.Environ(), helperEnv+"="+args[0])
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Foreground: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		return 1
	}
	signal.Ignore(unix.SIGTTOU) // to take the terminal back from the background
	pid := cmd.Process.Pid
	for {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, unix.WUNTRACED, nil); err == unix.EINTR {
			continue
		}
		if !ws.Stopped() {
			status := ws.ExitStatus()
			if ws.Signaled() {
				status = 128 + int(ws.Signal()) // as a shell's $?
			}
			fmt.Printf("jobshell: exited %d\n", status)
			return 0
		}
		_ = unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, unix.Getpgrp())
		now, _ := unix.IoctlGetTermios(0, unix.TCGETS)
		fmt.Printf("jobshell: stopped, modes restored %v\n", *now == *tio)
		_ = unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, pid)
		_ = unix.Kill(-pid, unix.SIGCONT)
	}
}

// startOf is pid's start time: the test identifies descendants by it, since
// their PIDs may be reused once they are dead.
func startOf(pid int) uint64 {
	id, _ := process.Read(pid)
	return id.Start
}
