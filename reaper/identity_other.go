//go:build !linux && !darwin && !windows

package reaper

func bootID() (string, error) { return "", ErrUnsupported }

func read(int) (Identity, error) { return Identity{}, ErrUnsupported }
