package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// bashScript is the completion for bash (completion/runp.bash). With
// bash-completion loaded, the command's own completion comes from its
// _command_offset, as for sudo; without it, command names, then file names.
//
// bash splits words at "=" and ":" (COMP_WORDBREAKS), so "--report=a:b" is
// four words; the script walks COMP_WORDS and glues such pieces back, and
// hands _command_offset the raw index it expects.
func bashScript(app *cli.App) string {
	ctx := contexts(app)
	names := strings.Join(commandNames(app), " ")
	return renderScript("runp.bash", struct {
		Options, Valued, Values, Commands, CommandWords string
	}{bashOptions(ctx), bashValued(ctx), bashValues(ctx), names, shellQuote(names)})
}

// bashOptions are the cases of _runp_options: each context's option words.
func bashOptions(ctx map[string][]completion) string {
	var lines []string
	for _, name := range contextNames(ctx) {
		var words []string
		for _, c := range ctx[name] {
			for _, n := range c.names {
				words = append(words, dashed(n))
			}
		}
		lines = append(lines, fmt.Sprintf("  %s) echo %s ;;", shellQuote(name), shellQuote(strings.Join(words, " "))))
	}
	return strings.Join(lines, "\n")
}

// bashValued is the case of _runp_takes_value: CONTEXT:NAME of every option
// that takes a value.
func bashValued(ctx map[string][]completion) string {
	var valued []string
	for _, name := range contextNames(ctx) {
		for _, c := range ctx[name] {
			if c.value != valueNone {
				for _, n := range c.names {
					valued = append(valued, name+":"+n)
				}
			}
		}
	}
	return fmt.Sprintf("    %s) return 0 ;;", strings.Join(valued, "|"))
}

// bashValues are the cases of _runp_value: how each option's value is
// completed, once per option name.
func bashValues(ctx map[string][]completion) string {
	var lines []string
	done := map[string]bool{}
	for _, name := range contextNames(ctx) { // runp's own first
		for _, c := range ctx[name] {
			if done[c.names[0]] || c.value == valueNone || c.value == valueAny {
				continue
			}
			done[c.names[0]] = true
			pattern := strings.Join(c.names, "|")
			switch c.value {
			case valueWords:
				lines = append(lines, fmt.Sprintf("    %s) COMPREPLY=($(compgen -W %s -- \"$2\")) ;;", pattern, shellQuote(c.words)))
			case valueDir:
				lines = append(lines, fmt.Sprintf("    %s) compopt -o filenames; local IFS=$'\\n'; COMPREPLY=($(compgen -d -- \"$2\")) ;;", pattern))
			case valueFile:
				lines = append(lines, fmt.Sprintf("    %s) compopt -o filenames; local IFS=$'\\n'; COMPREPLY=($(compgen -f -- \"$2\")) ;;", pattern))
			}
		}
	}
	return strings.Join(lines, "\n")
}

// contextNames are the keys of ctx, runp's own first.
func contextNames(ctx map[string][]completion) []string {
	var names []string
	for n := range ctx {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
