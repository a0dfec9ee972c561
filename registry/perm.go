package registry

import (
	"fmt"
	"io/fs"
	"os"
)

// lstatDir returns what path is, itself and not a link's target, and refuses
// a symlink or anything but a directory; checkDir adds each platform's
// checks on top.
func lstatDir(path string) (fs.FileInfo, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("registry: state dir: %w", err)
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%w: %s is a symbolic link", errUnsafeDir, path)
	case !fi.IsDir():
		return nil, fmt.Errorf("%w: %s is not a directory", errUnsafeDir, path)
	}
	return fi, nil
}
