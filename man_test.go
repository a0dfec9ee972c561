//go:build linux && !urfave_cli_no_docs

package main

import (
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestManPageCurrent checks that runp.1, which release builds embed, is
// what renderMan generates from the CLI definition; RUNP_UPDATE_MAN=1 (or
// `go run . --man > runp.1`) rewrites it.
func TestManPageCurrent(t *testing.T) {
	var exit status
	page, err := renderMan(newApp(io.Discard, io.Discard, &exit, func() {}))
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("RUNP_UPDATE_MAN") == "1" {
		if err := os.WriteFile("runp.1", []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	manPage, err := os.ReadFile("runp.1")
	if err != nil {
		t.Fatal(err)
	}
	if page != string(manPage) {
		t.Fatal("runp.1 is stale: run RUNP_UPDATE_MAN=1 go test -run TestManPageCurrent .")
	}
}

// TestManPageSections: what `runp --man` prints is a section 1 page with
// the sections a user looks for. (Old runp printed urfave/cli's section 8
// page, with a list of flags as its synopsis and none of these sections.)
func TestManPageSections(t *testing.T) {
	page, stderr, status := runpCLI(t, "--man")
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	if !strings.Contains(page, "\n.TH runp 1\n") {
		t.Errorf("not section 1: %.40q", page)
	}
	sections := regexp.MustCompile(`(?m)^\.SH (.*)$`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, s := range sections {
		got = append(got, s[1])
	}
	want := []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"}
	if !slices.Equal(got, want) {
		t.Errorf("sections %q, want %q", got, want)
	}
	synopsis, _, _ := strings.Cut(page[strings.Index(page, ".SH SYNOPSIS"):], ".SH DESCRIPTION")
	for _, form := range []string{`\fBrunp\fP [options] [--] CMD [ARGS...]`, `\fBrunp\fP ps `, `\fBrunp\fP reap `} {
		if !strings.Contains(synopsis, form) {
			t.Errorf("the synopsis lacks %q:\n%s", form, synopsis)
		}
	}
	for _, s := range []string{"124", "125", "126", "127", "128+N", `RUNP\_STATE\_DIR`, `RUNP\_SESSION`, `XDG\_STATE\_HOME`, "sessions/ID.toml", "sessions/ID.lock", "quarantine/"} {
		if !strings.Contains(strings.ReplaceAll(page, `\_`, "_"), strings.ReplaceAll(s, `\_`, "_")) {
			t.Errorf("the man page does not mention %s", s)
		}
	}
}

// TestHelpExitStatusAndEscalation: --help lists every exit status runp
// itself gives, and says truly how the second-signal escalation is had: a
// keyboard Ctrl-C goes to CMD, not to runp. (Old runp's --help left out 124
// and promised the escalation to a second Ctrl-C and to a second SIGHUP.)
func TestHelpExitStatusAndEscalation(t *testing.T) {
	out, stderr, status := runpCLI(t, "--help")
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	help := strings.Join(strings.Fields(out), " ")
	for _, st := range manExitStatus[1:] {
		if !strings.Contains(help, st[0]+" if") {
			t.Errorf("--help does not list exit status %s", st[0])
		}
	}
	for _, s := range []string{"Ctrl-C typed at the terminal goes to CMD", "second SIGINT or SIGTERM sent to runp itself", "kill -INT", "SIGHUP is forwarded every time"} {
		if !strings.Contains(help, s) {
			t.Errorf("--help does not say %q:\n%s", s, out)
		}
	}
}
