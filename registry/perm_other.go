//go:build !unix && !windows

package registry

import (
	"fmt"
	"io/fs"
	"os"
)

// checkDir refuses a state directory that is a symlink; there is no owner
// or mode to check here.
func checkDir(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("registry: state dir: %w", err)
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: %s is a symbolic link", ErrUnsafeDir, path)
	case !fi.IsDir():
		return fmt.Errorf("%w: %s is not a directory", ErrUnsafeDir, path)
	}
	return nil
}
