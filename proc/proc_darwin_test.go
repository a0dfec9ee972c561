//go:build darwin

package proc

// zombie reports whether pid has exited and awaits its reaper (p_stat SZOMB).
func zombie(pid int) bool {
	k, err := readKinfo(pid)
	return err == nil && k.Proc.P_stat == 5
}
