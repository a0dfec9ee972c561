//go:build unix

package main

import "golang.org/x/sys/unix"

// noCTTY keeps a terminal named by --report from becoming runp's controlling
// terminal: runp as a session leader (PID 1 in a container) would otherwise
// acquire it on open.
const noCTTY = unix.O_NOCTTY

// writable checks that path may be opened for writing without opening it:
// opening a FIFO and closing it again would hand its reader an EOF.
func writable(path string) error {
	if err := unix.Access(path, unix.W_OK); err != nil {
		return err
	}
	return nil
}
