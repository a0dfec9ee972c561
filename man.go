//go:build !urfave_cli_no_docs

package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// The man page is generated from the CLI definition (names, usage, options,
// description) plus the sections below, which a man page has and --help
// does not. urfave/cli's own template makes a section 8 page whose SYNOPSIS
// is a list of every flag; ours is section 1 (a user command), with the
// synopsis of each form.

// manExitStatus must agree with the README's table and --help's text
// (TestHelpExitStatus checks the codes).
var manExitStatus = [][2]string{
	{"CMD's status", "CMD exited; with --retries, the last attempt's status."},
	{"128+N", "CMD died of signal N (137 for SIGKILL, 143 for SIGTERM): runp dies of the same signal, so a shell's $? says 128+N."},
	{"124", "--timeout or --idle-timeout fired."},
	{"125", "runp failed before CMD ran: a bad option, no command, a --report FILE that cannot be written."},
	{"126", "CMD was found but could not be executed."},
	{"127", "CMD was not found."},
}

var manEnvironment = [][2]string{
	{"RUNP_STATE_DIR", "The state dir, when --state-dir is not given."},
	{"XDG_STATE_HOME", "When neither is given, the state dir is $XDG_STATE_HOME/runp (an absolute path only), else ~/.local/state/runp."},
	{"RUNP_SESSION", "Set by runp in CMD's environment to the session's id: the cookie by which runp, and runp reap after a crash, know CMD's descendants. Every process that carries it is stopped at clean-up."},
	{"COLUMNS, LINES", "The size of CMD's terminal when runp has no terminal to copy a size from; 80 by 24 without them."},
	{"PAGER, GIT_PAGER, MANPAGER, SYSTEMD_PAGER, ...", "Set to cat in CMD's environment when runp's stdin is not a terminal, so that no pager waits for keys nobody can type; --keep-pager keeps them."},
}

var manFiles = [][2]string{
	{"STATE/sessions/ID.toml", "The record of a live session: runp's identity, the command, and every tracked process (PID, start time, command). Written atomically, 0600, by its runp only."},
	{"STATE/sessions/ID.lock", "Locked by the owning runp for its whole life: a free lock means the owner is dead, and runp reap may clean the session up."},
	{"STATE/quarantine/", "Session files that could not be read (or were too large: 8 MiB, 262,144 values), moved aside and reported once."},
}

// placeholders name the value of an option in the synopsis of the options.
var placeholders = map[string]string{
	"completion": "SHELL", "on-exit": "kill|wait|leave", "report": "FILE",
	"state-dir": "DIR", "stop-signal": "SIG", "retries": "N",
}

// renderMan renders app's man page, section 1.
func renderMan(app *cli.App) (string, error) {
	app.Setup() // adds --help and --version, as a run does; done once
	var b strings.Builder
	fmt.Fprintf(&b, "%% %s 1\n\n# NAME\n\n%s - %s\n\n# SYNOPSIS\n\n", app.Name, app.Name, app.Usage)
	synopsis := []string{app.UsageText}
	for _, c := range app.VisibleCommands() {
		synopsis = append(synopsis, c.UsageText)
	}
	for _, s := range synopsis {
		fmt.Fprintf(&b, "**%s**%s\n\n", s[:strings.IndexByte(s+" ", ' ')], mdEscape(s[strings.IndexByte(s+" ", ' '):]))
	}
	// The examples at the end of the description are indented lines: a code
	// block, so that they keep their columns.
	lines := strings.Split(app.Description, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "   ") {
			lines[i] = " " + l
		} else {
			lines[i] = mdEscape(l)
		}
	}
	desc := strings.Replace(strings.Join(lines, "\n"), ":\n    ", ":\n\n    ", 1)
	fmt.Fprintf(&b, "# DESCRIPTION\n\n%s\n\n# OPTIONS\n\n", desc)
	writeFlags(&b, app.VisibleFlags())
	b.WriteString("# COMMANDS\n\n")
	for _, c := range app.VisibleCommands() {
		fmt.Fprintf(&b, "### %s %s\n\n%s.\n\n", app.Name, c.Name, c.Usage)
		writeFlags(&b, c.VisibleFlags())
	}
	env := manEnvironment
	for _, f := range app.VisibleFlags() {
		if df, ok := f.(cli.DocGenerationFlag); ok {
			for _, v := range df.GetEnvVars() {
				if !slices.ContainsFunc(env, func(e [2]string) bool { return e[0] == v }) {
					env = append(env, [2]string{v, "As --" + f.Names()[0] + "."})
				}
			}
		}
	}
	for _, sec := range []struct {
		title string
		items [][2]string
	}{{"EXIT STATUS", manExitStatus}, {"ENVIRONMENT", env}, {"FILES", manFiles}} {
		fmt.Fprintf(&b, "# %s\n\n", sec.title)
		if sec.title == "FILES" {
			b.WriteString("STATE is the state dir: --state-dir, else $RUNP_STATE_DIR, else $XDG_STATE_HOME/runp, else ~/.local/state/runp.\n\n")
		}
		for _, it := range sec.items {
			fmt.Fprintf(&b, "**%s**\n: %s\n\n", mdEscape(it[0]), mdEscape(it[1]))
		}
	}
	b.WriteString("# SEE ALSO\n\nREADME.md and docs/design.md in runp's source repository.\n")

	// urfave/cli renders its markdown template with md2man; ours is plain
	// markdown, which a template without actions passes through as it is.
	saved := cli.MarkdownDocTemplate
	defer func() { cli.MarkdownDocTemplate = saved }()
	cli.MarkdownDocTemplate = b.String()
	return app.ToManWithSection(1)
}

// writeFlags writes one definition per option: its names, its value, its
// usage and its default.
func writeFlags(b *strings.Builder, flags []cli.Flag) {
	for _, f := range flags {
		df, ok := f.(cli.DocGenerationFlag)
		if !ok {
			continue
		}
		var names []string
		for _, n := range f.Names() {
			dash := "--"
			if len(n) == 1 {
				dash = "-"
			}
			names = append(names, "**"+dash+n+"**")
		}
		term := strings.Join(names, ", ")
		if df.TakesValue() {
			ph, ok := placeholders[f.Names()[0]]
			if !ok {
				ph = "D" // the durations
			}
			term += " *" + ph + "*"
		}
		usage := df.GetUsage()
		if v := df.GetValue(); v != "" && v != "0" && v != "0s" && v != `""` {
			usage += " (default " + strings.Trim(v, `"`) + ")"
		}
		fmt.Fprintf(b, "%s\n: %s\n\n", mdEscape(term), mdEscape(usage))
	}
}

// mdEscape keeps markdown from reading runp's text as markup: brackets,
// underscores and a leading dash mean nothing here.
var mdSpecial = regexp.MustCompile(`[\[\]_\\<>]`)

func mdEscape(s string) string {
	return mdSpecial.ReplaceAllStringFunc(s, func(m string) string { return `\` + m })
}
