package main

// Mistakes in runp's own command line become one line that a person
// understands, with each option named as it was typed, and exit status 125
// before anything runs. Go's flag package, under urfave/cli, words its errors
// for programmers and drops the dashes ("invalid value "x" for flag -timeout:
// parse error"); its messages are fixed strings (urfave/cli itself parses the
// "not defined" one), so they are recognised here and said again.

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"runp/supervisor"
)

// usageError marks a mistake in runp's own command line: exit 125.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// optionError is a mistake about one option. format has one %s: the option
// as the user typed it (runMain knows the command line; see describe).
type optionError struct {
	names  []string // the option's names, without dashes
	format string
	// first: the flag package stopped at the first one typed; otherwise
	// the last one typed is the one in effect.
	first bool
}

// Error names the option by its first name, as the help shows it.
func (e optionError) Error() string { return fmt.Sprintf(e.format, dashed(e.names[0])) }

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagParseError rewords an error of Go's flag package about flags, the
// options of the command (runp itself, "ps" or "reap") being parsed.
func flagParseError(err error, command string, flags []cli.Flag) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		if command == "" {
			return optionError{[]string{name}, "unknown option %s (see runp --help)", true}
		}
		return optionError{[]string{name}, "runp " + command + " has no option %s (see runp " + command + " --help)", true}
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return optionError{[]string{name}, "%s needs a value", true}
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if value, name, why, ok := cutValueError(rest, " for flag -"); ok {
			return optionError{[]string{name}, "%s: " + badValue(lookupFlag(flags, name), value, why), true}
		}
	}
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		if value, name, _, ok := cutValueError(rest, " for -"); ok {
			return optionError{[]string{name}, "%s: " + strconv.Quote(value) + " is not true or false", true}
		}
	}
	if arg, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return fmt.Errorf("%s is not an option (to run a command that starts with a dash, put -- before it)", strconv.Quote(arg))
	}
	return err
}

// cutValueError splits `"VALUE"<sep>NAME: WHY`, the flag package's
// `invalid value %q for flag -%s: %v`.
func cutValueError(s, sep string) (value, name, why string, ok bool) {
	quoted, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", "", false
	}
	value, _ = strconv.Unquote(quoted)
	rest, ok := strings.CutPrefix(s[len(quoted):], sep)
	if !ok {
		return "", "", "", false
	}
	name, why, ok = strings.Cut(rest, ": ")
	return value, name, why, ok
}

// badValue says what is wrong with value for flag f.
func badValue(f cli.Flag, value, why string) string {
	q := strconv.Quote(value)
	if why == "value out of range" {
		return q + " is out of range"
	}
	switch f.(type) {
	case *cli.DurationFlag:
		return q + " is not a duration (for example 300ms, 10s, 5m)"
	case *cli.IntFlag:
		return q + " is not a whole number"
	}
	return q + ": " + why
}

func lookupFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// notNegative refuses a negative value of the duration and number options
// that c has: each names itself only.
func notNegative(c *cli.Context, flags []cli.Flag) error {
	for _, f := range flags {
		name := f.Names()[0]
		var got string
		switch f.(type) {
		case *cli.DurationFlag:
			if d := c.Duration(name); d < 0 {
				got = d.String()
			}
		case *cli.IntFlag:
			if n := c.Int(name); n < 0 {
				got = strconv.Itoa(n)
			}
		}
		if got != "" {
			return usageError{optionError{f.Names(), "%s must not be negative (got " + got + ")", false}}
		}
	}
	return nil
}

// describe is err as runp prints it, on one line: an option is named as
// typed in args.
func describe(err error, args []string, app *cli.App) string {
	var oe optionError
	if !errors.As(err, &oe) {
		return printable(err.Error())
	}
	return printable(fmt.Sprintf(oe.format, spelling(args, app, oe.names, oe.first)))
}

// spelling finds how the user typed the option called by one of names:
// "-t", "--timeout" or "-timeout" (Go's flag package takes one dash or
// two). It reads args as runp parses them: options and their values, then
// "ps" or "reap" and theirs, up to CMD or "--". It takes the first or the
// last one typed; without one (an option from the environment), it is the
// first name with the dashes of the help.
func spelling(args []string, app *cli.App, names []string, first bool) string {
	all := slices.Clone(app.Flags)
	for _, c := range app.Commands {
		all = append(all, c.Flags...)
	}
	found := ""
	positional := 0
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			if positional++; positional > 1 || app.Command(a) == nil {
				break // CMD: the rest is its own
			}
			continue
		}
		dashes := len(a) - len(strings.TrimLeft(a, "-"))
		name, _, hasValue := strings.Cut(a[dashes:], "=")
		if slices.Contains(names, name) && (found == "" || !first) {
			found = a[:dashes] + name
		}
		if f, ok := lookupFlag(all, name).(cli.DocGenerationFlag); ok && f.TakesValue() && !hasValue {
			i++ // its value, whatever it looks like
		}
	}
	if found == "" {
		return dashed(names[0])
	}
	return found
}

// checkRunOptions checks, before anything runs, what the flag package
// cannot: the values of the options of a run. It returns the stop signal.
func checkRunOptions(c *cli.Context) (syscall.Signal, error) {
	if err := notNegative(c, c.App.Flags); err != nil {
		return 0, err
	}
	if v := supervisor.OnExit(c.String("on-exit")); v != supervisor.OnExitKill && v != supervisor.OnExitWait && v != supervisor.OnExitLeave {
		return 0, usageError{optionError{[]string{"on-exit"}, "%s: " + strconv.Quote(string(v)) + " is not kill, wait or leave", false}}
	}
	return stopSignal(c)
}

// stopSignal parses --stop-signal.
func stopSignal(c *cli.Context) (syscall.Signal, error) {
	v := c.String("stop-signal")
	sig, err := supervisor.ParseSignal(v)
	if err != nil {
		return 0, usageError{optionError{[]string{"stop-signal"}, "%s: " + strconv.Quote(v) + " is not a signal (for example TERM, INT, KILL)", false}}
	}
	return sig, nil
}
