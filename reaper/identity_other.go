//go:build !linux && !darwin && !windows

package reaper

func bootID() (string, error) { return "", ErrUnsupported }

func read(int) (Identity, error) { return Identity{}, ErrUnsupported }

func look(int) (sighting, error) { return sighting{fd: -1}, ErrUnsupported }
