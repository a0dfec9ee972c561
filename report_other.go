//go:build !unix

package main

import "os"

// noCTTY: only Unix terminals can become a controlling terminal on open.
const noCTTY = 0

// writable checks that path may be opened for writing. Windows has no FIFOs
// in the file namespace, so opening and closing it disturbs nobody.
func writable(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return f.Close()
}
