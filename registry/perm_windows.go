//go:build windows

package registry

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/windows"
)

// checkDir refuses a state directory that is a symlink, a junction or any
// other reparse point. Owner and mode are not checked: %LOCALAPPDATA% is
// protected by its ACL, and Go's mode bits do not describe ACLs.
func checkDir(path string) error {
	fi, err := lstatDir(path)
	if err != nil {
		return err
	}
	// Since Go 1.23 a junction is not reported as ModeSymlink; the attribute is
	// what tells.
	if d, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok && d.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0 {
		return fmt.Errorf("%w: %s is a reparse point (a link or junction)", errUnsafeDir, path)
	}
	return nil
}
