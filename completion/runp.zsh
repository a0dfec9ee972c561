#compdef runp
# runp completion for zsh: eval "$(runp --completion zsh)" after compinit,
# or save it as _runp in a directory of $fpath.

# _runp_specs CONTEXT: the _arguments specs of runp's options ("") or of
# one of its commands' ("ps", "reap").
_runp_specs() {
  case $1 in
{{.Specs}}
  esac
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
{{.Commands}}
      'commands:command:_command_names -e'
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
  if [[ $_runp_words[2] == $words[1] && $words[1] == ({{.CommandPattern}}) ]]; then
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
