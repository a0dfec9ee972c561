package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// fishScript is the completion for fish: conditions that read the command
// line say where the cursor is (runp's options, the command's name, one of
// runp's commands, or the command's words), and the command's words go to
// fish's __fish_complete_subcommand, as for sudo.
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
	var b strings.Builder
	fmt.Fprintf(&b, `# runp completion for fish: runp --completion fish | source, or save it as
# ~/.config/fish/completions/runp.fish.

# __runp_where prints where the token being typed is: "options" (runp's
# options or their values), "command" (CMD's name, after "--"), "args"
# (CMD's arguments), or "ps" or "reap" (that command's options).
function __runp_where
    set -l tokens (commandline -opc)
    set -e tokens[1]
    if set -q tokens[1]; and contains -- $tokens[1] %s
        echo $tokens[1]
        return
    end
    while set -q tokens[1]
        switch $tokens[1]
            case --
                set -e tokens[1]
                if set -q tokens[1]
                    echo args
                else
                    echo command
                end
                return
            case %s
                set -e tokens[1] # the option, then its value
                set -q tokens[1]; and set -e tokens[1]
            case '-*'
                set -e tokens[1]
            case '*'
                echo args
                return
        end
    end
    echo options
end

# __runp_args prints CMD and its words so far, the one being typed last.
function __runp_args
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --
                set -e tokens[1]
                break
            case %s
                set -e tokens[1]
                set -q tokens[1]; and set -e tokens[1]
            case '-*'
                set -e tokens[1]
            case '*'
                break
        end
    end
    printf '%%s\n' $tokens (commandline -ct)
end

complete -c runp -e
complete -c runp -f
%scomplete -c runp -n 'contains (__runp_where) options command' -a '(__fish_complete_command)'
complete -c runp -n 'test (__runp_where) = args' -a '(__fish_complete_subcommand --commandline (__runp_args))'
`, strings.Join(commandNames(app), " "), strings.Join(valued, " "), strings.Join(valued, " "), fishCommands(app))
	for _, name := range contextNames(ctx) { // runp's own first
		where := name
		if name == "" {
			where = "options"
		}
		for _, c := range ctx[name] {
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
			fmt.Fprintf(&b, " -d %s\n", fishQuote(c.usage))
		}
	}
	return b.String()
}

// fishCommands offers runp's commands as the first word only.
func fishCommands(app *cli.App) string {
	var b strings.Builder
	for _, c := range app.Commands {
		fmt.Fprintf(&b, "complete -c runp -n 'test (count (commandline -opc)) -eq 1' -a %s -d %s\n", c.Name, fishQuote(c.Usage))
	}
	return b.String()
}
