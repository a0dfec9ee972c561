//go:build !unix && !windows

package supervisor

import (
	"context"
	"os"
)

type subscription struct{ sigs chan os.Signal }

func subscribe() *subscription { return &subscription{sigs: make(chan os.Signal)} }
func (*subscription) stop()    {}
func (*subscription) cancel()  {}

func run(ctx context.Context, c *Config, sub *subscription) (outcome, error) {
	return outcome{}, &StartError{Code: ExitRunpFailed, Err: ErrUnsupported}
}
