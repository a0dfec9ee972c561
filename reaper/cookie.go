package reaper

// SessionKey is the environment variable that carries the session id, the
// cookie, into every process of the session.
const SessionKey = "RUNP_SESSION"
