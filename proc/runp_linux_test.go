//go:build linux

package proc

// The helper processes of these tests run the test binary itself, which
// Signal would take for live runps (the same executable) and never SIGKILL.
// They stand for ordinary processes; TestNoSIGKILLToLiveRunp turns the rule
// back on.
func init() { isRunp = func(int) bool { return false } }
