//go:build !linux && !darwin && !windows

package proc

func findByEnv(string) ([]Identity, error) { return nil, ErrUnsupported }
