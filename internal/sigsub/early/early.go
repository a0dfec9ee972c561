// Package early starts runp's signal subscription (package sigsub) from its
// initialiser, while the rest of the program initialises: a program imports
// it for that effect alone, and then calls supervisor.Prepare, which takes
// the subscription over. Only the runp command imports it: a library must
// not subscribe signals when it is merely imported.
package early
