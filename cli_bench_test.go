//go:build linux

package main

import (
	"io"
	"testing"

	"github.com/urfave/cli/v2"
)

// BenchmarkCLIParse is urfave/cli's set-up and parsing of runp's command
// line, "runp -- /bin/true", in a warm process: the part of runp's start
// that its CLI library costs on every run (bench/compare.sh prints it).
func BenchmarkCLIParse(b *testing.B) {
	for b.Loop() {
		var exit status
		app := newApp(io.Discard, io.Discard, &exit, func() {})
		app.Action = func(*cli.Context) error { return nil }
		if err := app.Run([]string{"runp", "--", "/bin/true"}); err != nil {
			b.Fatal(err)
		}
	}
}
