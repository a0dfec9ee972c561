#!/bin/sh
# Runs the leaky suite twice, without and with runp, and shows what each
# left running. Usage: examples/leaky-suite/run.sh [path/to/runp]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
runp=${1:-./runp}
leftovers() { pgrep -f 'LEAKY_SUITE (server|daemon)' | wc -l; }

pkill -f 'LEAKY_SUITE (server|daemon)' 2>/dev/null || true
echo "== without runp"
"$here/suite.sh"
echo "left running: $(leftovers)"
pgrep -af 'LEAKY_SUITE (server|daemon)' | sed 's/^/  /'
pkill -f 'LEAKY_SUITE (server|daemon)' || true

echo "== with runp"
"$runp" -v -- "$here/suite.sh" 2>&1 | grep -E 'suite:|signalled' | sed 's/^time=[^ ]* level=DEBUG msg=/runp: /'
echo "left running: $(leftovers)"
