//go:build !unix && !windows

package registry

// checkDir refuses a state directory that is a symlink; there is no owner
// or mode to check here.
func checkDir(path string) error {
	_, err := lstatDir(path)
	return err
}
