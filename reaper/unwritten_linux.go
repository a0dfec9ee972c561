package reaper

import "runp/proc"

// sessionCookies returns the session ids that the processes of the machine
// carry in their cookie, each once.
func sessionCookies() ([]string, error) { return proc.EnvValues(SessionKey) }
