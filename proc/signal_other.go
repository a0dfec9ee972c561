//go:build !linux && !darwin && !windows

package proc

import "syscall"

func signal(Identity, syscall.Signal) error { return ErrUnsupported }

func ancestors() []int { return nil }
