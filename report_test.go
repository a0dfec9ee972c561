//go:build linux

package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"runp/internal/testenv"
)

// isReport reports whether b is one whole JSON report.
func isReport(b []byte) bool {
	var r runReport
	return json.Unmarshal(b, &r) == nil && r.RunpVersion == version
}

// TestReportKeepsWhatThePathIs: --report into a device, a FIFO or through a
// symlink writes into it; the path stays the device, FIFO or link it was.
// (Old runp renamed a regular 0600 file over each, /dev/null included.)
// The nodes are made in a temp dir, so that a failure breaks nothing of the
// machine's.
func TestReportKeepsWhatThePathIs(t *testing.T) {
	dir := t.TempDir()

	t.Run("device", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("mknod needs root")
		}
		null := filepath.Join(dir, "null")
		if err := unix.Mknod(null, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
			t.Skipf("mknod: %v", err) // a container without CAP_MKNOD
		}
		if err := os.Chmod(null, 0o666); err != nil { // past the umask
			t.Fatal(err)
		}
		if _, _, status := runOnce(t, run{flags: []string{"--report", null}, helper: "exit", args: []string{"0"}}); status != 0 {
			t.Fatalf("status %d", status)
		}
		var st unix.Stat_t
		if err := unix.Lstat(null, &st); err != nil {
			t.Fatal(err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) || st.Mode&0o777 != 0o666 {
			t.Errorf("the device became mode %o, rdev %x", st.Mode, st.Rdev)
		}
	})

	t.Run("fifo", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo")
		if err := unix.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		// O_RDWR: the open does not wait for a writer, and the cleanup can
		// end the read whatever runp did.
		f, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Close() })
		got := make(chan []byte, 1)
		go func() {
			var b []byte
			buf := make([]byte, 4096)
			for !isReport(b) {
				n, err := f.Read(buf)
				if err != nil {
					break
				}
				b = append(b, buf[:n]...)
			}
			got <- b
		}()
		if _, _, status := runOnce(t, run{flags: []string{"--report", fifo}, helper: "exit", args: []string{"0"}}); status != 0 {
			t.Fatalf("status %d", status)
		}
		fi, err := os.Lstat(fifo)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Type() != os.ModeNamedPipe {
			t.Fatalf("the FIFO became %v", fi.Mode())
		}
		select {
		case b := <-got:
			if !isReport(b) {
				t.Errorf("the FIFO's reader got %q", b)
			}
		case <-time.After(testenv.Patience):
			t.Fatal("the FIFO's reader got no report")
		}
	})

	t.Run("symlink", func(t *testing.T) {
		target := filepath.Join(dir, "real.json")
		if err := os.WriteFile(target, []byte(strings.Repeat("old ", 1000)), 0o644); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "link.json")
		if err := os.Symlink("real.json", link); err != nil {
			t.Fatal(err)
		}
		if _, _, status := runOnce(t, run{flags: []string{"--report", link}, helper: "exit", args: []string{"3"}}); status != 3 {
			t.Fatalf("status %d", status)
		}
		if dest, err := os.Readlink(link); err != nil || dest != "real.json" {
			t.Fatalf("the symlink is gone: %q, %v", dest, err)
		}
		b, err := os.ReadFile(target)
		if err != nil || !isReport(b) {
			t.Fatalf("the link's target holds %.80q (%v)", b, err)
		}
		if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o644 {
			t.Errorf("the target's mode became %v", fi.Mode())
		}
	})

	t.Run("stdout", func(t *testing.T) {
		// /dev/stdout with stdout redirected to a log: the report goes after
		// the command's output, and the log keeps both.
		link := filepath.Join(dir, "stdout")
		if err := os.Symlink("/proc/self/fd/1", link); err != nil {
			t.Fatal(err)
		}
		logPath := filepath.Join(dir, "log")
		log, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		defer log.Close()
		cmd := run{flags: []string{"--no-pty", "--report", link}, helper: "args", args: []string{"before"}}.command(t, newTag(t))
		cmd.Stdout, cmd.Stderr = log, log
		if err := testenv.Run(t, cmd); err != nil {
			t.Fatalf("runp: %v", err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode().Type() != os.ModeSymlink {
			t.Fatalf("the symlink became %v (%v)", fi.Mode(), err)
		}
		b, _ := os.ReadFile(logPath)
		out, report, _ := strings.Cut(string(b), "\n")
		if out != `["before"]` || !isReport([]byte(report)) {
			t.Errorf("the log holds %q", b)
		}
	})
}

// TestReportPathCheckedFirst: a report that cannot be written is a usage
// error, found before the command runs: status 125 and one line naming the
// path as given. (Old runp ran the command, then named a temp file, and
// exited 0.)
func TestReportPathCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"missing dir":  filepath.Join(dir, "nope", "r.json"),
		"not a dir":    filepath.Join(file, "r.json"),
		"a directory":  dir,
		"dangling dir": filepath.Join(dir, "dangling"),
		"link to dir":  filepath.Join(dir, "dirlink"),
	} {
		t.Run(name, func(t *testing.T) {
			switch name {
			case "dangling dir":
				if err := os.Symlink("nope/r.json", path); err != nil {
					t.Fatal(err)
				}
			case "link to dir":
				if err := os.Symlink(".", path); err != nil {
					t.Fatal(err)
				}
			}
			checkRefused(t, path, run{flags: []string{"--report", path}, helper: "args", args: []string{"ran"}})
		})
	}
	t.Run("unwritable dir", func(t *testing.T) {
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(ro, "r.json")
		r := run{flags: []string{"--report", path}, helper: "args", args: []string{"ran"}}
		if os.Geteuid() != 0 {
			checkRefused(t, path, r)
			return
		}
		// Root writes anywhere: run runp as nobody, from a copy that nobody
		// can execute.
		bin := filepath.Join(publicDir(t), "runp")
		copyFile(t, runpBin, bin)
		cmd := r.command(t, newTag(t))
		cmd.Path, cmd.Args[0] = bin, bin
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		_ = testenv.Run(t, cmd)
		checkRefusal(t, path, out.String(), errb.String(), cmd.ProcessState.ExitCode())
	})
}

func checkRefused(t *testing.T, path string, r run) {
	t.Helper()
	out, errs, status := runOnce(t, r)
	checkRefusal(t, path, out, errs, status)
}

func checkRefusal(t *testing.T, path, out, errs string, status int) {
	t.Helper()
	if status != 125 || out != "" {
		t.Errorf("status %d, stdout %q: the command ran", status, out)
	}
	if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "--report "+path+": ") || strings.Contains(errs, ".tmp") {
		t.Errorf("stderr %q: not one line naming %s", errs, path)
	}
}

// publicDir is a fresh directory that every user can enter and read.
func publicDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	for p := d; p != os.TempDir() && p != "/"; p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
