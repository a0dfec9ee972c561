// Command driver is the measuring half of bench/compare.sh. It starts the
// wrappers (runp and its peers) itself, so every figure is timed with Go's
// monotonic clock around fork+exec+wait, not with a shell's date(1).
//
//	driver wall    -spec F -w a,b -n N -key K -results R [-bytes B] [-stdout P] -- CMD...
//	driver mem     -spec F -w a,b -n N -key K -results R -- CMD...
//	driver cpu     -spec F -w a,b -secs S -key K -results R
//	driver cleanup -spec F -w a,b -n N -procs P -results R
//	driver sleeps  -n N -- CMD...
//	driver table   -results R
//
// The spec file has one wrapper a line: its name, a tab, then its argv
// separated by tabs, where the token {} stands for the measured command's
// argv and {sh} for the same command as one shell string (script -c).
// Runs are interleaved: round 1 of every wrapper, then round 2, and so on.
//
// The driver makes itself a child subreaper: whatever a wrapper leaves
// behind is re-parented to it, counted, killed and reaped before it exits.
// It is Linux only (it reads /proc); elsewhere it says so and fails.
package main
