//go:build windows

package supervisor

import (
	"slices"
	"testing"

	"golang.org/x/sys/windows"
)

// The command line runp builds for a program must come back as the same
// argv through CommandLineToArgvW, which nearly every program's C runtime
// parses alike.
func TestComposeCommandLineRoundTrip(t *testing.T) {
	for _, argv := range [][]string{
		{"prog"},
		{"prog", "a", "b c", "\td"},            // spaces and tabs
		{"prog", ""},                           // an empty argument stays one
		{"prog", "", "x", ""},                  //
		{"prog", `say "hi"`, `"`, `""`, `a"b`}, // embedded quotes
		{"prog", `C:\dir\`, `C:\my dir\`, `a\\`, `\\`}, // trailing backslashes
		{"prog", `a\"b`, `a\\"b c`, `\\server\share\`}, // backslashes before quotes
		{`C:\Program Files\x\prog.exe`, "--flag=a b"},  // a program name with a space
		{"prog", "ünï©ødé", "日本", "&|<>^%!"},           // no special meaning outside cmd.exe
	} {
		line := windows.ComposeCommandLine(argv)
		got, err := windows.DecomposeCommandLine(line)
		if err != nil || !slices.Equal(got, argv) {
			t.Errorf("argv %q -> %s -> %q, %v", argv, line, got, err)
		}
	}
}
