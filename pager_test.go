//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runp/internal/testenv"
)

// gitRepo makes a repository of n commits whose subjects are c0 ... c(n-1),
// and returns the environment that git needs to read it with nobody's
// configuration.
func gitRepo(t *testing.T, n int) (dir string, env []string) {
	t.Helper()
	for _, tool := range []string{"git", "less"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: %v", tool, err)
		}
	}
	dir = t.TempDir()
	env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "XDG_CONFIG_HOME="+dir,
		"PAGER=less", "GIT_PAGER=less", "LESS=")
	var stream strings.Builder
	for i := range n {
		msg := fmt.Sprintf("c%d\n", i)
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter T <t@example.com> %d +0000\ndata %d\n%s\n",
			1700000000+i, len(msg), msg)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main", dir}, {"-C", dir, "fast-import", "--quiet"}} {
		cmd := exec.Command("git", args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stream.String())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return filepath.Clean(dir), env
}

// runpGit starts runp on git with env, stdin not a terminal (/dev/null)
// and stdout a pipe, and returns runp and the pipe.
func runpGit(t *testing.T, env []string, runpArgs ...string) (*exec.Cmd, *os.File, chan struct{}) {
	t.Helper()
	tag := newTag(t)
	cmd := exec.Command(runpBin, runpArgs...)
	cmd.Env = append(env, tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	err = cmd.Start()
	_ = w.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killTagged(t, tag) })
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	t.Cleanup(func() { _ = r.Close() })
	// A read of the output is bounded too: a pager that waits for keys
	// holds it open.
	if err := r.SetReadDeadline(testenv.Deadline(t)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	return cmd, r, done
}

// TestPagerWithoutKeyboard: with stdin not a terminal, nobody can answer a
// pager; git's pager (less, chosen in PAGER and GIT_PAGER on purpose) must
// not start and wait forever for keys. Before, both of these hung.
func TestPagerWithoutKeyboard(t *testing.T) {
	dir, env := gitRepo(t, 100)
	gitLog := []string{"--", "git", "-C", dir, "log", "--format=%s"}
	t.Run("runp -- git log </dev/null >out", func(t *testing.T) {
		cmd, out, done := runpGit(t, env, gitLog...)
		lines := make(chan []string, 1)
		go func() {
			var got []string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				got = append(got, strings.TrimRight(sc.Text(), "\r"))
			}
			lines <- got
		}()
		select {
		case <-done:
		case <-time.After(testenv.Patience):
			t.Fatal("runp -- git log hangs: a pager waits for keys")
		}
		if status := cmd.ProcessState.ExitCode(); status != 0 {
			t.Fatalf("status %d", status)
		}
		var got []string
		select {
		case got = <-lines:
		case <-time.After(testenv.Patience):
			t.Fatal("the output did not end")
		}
		if len(got) != 100 || got[0] != "c99" || got[99] != "c0" {
			t.Fatalf("%d lines, want the 100 commits: %q", len(got), got)
		}
	})
	t.Run("runp -- git log | head -3", func(t *testing.T) {
		_, out, done := runpGit(t, env, gitLog...)
		sc := bufio.NewScanner(out)
		for i := 0; i < 3 && sc.Scan(); i++ {
		}
		_ = out.Close() // head exits
		select {
		case <-done:
		case <-time.After(testenv.Patience):
			t.Fatal("runp -- git log | head hangs: a pager waits for keys")
		}
	})
	t.Run("--keep-pager", func(t *testing.T) {
		for _, flags := range [][]string{nil, {"--keep-pager"}} {
			args := append(append([]string{}, flags...), "--", "sh", "-c", "echo $PAGER $GIT_PAGER $MANPAGER")
			cmd, out, done := runpGit(t, env, args...)
			line, _ := bufio.NewReader(out).ReadString('\n')
			select {
			case <-done:
			case <-time.After(testenv.Patience):
				t.Fatal("runp did not exit")
			}
			want := "cat cat cat"
			if flags != nil {
				want = "less less" // as given; MANPAGER was not set
			}
			if got := strings.TrimSpace(line); got != want || cmd.ProcessState.ExitCode() != 0 {
				t.Errorf("runp %v: the command sees %q, want %q", flags, got, want)
			}
		}
	})
}

// TestPagerAtKeyboard: a person at the terminal still gets git's pager, and
// quits it with q.
func TestPagerAtKeyboard(t *testing.T) {
	dir, _ := gitRepo(t, 100)
	term := newTerminal(t, 24, 80)
	term.run("exit", runpBin, "--", "env", "-i", "PATH="+os.Getenv("PATH"), "TERM=xterm",
		"HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "git", "-C", dir, "log", "--format=%s")
	term.expect("c99")
	term.waitRaw()
	term.typ("q")
	if status := term.wait(); status != 0 {
		t.Fatalf("status %d; screen:\n%q", status, term.text())
	}
	if strings.Contains(term.text(), "c0\r") {
		t.Fatalf("the whole log was printed: no pager; screen:\n%q", term.text())
	}
}
