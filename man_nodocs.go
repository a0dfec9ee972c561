//go:build urfave_cli_no_docs

package main

import "github.com/urfave/cli/v2"

// renderMan: a build without urfave/cli's documentation generators prints
// the page generated ahead into runp.1 (see man.go).
func renderMan(*cli.App) (string, error) { return manPage, nil }
