//go:build darwin

package proc

import (
	"os"
	"slices"

	"github.com/shirou/gopsutil/v4/process"
)

func findByEnv(entry string) ([]Identity, error) {
	boot, err := bootID()
	if err != nil {
		return nil, err
	}
	ks, err := snapshot()
	if err != nil {
		return nil, err
	}
	uid := uint32(os.Geteuid())
	self := os.Getpid()
	var out []Identity
	for i := range ks {
		k := &ks[i]
		pid := int(k.Proc.P_pid)
		if pid <= 0 || pid == self {
			continue
		}
		// kern.procargs2 of another user's process fails without root
		// anyway; skip it before the costlier call.
		if uid != 0 && k.Eproc.Ucred.Uid != uid {
			continue
		}
		// gopsutil parses KERN_PROCARGS2 (argc, exec path, padding, argv,
		// then env) without cgo. Only the Pid field is needed for it.
		env, err := (&process.Process{Pid: int32(pid)}).Environ()
		if err != nil || !slices.Contains(env, entry) {
			continue
		}
		id := Identity{PID: pid, Start: kinfoStart(k), Boot: boot}
		// The environment was read after the snapshot: keep the process
		// only if the PID still has the snapshot's identity, so the
		// environment matched belongs to the identity returned.
		if verify(id) == nil {
			out = append(out, id)
		}
	}
	return out, nil
}
