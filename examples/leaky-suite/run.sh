#!/bin/sh
# Runs the leaky suite twice, without and with runp, and shows what each
# left running. Usage: examples/leaky-suite/run.sh [path/to/runp]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
runp=${1:-./runp}
# A marker of this run's own, so that other runs' processes are not counted.
export LEAKY_SUITE="LEAKY_SUITE_$$"
pattern="$LEAKY_SUITE (server|daemon)"
leftovers() { pgrep -f "$pattern" | wc -l; }

pkill -f "$pattern" 2>/dev/null || true
echo "== without runp"
"$here/suite.sh"
echo "left running: $(leftovers)"
pgrep -af "$pattern" | sed 's/^/  /'
pkill -f "$pattern" || true

echo "== with runp"
"$runp" -v -- "$here/suite.sh" 2>&1 | grep -E 'suite:|signalled' | sed 's/^time=[^ ]* level=DEBUG msg=/runp: /'
echo "left running: $(leftovers)"
