package main

import (
	"embed"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/template"

	"github.com/urfave/cli/v2"
)

// Shell completion works as sudo's and env's do: runp's options (and their
// values), then a command name ("ps" and "reap" too, as the first word
// only), then the command's own completion, which each shell already knows:
// bash-completion's _command_offset, zsh's _normal, fish's
// __fish_complete_subcommand. The scripts are generated from the CLI
// definition, so that they know every option and which take a value.

// The scripts are text/template files; their data are the parts generated
// from the CLI definition, whole lines without the last newline.
//
//go:embed completion/runp.bash completion/runp.zsh completion/runp.fish
var scripts embed.FS

// renderScript executes the script template name with data.
func renderScript(name string, data any) string {
	t := template.Must(template.ParseFS(scripts, "completion/"+name))
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic(err) // the templates are fixed, and TestCompletion* run them
	}
	return b.String()
}

// completion is what a script needs to know about one option.
type completion struct {
	names []string // without dashes, the long name first
	value string   // "" if it takes none, else one of the kinds below
	words string   // for value "words": the values
	label string   // what the value is: a duration, a number...
	usage string
}

// Kinds of option values, and how each shell completes them.
const (
	valueNone  = ""      // a flag
	valueAny   = "any"   // a duration or a number: nothing to offer
	valueWords = "words" // one of completion.words
	valueDir   = "dir"
	valueFile  = "file"
)

// stopSignals are the signals offered for --stop-signal: those that a
// program may take as "stop" (ParseSignal takes any name or number).
func stopSignals() string {
	if runtime.GOOS == "windows" {
		return "TERM INT KILL"
	}
	return "TERM INT HUP QUIT KILL USR1 USR2"
}

func completionsOf(flags []cli.Flag) []completion {
	var out []completion
	for _, f := range flags {
		c := completion{names: f.Names()}
		if d, ok := f.(cli.DocGenerationFlag); ok {
			c.usage = d.GetUsage()
			if d.TakesValue() {
				c.value, c.label = valueAny, "value"
			}
		}
		switch f.(type) {
		case *cli.DurationFlag:
			c.label = "duration (300ms, 10s, 5m)"
		case *cli.IntFlag:
			c.label = "number"
		}
		switch c.names[0] {
		case "on-exit":
			c.value, c.words = valueWords, "kill wait leave"
		case "stop-signal":
			c.value, c.words = valueWords, stopSignals()
		case "completion":
			c.value, c.words = valueWords, "bash zsh fish"
		case "state-dir":
			c.value = valueDir
		case "report":
			c.value = valueFile
		}
		out = append(out, c)
	}
	return out
}

// printCompletion writes the completion script for shell.
func printCompletion(app *cli.App, w io.Writer, shell string) error {
	var script string
	switch shell {
	case "bash":
		script = bashScript(app)
	case "zsh":
		script = zshScript(app)
	case "fish":
		script = fishScript(app)
	default:
		return usageError{optionError{[]string{"completion"}, "%s: " + fmt.Sprintf("%q", shell) + " is not bash, zsh or fish", false}}
	}
	_, err := io.WriteString(w, script)
	return err
}

// contexts are the option sets of runp ("") and of its commands.
func contexts(app *cli.App) map[string][]completion {
	m := map[string][]completion{"": completionsOf(withHelp(app.VisibleFlags()))}
	for _, c := range app.Commands {
		m[c.Name] = completionsOf(withHelp(c.VisibleFlags()))
	}
	return m
}

// withHelp adds --help to flags if it is not there yet: urfave/cli adds it
// to a command's flags only when that command runs.
func withHelp(flags []cli.Flag) []cli.Flag {
	if lookupFlag(flags, "help") != nil {
		return flags
	}
	return append(flags, cli.HelpFlag)
}

func commandNames(app *cli.App) []string {
	var names []string
	for _, c := range app.Commands {
		names = append(names, c.Name)
	}
	return names
}

// shellQuote quotes s for a POSIX shell (and zsh, and fish's single quotes
// but for backslashes, which fishQuote handles).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
