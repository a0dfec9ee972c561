//go:build linux && !urfave_cli_no_docs

package main

import (
	"io"
	"os"
	"testing"
)

// TestManPageCurrent checks that runp.1 is what urfave/cli generates from
// the CLI definition; RUNP_UPDATE_MAN=1 rewrites it.
func TestManPageCurrent(t *testing.T) {
	exit := 0
	page, err := newApp(io.Discard, io.Discard, &exit, func() {}).ToMan()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("RUNP_UPDATE_MAN") == "1" {
		if err := os.WriteFile("runp.1", []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return // the embedded copy is the old one until the next build
	}
	if page != manPage {
		t.Fatal("runp.1 is stale: run RUNP_UPDATE_MAN=1 go test -run TestManPageCurrent .")
	}
}
