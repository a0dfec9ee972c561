//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"runp/internal/testenv"
)

// The examples/ directory, each run as its README lines say.

func exampleCmd(t *testing.T, tag string, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t), "RUNP="+runpBin)
	t.Cleanup(func() { killTagged(t, tag) })
	return cmd
}

func TestExampleLeakySuite(t *testing.T) {
	tag := newTag(t)
	s, err := combinedOutput(t, exampleCmd(t, tag, "examples/leaky-suite/run.sh", runpBin))
	if err != nil {
		t.Fatalf("%v:\n%s", err, s)
	}
	without, with, _ := strings.Cut(s, "== with runp")
	if !strings.Contains(without, "left running: 2") || !strings.Contains(with, "left running: 0") || !strings.Contains(with, "signalled") {
		t.Fatalf("output:\n%s", s)
	}
	// No noLeaks here: the run without runp leaks on purpose (the script's
	// pkill leaves each loop's current `sleep 1`); cleanup kills them.
}

// TestExampleCI runs the CI example twice, as its README line says: each run
// shows the retry (old runp's example kept its count in /tmp, so only the
// first run ever failed), writes its report under a temporary directory, and
// leaves nothing in the repository (old: runp-report.json in it).
func TestExampleCI(t *testing.T) {
	before, gitOK := gitStatus()
	for run := 1; run <= 2; run++ {
		tag := newTag(t)
		s, err := combinedOutput(t, exampleCmd(t, tag, "examples/ci/ci.sh", "examples/ci/flaky.sh"))
		if err != nil || !strings.Contains(s, "ci: passed after 2 attempt(s)") || !strings.Contains(s, "runp: attempt 2/3 after exit status 1") {
			t.Fatalf("run %d: %v:\n%s", run, err, s)
		}
		_, report, _ := strings.Cut(s, "report: ")
		report = strings.TrimSpace(report)
		if !filepath.IsAbs(report) || !strings.HasPrefix(report, os.TempDir()+"/") {
			t.Fatalf("run %d: the report is not under %s: %q", run, os.TempDir(), report)
		}
		t.Cleanup(func() { _ = os.RemoveAll(filepath.Dir(report)) })
		if r := readReport(t, report); len(r.Attempts) != 2 || r.Attempts[0].ExitCode != 1 {
			t.Errorf("run %d: report: %+v", run, r)
		}
		noLeaks(t, tag)
	}
	if after, _ := gitStatus(); gitOK && after != before {
		t.Errorf("the example left files in the repository:\n%s", after)
	}
}

func TestExampleEmbed(t *testing.T) {
	tag := newTag(t)
	s, _ := combinedOutput(t, exampleCmd(t, tag, "go", "run", "./examples/embed"))
	if !strings.Contains(s, `output: "started\r\n"`) && !strings.Contains(s, `output: "started\n"`) || !strings.Contains(s, "limit \"cancelled\"") || !strings.Contains(s, "SIGTERM: sleep 60") {
		t.Fatalf("output:\n%s", s)
	}
	noLeaks(t, tag)
}

// TestExampleContainer runs the container example's entrypoint as PID 1 of a
// new PID namespace, as `docker run` would, and stops it as `docker stop`
// does: SIGTERM to PID 1.
func TestExampleContainer(t *testing.T) {
	unshare := mustLook(t, "unshare")
	if err := exec.Command(unshare, "--pid", "--fork", "--mount-proc", "true").Run(); err != nil {
		t.Skipf("cannot make a PID namespace here: %v", err)
	}
	tag := newTag(t)
	cmd := exampleCmd(t, tag, unshare, "--pid", "--fork", "--mount-proc", runpBin, "--no-pty", "--grace", "3s", "--", "examples/container/app.sh")
	p := startCmd(t, cmd)
	p.expect("app: serving")
	testenv.WaitFor(t, "the daemon", func() bool { return len(tagged(tag)) >= 4 }) // unshare, runp, app, daemon
	runp := childrenOf(t, cmd.Process.Pid)[0]
	if err := syscall.Kill(runp, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.expect("app: got SIGTERM, stopping")
	if status := p.wait(); status != 143 {
		t.Fatalf("status %d, want 143", status)
	}
	noLeaks(t, tag)
}
