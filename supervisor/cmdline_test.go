package supervisor

import (
	"errors"
	"slices"
	"testing"
)

func TestIsBatchFile(t *testing.T) {
	for path, want := range map[string]bool{
		`C:\tools\build.bat`: true,
		`C:\tools\BUILD.CMD`: true,
		`x.Bat`:              true,
		`x.bat.`:             true, // Windows drops trailing dots...
		`x.cmd . .`:          true, // ...and spaces
		`x.exe`:              false,
		`x.bat.exe`:          false,
		`C:\a.bat\x.exe`:     false,
		`batch`:              false,
		`x.bats`:             false,
		``:                   false,
	} {
		if got := isBatchFile(path); got != want {
			t.Errorf("isBatchFile(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestBatchCommandLine(t *testing.T) {
	const script = `C:\Program Files\t\run.bat`
	cases := []struct {
		args []string
		want string
	}{
		{nil, `"C:\Program Files\t\run.bat"`},
		{[]string{"a", "b"}, `"C:\Program Files\t\run.bat" a b`},
		{[]string{""}, `"C:\Program Files\t\run.bat" ""`},                     // an empty argument stays one
		{[]string{"a b", "\tx"}, `"C:\Program Files\t\run.bat" "a b" "	x"`},   // spaces and tabs
		{[]string{`C:\dir\`}, `"C:\Program Files\t\run.bat" C:\dir\`},         // a trailing backslash means nothing to cmd.exe
		{[]string{`C:\my dir\`}, `"C:\Program Files\t\run.bat" "C:\my dir\"`}, // nor before a closing quote
		{[]string{`\\server\share`}, `"C:\Program Files\t\run.bat" \\server\share`},
		{[]string{"a&calc"}, `"C:\Program Files\t\run.bat" "a&calc"`}, // operators are plain text between quotes
		{[]string{"x|y", "<in", ">out", "^", "(a)"}, `"C:\Program Files\t\run.bat" "x|y" "<in" ">out" "^" "(a)"`},
		{[]string{"k=v", "a,b", "a;b"}, `"C:\Program Files\t\run.bat" "k=v" "a,b" "a;b"`}, // parameter separators
		{[]string{"-flag", "--x", "/?", "ünï"}, `"C:\Program Files\t\run.bat" -flag --x /? ünï`},
	}
	for _, tc := range cases {
		got, err := batchCommandLine(script, tc.args)
		if err != nil || got != tc.want {
			t.Errorf("batchCommandLine(%q) = %s, %v\n want %s", tc.args, got, err, tc.want)
		}
	}
}

func TestBatchCommandLineRefuses(t *testing.T) {
	for _, arg := range []string{
		`say "hi"`,       // a quote would end the quoting
		`"`,              //
		`%PATH%`,         // expanded even between quotes
		`100%`,           //
		`hi!`,            // expanded with delayed expansion
		"line\r\nbreak",  // ends the command
		"a\nb",           //
		"nul\x00byte",    // ends the string
		`"&calc.exe`,     // the CVE-2024-24576 payload
		`\"&calc.exe \"`, // backslash escapes mean nothing to cmd.exe
	} {
		if got, err := batchCommandLine(`C:\t\run.cmd`, []string{"ok", arg}); !errors.Is(err, errBatchArg) {
			t.Errorf("batchCommandLine(%q) = %s, %v; want errBatchArg", arg, got, err)
		}
	}
	if _, err := batchCommandLine(`C:\100%\run.bat`, nil); !errors.Is(err, errBatchArg) {
		t.Errorf("a script path with %% was accepted: %v", err)
	}
}

func TestWindowsEnv(t *testing.T) {
	got, err := windowsEnv([]string{
		"Path=C:\\old",
		"=C:=C:\\work", // a drive's current directory, as cmd.exe keeps it
		"b=2",
		"",
		"RUNP_SESSION=outer",
		"PATH=C:\\new", // the last entry of a name wins, whatever its case
		"A=1",
		"runp_session=inner",
		"NOEQUALS",
	}, `C:\Windows`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"=C:=C:\\work",
		"A=1",
		"b=2",
		"NOEQUALS",
		"PATH=C:\\new",
		"runp_session=inner",
		"SYSTEMROOT=C:\\Windows",
	}
	if !slices.Equal(got, want) {
		t.Errorf("windowsEnv =\n %q\nwant\n %q", got, want)
	}

	got, err = windowsEnv([]string{"SystemRoot=D:\\Win", "X=1"}, `C:\Windows`)
	if err != nil || !slices.Equal(got, []string{"SystemRoot=D:\\Win", "X=1"}) {
		t.Errorf("a present SystemRoot must be kept as is: %q, %v", got, err)
	}
	if got, err := windowsEnv(nil, ""); err != nil || len(got) != 0 {
		t.Errorf("windowsEnv(nil) = %q, %v", got, err)
	}
	if _, err := windowsEnv([]string{"A=1", "B=x\x00y"}, `C:\Windows`); err == nil {
		t.Error("a NUL in the environment was accepted")
	}
}
