package proc

import "strings"

// ConhostName is the executable of the console host that CreatePseudoConsole
// starts: the inbox conhost.exe. (Windows Terminal ships its own
// OpenConsole.exe, but only for its own conpty.dll, which runp does not use.)
const ConhostName = "conhost.exe"

// ProcInfo is one row of a process snapshot together with the process's
// executable name, as the Windows Toolhelp snapshot gives it.
type ProcInfo struct {
	PID, PPID int
	// Name is the executable's file name ("conhost.exe"); a full path is
	// accepted too.
	Name string
	// Start has the meaning of Identity.Start; 0 when it could not be read.
	Start uint64
}

// SelectConhosts picks from snapshot the console hosts that process runpPID
// created at or after notBefore (in the unit of Identity.Start): those named
// conhost.exe, in any letter case, whose parent is runpPID and whose start is
// known and not before notBefore.
//
// The parent link alone does not prove that runp created a conhost: Windows
// never rewrites a PPID, so a conhost whose parent was an earlier process
// with runp's PID names runp as its parent too. Its start does tell: it
// precedes runp, hence precedes notBefore, which the caller reads from the
// clock just before it creates its pseudo console. That bound also leaves
// out the conhosts of pseudo consoles runp created earlier (a previous
// attempt of a retried command) and the console runp itself was given at start.
// A process whose start is unknown (0) is never selected: what cannot be
// proven runp's is not runp's to kill.
func SelectConhosts(snapshot []ProcInfo, runpPID int, notBefore uint64) []ProcInfo {
	var out []ProcInfo
	for _, p := range snapshot {
		if p.PPID != runpPID || p.PID == runpPID || p.PID <= 0 {
			continue
		}
		if p.Start == 0 || p.Start < notBefore {
			continue
		}
		if !strings.EqualFold(baseName(p.Name), ConhostName) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// baseName is the last element of a Windows or slash-separated path; it is
// written out because path/filepath only knows the separators of the OS it
// runs on, and the selection is tested on every OS.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		return name[i+1:]
	}
	return name
}
