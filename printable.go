package main

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// printable returns s safe to print on a terminal: what a process named
// itself (a command line is anyone's to choose) can neither send an escape
// sequence nor start a line of its own. Control characters (C0, DEL, C1),
// other unprintable runes (bidirectional overrides, for one) and bytes that
// are not UTF-8 are written as Go escapes (\n, \x1b, \u202e, \xff), and a
// backslash as \\, so that the escaped form cannot be mistaken for the bytes.
func printable(s string) string {
	safe := true
	for _, r := range s {
		if r == '\\' || r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case r == '\\':
			b.WriteString(`\\`)
		case r == ' ' || unicode.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRuneToASCII(r) // '\n', '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

// printableArgv is argv on one line, each argument printable.
func printableArgv(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = printable(a)
	}
	return strings.Join(out, " ")
}
