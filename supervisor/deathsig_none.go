//go:build !linux

package supervisor

// parentDeath is none: only Linux has a parent-death signal.
var parentDeath deathSignal
