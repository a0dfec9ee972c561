package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// zshScript is the completion for zsh (completion/runp.zsh), an _arguments
// spec per context: the first word may be one of runp's commands or CMD,
// and from CMD on, zsh's _normal completes CMD's words as if the line began
// there (as _sudo does).
func zshScript(app *cli.App) string {
	ctx := contexts(app)
	var specs []string
	for _, name := range contextNames(ctx) {
		specs = append(specs, fmt.Sprintf("  %s) reply=(", shellQuote(name)))
		for _, c := range ctx[name] {
			for _, spec := range zshSpecs(c) {
				specs = append(specs, "    "+shellQuote(spec))
			}
		}
		specs = append(specs, "  ) ;;")
	}
	var cmds []string
	for _, c := range app.Commands {
		cmds = append(cmds, c.Name+`\:`+zshEscape(c.Usage, `"`))
	}
	commands := fmt.Sprintf("      %s \\", shellQuote("runp-commands:runp command:(("+strings.Join(quoteAll(cmds), " ")+"))"))
	return renderScript("runp.zsh", struct{ Specs, Commands, CommandPattern string }{
		strings.Join(specs, "\n"), commands, strings.Join(commandNames(app), "|")})
}

// zshSpecs are the _arguments specs of one option.
func zshSpecs(c completion) []string {
	desc := "[" + zshEscape(c.usage, "") + "]"
	action := ""
	switch c.value {
	case valueAny:
		action = ":" + zshEscape(c.label, "") + ": "
	case valueWords:
		action = ":" + zshEscape(c.label, "") + ":(" + c.words + ")"
	case valueDir:
		action = ":directory:_directories"
	case valueFile:
		action = ":file:_files"
	}
	exclusive := ""
	if len(c.names) > 1 {
		var all []string
		for _, n := range c.names {
			all = append(all, dashed(n))
		}
		exclusive = "(" + strings.Join(all, " ") + ")"
	}
	if c.names[0] == "help" || c.names[0] == "version" || c.names[0] == "man" || c.names[0] == "completion" {
		exclusive = "(- *)" // nothing else with these
	}
	var specs []string
	for _, n := range c.names {
		spec := dashed(n)
		if c.value != valueNone {
			if len(n) == 1 {
				spec += "+" // -t 5s or -t5s
			} else {
				spec += "=" // --timeout 5s or --timeout=5s
			}
		}
		specs = append(specs, exclusive+spec+desc+action)
	}
	return specs
}

// zshEscape makes s safe inside an _arguments description: no brackets or
// colons, which end it, and no backslashes; extra are more characters to
// escape with a backslash.
func zshEscape(s, extra string) string {
	s = strings.NewReplacer("[", "(", "]", ")", ":", ",", `\`, "/").Replace(s)
	for _, c := range extra {
		s = strings.ReplaceAll(s, string(c), `\`+string(c))
	}
	return s
}

func quoteAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		name, desc, _ := strings.Cut(s, `\:`)
		out[i] = name + `\:"` + desc + `"`
	}
	return out
}
