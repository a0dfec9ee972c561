package supervisor

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Windows hands a program one command line, not an argv, and the program
// splits it itself. windows.ComposeCommandLine quotes an argv for the rules
// of CommandLineToArgvW and the C runtime, which nearly every program
// follows. Batch files do not: CreateProcess runs a .bat or .cmd file as
// cmd.exe /c "<command line>", and cmd.exe expands variables, obeys & | < >
// and ends the command at a line break, by rules of its own
// (CVE-2024-24576, "BatBadBut"). This file composes what the Windows run
// loop passes; it is portable so that it is tested on every OS.

// errBatchArg reports an argument that cmd.exe cannot pass to a batch file
// unchanged, however it is quoted.
var errBatchArg = errors.New("cannot be passed to a batch file unchanged")

// isBatchFile reports whether Windows runs path through cmd.exe. Windows
// ignores trailing dots and spaces in a file name, so "x.bat. " is one too.
func isBatchFile(path string) bool {
	p := strings.ToLower(strings.TrimRight(path, ". "))
	return strings.HasSuffix(p, ".bat") || strings.HasSuffix(p, ".cmd")
}

// cmdQuoted are the characters that cmd.exe reads as plain text only
// between double quotes: the separators of batch parameters (space, tab,
// comma, semicolon, equals sign, vertical tab, form feed, no-break space),
// the ones "cmd /?" lists as needing quotes, and the operators.
const cmdQuoted = " \t,;=\v\f\u00a0&()[]{}^'+`~|<>@"

// cmdUnquotable are the characters that no quoting protects: % and ! expand
// variables even between quotes (! with delayed expansion, which the
// registry can turn on for every cmd.exe), " ends the quoting, CR and LF end
// the command, NUL ends the string.
const cmdUnquotable = "%!\"\r\n\x00"

// batchCommandLine composes the command line of a batch file: path itself
// first, not argv[0], because cmd.exe looks its first word up again (in the
// current directory first) and must find the file lookPath chose; then each
// argument, quoted when it holds a character cmd.exe would otherwise act
// on, or when it is empty. Quotes are not escaped but refused, and so is
// every other character that no quoting protects: runp passes an argument
// unchanged or not at all. A batch file reads a quoted argument %1 with its
// quotes, as when typed, and %~1 without them.
func batchCommandLine(path string, args []string) (string, error) {
	var b strings.Builder
	for i, a := range append([]string{path}, args...) {
		if j := strings.IndexAny(a, cmdUnquotable); j >= 0 {
			return "", fmt.Errorf("%q (holds %q) %w: cmd.exe would interpret it; run cmd.exe /c yourself with your own quoting", a, a[j], errBatchArg)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if i == 0 || a == "" || strings.ContainsAny(a, cmdQuoted) {
			b.WriteString(`"` + a + `"`)
		} else {
			b.WriteString(a)
		}
	}
	return b.String(), nil
}

// windowsEnv prepares env for CreateProcess as os/exec does on Windows:
// names compare without regard to case and the last entry of a name wins
// (so the RUNP_SESSION appended last replaces one inherited from an outer
// runp, where Windows itself would read the first); SYSTEMROOT is added
// when missing, since many programs, Winsock among them, fail without it;
// the block is sorted by name, which CreateProcess documents as required.
// A name may start with "=": cmd.exe keeps the current directory of each
// drive in variables such as "=C:".
func windowsEnv(env []string, systemRoot string) ([]string, error) {
	key := func(kv string) string {
		i := strings.IndexByte(kv, '=')
		if i == 0 {
			i = strings.IndexByte(kv[1:], '=') + 1
		}
		if i <= 0 {
			return strings.ToUpper(kv)
		}
		return strings.ToUpper(kv[:i])
	}
	seen := make(map[string]bool, len(env))
	out := make([]string, 0, len(env)+1)
	for i := len(env) - 1; i >= 0; i-- {
		kv := env[i]
		if strings.IndexByte(kv, 0) >= 0 {
			return nil, fmt.Errorf("environment entry %q holds a NUL", kv)
		}
		if kv == "" || seen[key(kv)] {
			continue
		}
		seen[key(kv)] = true
		out = append(out, kv)
	}
	if !seen["SYSTEMROOT"] && systemRoot != "" {
		out = append(out, "SYSTEMROOT="+systemRoot)
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(key(a), key(b)) })
	return out, nil
}
