package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// zshScript is the completion for zsh, an _arguments spec per context: the
// first word may be one of runp's commands or CMD, and from CMD on, zsh's
// _normal completes CMD's words as if the line began there (as _sudo does).
func zshScript(app *cli.App) string {
	ctx := contexts(app)
	var b strings.Builder
	b.WriteString(`#compdef runp
# runp completion for zsh: eval "$(runp --completion zsh)" after compinit,
# or save it as _runp in a directory of $fpath.

# _runp_specs CONTEXT: the _arguments specs of runp's options ("") or of
# one of its commands' ("ps", "reap").
_runp_specs() {
  case $1 in
`)
	for _, name := range contextNames(ctx) {
		fmt.Fprintf(&b, "  %s) reply=(\n", shellQuote(name))
		for _, c := range ctx[name] {
			for _, spec := range zshSpecs(c) {
				fmt.Fprintf(&b, "    %s\n", shellQuote(spec))
			}
		}
		b.WriteString("  ) ;;\n")
	}
	b.WriteString(`  esac
}

_runp() {
  local -a reply _runp_words
  _runp_words=("${words[@]}")
  _runp_specs ''
  _arguments -S : "${reply[@]}" \
    '(-)1: :_runp_command' \
    '(-)*:: :_runp_args'
}

# _runp_command: CMD's name, or one of runp's commands as the first word.
_runp_command() {
  if ((CURRENT == 2)); then
    _alternative \
`)
	var cmds []string
	for _, c := range app.Commands {
		cmds = append(cmds, c.Name+`\:`+zshEscape(c.Usage, `"`))
	}
	fmt.Fprintf(&b, "      %s \\\n", shellQuote("runp-commands:runp command:(("+strings.Join(quoteAll(cmds), " ")+"))"))
	b.WriteString(`      'commands:command:_command_names -e'
  else
    _command_names -e
  fi
}

# _runp_args: words is from CMD on (after a "--"); runp's own commands were
# the first word.
_runp_args() {
  if [[ $words[1] == -- ]]; then
    shift words
    ((CURRENT--))
  fi
  if [[ $_runp_words[2] == $words[1] && $words[1] == (` + strings.Join(commandNames(app), "|") + `) ]]; then
    local -a reply
    _runp_specs $words[1]
    _arguments -S : "${reply[@]}"
  else
    _normal
  fi
}

if [[ $funcstack[1] == _runp ]]; then
  _runp "$@"
else
  compdef _runp runp
fi
`)
	return b.String()
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
