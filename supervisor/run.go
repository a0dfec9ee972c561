package supervisor

import (
	"context"
	"errors"
	"time"
)

// Run runs the command described by cfg until it exits and returns how it
// ended. An error means the command could not be run as asked; Result.ExitCode
// is then 125, 126 or 127 (see StartError).
func Run(ctx context.Context, cfg Config) (Result, error) {
	c := cfg.withDefaults()
	res := Result{Started: time.Now()}
	if err := c.check(); err != nil {
		res.ExitCode, res.Ended = ExitRunpFailed, time.Now()
		return res, &StartError{Code: ExitRunpFailed, Err: err}
	}
	ws, killed, err := run(ctx, &c)
	res.Killed = killed
	if err != nil {
		res.ExitCode = ExitRunpFailed
		var se *StartError
		if errors.As(err, &se) {
			res.ExitCode = se.Code
		}
		res.Ended = time.Now()
		return res, err
	}
	res.ExitCode, res.Signal = exitCode(ws)
	res.Ended = time.Now()
	return res, nil
}
