//go:build !linux && !darwin && !windows

package proc

func tree(int, uint64) ([]Proc, error) { return nil, ErrUnsupported }

func cmdline(int) string { return "" }
