package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// bashCompletion asks runp itself for the words that may come next, through
// urfave/cli's --generate-bash-completion; once a command is being typed,
// bash falls back to completing file names.
const bashCompletion = `# runp completion for bash: eval "$(runp --completion bash)"
_runp_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} i
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ ${COMP_WORDS[i]} == -- ]] && return 0 # the command's own words
  done
  local ask=("${COMP_WORDS[@]:0:COMP_CWORD}")
  [[ $cur == -* ]] && ask+=("$cur") # asks for options instead of commands
  COMPREPLY=($(compgen -W "$("${ask[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o bashdefault -o default -F _runp_complete runp
`

// zshCompletion reuses the bash function through zsh's bashcompinit.
const zshCompletion = "# runp completion for zsh: eval \"$(runp --completion zsh)\"\n" +
	"autoload -U +X bashcompinit && bashcompinit\n" + bashCompletion

// printCompletion writes the completion script for shell.
func printCompletion(app *cli.App, w io.Writer, shell string) error {
	switch shell {
	case "bash":
		_, err := io.WriteString(w, bashCompletion)
		return err
	case "zsh":
		_, err := io.WriteString(w, zshCompletion)
		return err
	case "fish":
		s, err := app.ToFishCompletion()
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, s)
		return err
	}
	return usageError{fmt.Errorf("--completion %q: want bash, zsh or fish", shell)}
}
