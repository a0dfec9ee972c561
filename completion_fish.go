package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// fishScript is the completion for fish (completion/runp.fish): conditions
// that read the command line say where the cursor is (runp's options, the
// command's name, one of runp's commands, or the command's words), and the
// command's words go to fish's __fish_complete_subcommand, as for sudo.
func fishScript(app *cli.App) string {
	ctx := contexts(app)
	var valued []string
	for _, c := range ctx[""] {
		if c.value != valueNone {
			for _, n := range c.names {
				valued = append(valued, "-"+n, "--"+n)
			}
		}
	}
	return renderScript("runp.fish", struct{ Commands, Valued, FirstWords, Options string }{
		strings.Join(commandNames(app), " "), strings.Join(valued, " "), fishCommands(app), fishOptions(ctx)})
}

// fishOptions are the complete lines of every context's options.
func fishOptions(ctx map[string][]completion) string {
	var lines []string
	for _, name := range contextNames(ctx) { // runp's own first
		where := name
		if name == "" {
			where = "options"
		}
		for _, c := range ctx[name] {
			var b strings.Builder
			fmt.Fprintf(&b, "complete -c runp -n 'test (__runp_where) = %s'", where)
			for _, n := range c.names {
				if len(n) == 1 {
					fmt.Fprintf(&b, " -s %s", n)
				} else {
					fmt.Fprintf(&b, " -l %s", n)
				}
			}
			switch c.value {
			case valueAny:
				b.WriteString(" -x")
			case valueWords:
				fmt.Fprintf(&b, " -x -a %s", fishQuote(c.words))
			case valueDir:
				b.WriteString(" -x -a '(__fish_complete_directories (commandline -ct))'")
			case valueFile:
				b.WriteString(" -r -F")
			}
			fmt.Fprintf(&b, " -d %s", fishQuote(c.usage))
			lines = append(lines, b.String())
		}
	}
	return strings.Join(lines, "\n")
}

// fishCommands offers runp's commands as the first word only.
func fishCommands(app *cli.App) string {
	var lines []string
	for _, c := range app.Commands {
		lines = append(lines, fmt.Sprintf("complete -c runp -n 'test (count (commandline -opc)) -eq 1' -a %s -d %s", c.Name, fishQuote(c.Usage)))
	}
	return strings.Join(lines, "\n")
}
