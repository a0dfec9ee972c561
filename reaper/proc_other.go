//go:build !linux && !darwin && !windows

package reaper

func tree(int) ([]Proc, error) { return nil, ErrUnsupported }

func cmdline(int) string { return "" }
