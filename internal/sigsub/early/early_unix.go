//go:build unix

package early

import (
	"os"

	"runp/internal/sigsub"
)

func init() {
	// runp's job-control monitor (supervisor.Monitor) subscribes every
	// signal itself, at once.
	if os.Getenv(sigsub.MonitorEnv) != "" {
		return
	}
	sigsub.Start()
}
