// Command clifloor is the floor of bench/compare.sh with runp's chosen
// libraries: the floor's work (bench/floor), behind an urfave/cli/v2 app
// that parses "clifloor [--flag] -- CMD [ARGS...]", with go-toml, creack/pty
// and x/term linked in as runp links them (a flag that no benchmark gives
// uses them, so the linker keeps them). Built as runp is (-tags
// urfave_cli_no_docs), it shows what those libraries cost any program that
// uses them, before any work of its own: figures 1 (start+exit) and 3
// (peak RSS).
package main

import (
	"fmt"
	"os"

	"github.com/creack/pty"
	"github.com/pelletier/go-toml/v2"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"runp/bench/internal/wrap"
)

func main() {
	code := 0
	app := &cli.App{
		Name:  "clifloor",
		Usage: "run a command, as bench/floor does, behind urfave/cli",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "libraries", Usage: "use the other libraries once, and exit"}},
		Action: func(c *cli.Context) error {
			if c.Bool("libraries") {
				return libraries()
			}
			code = wrap.Run("clifloor", c.Args().Slice())
			return nil
		},
	}
	if err := app.Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "clifloor:", err)
		os.Exit(125)
	}
	os.Exit(code)
}

// libraries opens a PTY, makes it raw, and prints a TOML document.
func libraries() error {
	master, slave, err := pty.Open()
	if err != nil {
		return err
	}
	defer func() { _ = master.Close(); _ = slave.Close() }() // best effort
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil {
		return err
	}
	out, err := toml.Marshal(map[string]string{"pty": slave.Name()})
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
