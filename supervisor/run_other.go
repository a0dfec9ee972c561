//go:build !unix

package supervisor

import (
	"context"
	"syscall"

	"runp/reaper"
)

func run(ctx context.Context, c *Config) (syscall.WaitStatus, []reaper.Killed, error) {
	return syscall.WaitStatus{}, nil, &StartError{Code: ExitRunpFailed, Err: ErrUnsupported}
}
