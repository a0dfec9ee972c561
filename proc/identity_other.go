//go:build !linux && !darwin && !windows

package proc

func bootID() (string, error) { return "", ErrUnsupported }

func look(int) (Sighting, error) { return Sighting{fd: -1}, ErrUnsupported }

func Exited(int) bool { return false }
