//go:build unix

package early

import (
	"os"
	"strings"

	"runp/internal/sigsub"
)

func init() {
	if skip() {
		return
	}
	sigsub.Start()
}

// skip tells the processes that run runp's code but are not the runp
// command: runp's job-control monitor (supervisor.Monitor), which
// subscribes every signal itself, at once; and a Go test binary (named
// *.test) of the command's package, which also runs the tests' helper
// processes: they need the default dispositions, and undoing a
// subscription takes as many round trips to the runtime as making it.
func skip() bool {
	return os.Getenv(sigsub.MonitorEnv) != "" || strings.HasSuffix(os.Args[0], ".test")
}
