//go:build unix

package supervisor

import "strings"

// pagerVars are the variables that choose a pager, for the programs that
// start one by themselves when their output is a terminal: PAGER (man,
// psql, mercurial and most others), GIT_PAGER (it wins over git's
// core.pager and pager.<cmd>), MANPAGER, SYSTEMD_PAGER (systemctl,
// journalctl), GH_PAGER (GitHub's gh), AWS_PAGER (the AWS CLI), PSQL_PAGER,
// BAT_PAGER and DELTA_PAGER. Each is set to "cat", which git and systemd take
// to mean "no pager" and which every other one runs as a pager that waits
// for nothing.
var pagerVars = []string{"PAGER", "GIT_PAGER", "MANPAGER", "SYSTEMD_PAGER", "GH_PAGER",
	"AWS_PAGER", "PSQL_PAGER", "BAT_PAGER", "DELTA_PAGER"}

// withoutPagers returns env with every pager variable set to "cat".
//
// Why: under the PTY a program sees a terminal on its output and starts a
// pager (git log starts less), and the pager reads its keys from the
// terminal, the PTY. When runp's stdin is not a terminal runp relays no
// keystrokes into the PTY: nobody can ever press a key there, and the pager
// would wait forever (runp -- git log </dev/null >out, runp -- git log |
// head). Config.KeepPager leaves env alone.
func withoutPagers(env []string) []string {
	out := make([]string, 0, len(env)+len(pagerVars))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !isPagerVar(name) {
			out = append(out, kv)
		}
	}
	for _, name := range pagerVars {
		out = append(out, name+"=cat")
	}
	return out
}

func isPagerVar(name string) bool {
	for _, v := range pagerVars {
		if name == v {
			return true
		}
	}
	return false
}
