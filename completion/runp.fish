# runp completion for fish: runp --completion fish | source, or save it as
# ~/.config/fish/completions/runp.fish.

# __runp_where prints where the token being typed is: "options" (runp's
# options or their values), "command" (CMD's name, after "--"), "args"
# (CMD's arguments), or "ps" or "reap" (that command's options).
function __runp_where
    set -l tokens (commandline -opc)
    set -e tokens[1]
    if set -q tokens[1]; and contains -- $tokens[1] {{.Commands}}
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
            case {{.Valued}}
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
            case {{.Valued}}
                set -e tokens[1]
                set -q tokens[1]; and set -e tokens[1]
            case '-*'
                set -e tokens[1]
            case '*'
                break
        end
    end
    printf '%s\n' $tokens (commandline -ct)
end

complete -c runp -e
complete -c runp -f
{{.FirstWords}}
complete -c runp -n 'contains (__runp_where) options command' -a '(__fish_complete_command)'
complete -c runp -n 'test (__runp_where) = args' -a '(__fish_complete_subcommand --commandline (__runp_args))'
{{.Options}}
