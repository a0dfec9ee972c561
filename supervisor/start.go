package supervisor

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"runp/reaper"
)

// lookPath resolves argv0 as a shell would, and maps a failure to the shell's
// status: 127 when nothing is there, 126 when something is there but cannot be
// executed.
func lookPath(argv0, dir string) (string, error) {
	name := argv0
	if dir != "" && strings.ContainsAny(name, `/`+string(filepath.Separator)) && !filepath.IsAbs(name) {
		name = filepath.Join(dir, name) // a relative command is Dir's
	}
	path, err := exec.LookPath(name)
	if err == nil || errors.Is(err, exec.ErrDot) {
		// A PATH entry of "." is the user's choice; a shell honours it too.
		if dir != "" && !filepath.IsAbs(path) {
			// Found from runp's directory, but the child execs it after
			// changing to Dir.
			if abs, aerr := filepath.Abs(path); aerr == nil {
				path = abs
			}
		}
		return path, nil
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return "", &StartError{Code: ExitNotFound, Err: fmt.Errorf("%s: command not found", argv0)}
	}
	return "", startFailure(argv0, err)
}

// startFailure maps an error from starting the command to a StartError.
func startFailure(argv0 string, err error) error {
	var se *StartError
	if errors.As(err, &se) {
		return err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT:
			return &StartError{Code: ExitNotFound, Err: fmt.Errorf("%s: command not found", argv0)}
		case syscall.EACCES, syscall.EPERM, syscall.ENOEXEC, syscall.EISDIR, syscall.E2BIG, syscall.ETXTBSY:
			return &StartError{Code: ExitNotExecutable, Err: fmt.Errorf("%s: %s", argv0, errno.Error())}
		}
	}
	if errors.Is(err, fs.ErrPermission) {
		return &StartError{Code: ExitNotExecutable, Err: fmt.Errorf("%s: permission denied", argv0)}
	}
	return &StartError{Code: ExitRunpFailed, Err: fmt.Errorf("start %s: %w", argv0, err)}
}

// withCookie returns env with the session cookie set to id, replacing a
// cookie inherited from an outer runp: the command and its descendants
// belong to this session.
func withCookie(env []string, id string) []string {
	prefix := reaper.SessionKey + "="
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, prefix) {
			out = append(out, kv)
		}
	}
	return append(out, prefix+id)
}
