//go:build linux

package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDesignDocAtHand: the README links the design document that is in the
// repository. (Old README pointed at a DESIGN.md outside it.)
func TestDesignDocAtHand(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "(docs/design.md)") {
		t.Error("the README does not link docs/design.md")
	}
	if strings.Contains(string(readme), "shared `DESIGN.md`") {
		t.Error("the README still points at the shared DESIGN.md")
	}
	design, err := os.ReadFile("docs/design.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range regexp.MustCompile(`\]\(([^)#]+)`).FindAllStringSubmatch(string(design), -1) {
		if _, err := os.Stat("docs/" + l[1]); err != nil {
			t.Errorf("docs/design.md links %s: %v", l[1], err)
		}
	}
}

// packageArrows are the imports between runp's packages that docs/design.md
// ("Packages, and the arrows between them") describes; the two change
// together. A package not listed imports none of runp's.
var packageArrows = map[string][]string{
	"runp":                       {"runp/internal/sigsub/early", "runp/reaper", "runp/registry", "runp/supervisor"},
	"runp/supervisor":            {"runp/internal/sigsub", "runp/proc", "runp/pty", "runp/reaper", "runp/registry"},
	"runp/internal/sigsub/early": {"runp/internal/sigsub"},
	"runp/reaper":                {"runp/proc", "runp/registry"},
	"runp/examples/embed":        {"runp/supervisor"},
	"runp/bench/ptyrelay":        {"runp/pty"},
	"runp/bench/floor":           {"runp/bench/internal/wrap"},
	"runp/bench/clifloor":        {"runp/bench/internal/wrap"},
}

// TestPackageArrows: the arrows between packages are those the design
// document draws, on every platform runp builds for.
func TestPackageArrows(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
		cmd.Env = append(os.Environ(), "GOOS="+goos)
		out, stderr, status := runToEnd(t, cmd)
		if status != 0 {
			t.Fatalf("go list (%s): status %d: %s", goos, status, stderr)
		}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			var ours []string
			for _, imp := range f[1:] {
				if imp == "runp" || strings.HasPrefix(imp, "runp/") {
					ours = append(ours, imp)
				}
			}
			for _, imp := range ours {
				if !slices.Contains(packageArrows[f[0]], imp) {
					t.Errorf("%s: %s imports %s, an arrow docs/design.md does not draw", goos, f[0], imp)
				}
			}
		}
	}
}
