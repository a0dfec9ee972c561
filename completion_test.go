//go:build linux

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"runp/internal/testenv"
)

// The completion tests drive each shell's own completion machinery on
// runp's generated script, with "runp" on PATH: bash with bash-completion
// (the function called as readline calls it), zsh on a pseudo-terminal
// (zpty) with TAB typed, fish with complete -C. Each case is a command line
// up to the cursor and what must (and must not) be offered.
type complCase struct {
	line string   // what was typed; bash splits it at spaces and at "="
	want []string // all offered, in any order
	only bool     // and nothing else
	not  []string // none of these offered
}

// complDir is a directory with a directory "da" and a file "db" in it, and
// PATH with runp on it.
func complSetup(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	bin := filepath.Join(dir, "bin")
	for _, err := range []error{os.Mkdir(bin, 0o755), os.Symlink(runpBin, filepath.Join(bin, "runp")),
		os.Mkdir(filepath.Join(dir, "da"), 0o755), os.WriteFile(filepath.Join(dir, "db"), nil, 0o644)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir, bin + ":" + os.Getenv("PATH")
}

func needShell(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("no %s (.ci/run installs it)", n)
		}
	}
}

// commonCases hold in every shell. d is complSetup's directory.
func commonCases(d string) []complCase {
	return []complCase{
		{line: "runp --idle", want: []string{"--idle-timeout"}, only: true},
		{line: "runp reap --dr", want: []string{"--dry-run"}, only: true},
		// The command's own completion, after runp's options or "--".
		{line: "runp git che", want: []string{"checkout", "cherry-pick"}},
		{line: "runp -t 5s --no-pty git che", want: []string{"checkout"}},
		{line: "runp -- git che", want: []string{"checkout"}},
		{line: "runp runp git che", want: []string{"checkout"}},
		// Files as the command's arguments.
		{line: "runp cat " + d + "/d", want: []string{d + "/da", d + "/db"}},
		// ps and reap: the first word only, their options, nothing else.
		{line: "runp re", want: []string{"reap", "readlink"}},
		{line: "runp -v re", want: []string{"readlink"}, not: []string{"reap"}},
		{line: "runp -- re", want: []string{"readlink"}, not: []string{"reap"}},
		{line: "runp ps ", not: []string{"h", "help", "reap", d}},
		{line: "runp ps --", want: []string{"--json", "--state-dir"}, not: []string{"--dry-run", "--no-pty"}},
		// Option values.
		{line: "runp --on-exit ", want: []string{"kill", "wait", "leave"}, only: true},
		{line: "runp --stop-signal K", want: []string{"KILL"}, only: true},
		{line: "runp reap --stop-signal H", want: []string{"HUP"}, only: true},
		{line: "runp --state-dir " + d + "/d", want: []string{d + "/da"}, not: []string{d + "/db"}},
		{line: "runp --report " + d + "/d", want: []string{d + "/da", d + "/db"}},
		{line: "runp --timeout ", not: []string{"da", "db", d + "/da", "reap"}},
	}
}

// check compares what a shell offered for tc with what it should.
func check(t *testing.T, shell string, tc complCase, got []string) {
	t.Helper()
	trim := func(s string) string { return strings.TrimRight(strings.TrimSpace(s), "/") }
	for i := range got {
		got[i] = trim(got[i])
	}
	slices.Sort(got)
	got = slices.Compact(got)
	for _, w := range tc.want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: %q: no %q in %q", shell, tc.line, w, got)
		}
	}
	for _, n := range tc.not {
		if slices.Contains(got, n) {
			t.Errorf("%s: %q: %q offered: %q", shell, tc.line, n, got)
		}
	}
	if tc.only && len(got) != len(tc.want) {
		t.Errorf("%s: %q: got %q, want exactly %q", shell, tc.line, got, tc.want)
	}
}

// shellRun runs a shell script with runp on PATH, within testenv.Patience.
func shellRun(t *testing.T, path string, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*testenv.Patience)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "PATH="+path, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv[:2], err, out)
	}
	return string(out)
}

// bashWords splits a command line as bash does for COMP_WORDS: at spaces,
// and around "=" (in COMP_WORDBREAKS).
func bashWords(line string) []string {
	words := strings.Split(strings.ReplaceAll(line, "=", " = "), " ")
	if strings.HasSuffix(line, "=") {
		words = words[:len(words)-1] // the cursor is on the "="
	}
	return words
}

func TestCompletionBash(t *testing.T) {
	needShell(t, "bash", "git")
	if _, err := os.Stat("/usr/share/bash-completion/bash_completion"); err != nil {
		t.Skip("no bash-completion (.ci/run installs it)")
	}
	d, path := complSetup(t)
	cases := append(commonCases(d),
		complCase{line: "runp --on-exit=w", want: []string{"wait"}, only: true},
		complCase{line: "runp --on-exit=", want: []string{"kill", "wait", "leave"}, only: true},
		complCase{line: "runp --timeout=5s git che", want: []string{"checkout"}},
		complCase{line: "runp --state-dir=" + d + "/d", want: []string{d + "/da"}, only: true},
	)
	for _, withBC := range []bool{true, false} {
		var script strings.Builder
		if withBC {
			script.WriteString("source /usr/share/bash-completion/bash_completion\n")
		}
		script.WriteString(`eval "$(runp --completion bash)"
c() {
  COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
  local f=$(complete -p runp | sed 's/.*-F \([^ ]*\).*/\1/')
  # As readline calls it; compopt complains outside of a real completion.
  $f runp "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
  printf '%s\n' "${COMPREPLY[@]}"; echo "--- end"
}
`)
		var run []complCase
		for _, tc := range cases {
			if !withBC && strings.Contains(tc.line, " git ") {
				continue // git's completion comes with bash-completion
			}
			run = append(run, tc)
			script.WriteString("c")
			for _, w := range bashWords(tc.line) {
				script.WriteString(" " + sq(w))
			}
			script.WriteString("\n")
		}
		out := shellRun(t, path, "bash", "--norc", "-c", script.String())
		results := strings.Split(out, "--- end\n")
		if len(results) != len(run)+1 {
			t.Fatalf("bash: %d results for %d cases:\n%s", len(results)-1, len(run), out)
		}
		name := map[bool]string{true: "bash with bash-completion", false: "bash alone"}[withBC]
		for i, tc := range run {
			check(t, name, tc, strings.Fields(results[i]))
		}
	}
}

// zshDriver types each line into an interactive zsh on a PTY (zsh's zpty),
// then TAB, then a key whose widget writes the line as it now is; compadd
// is wrapped to write every match it is given.
const zshDriver = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PROMPT="> "; unsetopt AUTO_LIST; autoload -U compinit; compinit -u -D; eval "$(runp --completion zsh)"'
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a m; builtin compadd -O m "$@"; print -rl -- "${m[@]}" >> $OUT; builtin compadd "$@"; }'
zpty -w z 'dump() { print -r -- "BUFFER:$BUFFER" >> $OUT; print -r -- "--- end" >> $OUT; }; zle -N dump; bindkey -e; bindkey "^Xq" dump'
n=0
for line in "$@"; do
  n=$((n + 1))
  zpty -w -n z "$line"$'\t\x18q'
  for i in {1..1200}; do
    [[ -f $OUT ]] && (( $(grep -c -- '^--- end$' $OUT) >= n )) && break
    sleep 0.05
  done
  # Ctrl-U empties the line for the next one: only now, since the terminal
  # itself would take it as "kill line" (and the keys before it with it)
  # while zsh is not yet reading keys.
  zpty -w -n z $'\x15'
done
zpty -d z
cat $OUT
`

func TestCompletionZsh(t *testing.T) {
	needShell(t, "zsh", "git")
	d, path := complSetup(t)
	cases := append(commonCases(d),
		complCase{line: "runp cat /et", want: []string{"BUFFER:runp cat /etc"}},
		complCase{line: "runp --on-exit w", want: []string{"BUFFER:runp --on-exit wait"}},
		complCase{line: "runp --state-dir=" + d + "/d", want: []string{"BUFFER:runp --state-dir=" + d + "/da"}},
	)
	var lines []string
	for _, tc := range cases {
		lines = append(lines, tc.line)
	}
	driver := filepath.Join(t.TempDir(), "driver.zsh")
	if err := os.WriteFile(driver, []byte(zshDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OUT", filepath.Join(t.TempDir(), "out"))
	out := shellRun(t, path, append([]string{"zsh", "-f", driver}, lines...)...)
	results := strings.Split(out, "--- end\n")
	if len(results) != len(cases)+1 {
		t.Fatalf("zsh: %d results for %d cases:\n%s", len(results)-1, len(cases), out)
	}
	for i, tc := range cases {
		// A case wants either the line after TAB or the matches.
		wantLine := len(tc.want) > 0 && strings.HasPrefix(tc.want[0], "BUFFER:")
		var got []string
		for _, l := range strings.Split(strings.TrimSuffix(results[i], "\n"), "\n") {
			switch b, isLine := strings.CutPrefix(l, "BUFFER:"); {
			case l == "" || isLine != wantLine:
			case isLine:
				got = append(got, "BUFFER:"+strings.TrimSpace(b))
			case !strings.HasPrefix(l, "/") && strings.Contains(tc.line, d+"/d"):
				got = append(got, d+"/"+l) // a path's matches come without their directory
			default:
				got = append(got, l)
			}
		}
		check(t, "zsh", tc, got)
	}
}

func TestCompletionFish(t *testing.T) {
	needShell(t, "fish", "git")
	d, path := complSetup(t)
	cases := append(commonCases(d),
		complCase{line: "runp cat /et", want: []string{"/etc"}, only: true},
		complCase{line: "runp --state-dir=" + d + "/d", want: []string{"--state-dir=" + d + "/da"}, only: true},
	)
	var script strings.Builder
	script.WriteString("runp --completion fish | source\n")
	for _, tc := range cases {
		script.WriteString("complete -C " + sq(tc.line) + "; echo '--- end'\n")
	}
	out := shellRun(t, path, "fish", "-c", script.String())
	results := strings.Split(out, "--- end\n")
	if len(results) != len(cases)+1 {
		t.Fatalf("fish: %d results for %d cases:\n%s", len(results)-1, len(cases), out)
	}
	for i, tc := range cases {
		var got []string
		for _, l := range strings.Split(strings.TrimSuffix(results[i], "\n"), "\n") {
			if l != "" {
				got = append(got, strings.Split(l, "\t")[0])
			}
		}
		check(t, "fish", tc, got)
	}
}

// TestCompletionScripts: every script is valid for its shell, and an
// unknown shell is a usage error.
func TestCompletionScripts(t *testing.T) {
	for shell, check := range map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "-n"}} {
		out, _, status := runpCLI(t, "--completion", shell)
		if status != 0 || !strings.Contains(out, "runp") {
			t.Errorf("%s: status %d", shell, status)
			continue
		}
		if _, err := exec.LookPath(check[0]); err != nil {
			continue
		}
		cmd := exec.Command(check[0], check[1])
		cmd.Stdin = strings.NewReader(out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, msg)
		}
	}
	if _, stderr, status := runpCLI(t, "--completion", "tcsh"); status != 125 || stderr != "runp: --completion: \"tcsh\" is not bash, zsh or fish\n" {
		t.Errorf("tcsh: status %d, %q", status, stderr)
	}
}

// sq single-quotes s for bash, or for fish when s has no backslash.
func sq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
