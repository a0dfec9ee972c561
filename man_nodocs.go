//go:build urfave_cli_no_docs

package main

import (
	_ "embed"

	"github.com/urfave/cli/v2"
)

// manPage is runp.1, generated ahead from this CLI definition by man.go's
// renderMan (TestManPageCurrent keeps it current). A build with the
// urfave_cli_no_docs tag drops urfave/cli's Markdown and roff packages
// (less start-up time and memory on the path of every command runp wraps),
// so it embeds the page; the other builds render it afresh for --man.
//
//go:embed runp.1
var manPage string

// renderMan prints the page generated ahead into runp.1.
func renderMan(*cli.App) (string, error) { return manPage, nil }
