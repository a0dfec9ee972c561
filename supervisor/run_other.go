//go:build !unix

package supervisor

import (
	"context"
	"syscall"
)

func run(ctx context.Context, c *Config) (syscall.WaitStatus, error) {
	return syscall.WaitStatus{}, &StartError{Code: ExitRunpFailed, Err: ErrUnsupported}
}
