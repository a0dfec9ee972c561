//go:build !linux && !darwin && !windows

package proc

func tree(int) ([]Proc, error) { return nil, ErrUnsupported }

func cmdline(int) string { return "" }
