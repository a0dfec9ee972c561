#!/bin/sh
# A CI step around a flaky, sometimes hanging test suite: a wall-clock limit
# per attempt, an idle limit, two retries on a clean slate, and a JSON report
# for the CI system to archive.
# Usage: RUNP=./runp REPORT=report.json examples/ci/ci.sh CMD [ARGS...]
set -u
runp=${RUNP:-runp}
report=${REPORT:-runp-report.json}

"$runp" --timeout 10m --idle-timeout 2m --retries 2 --retry-delay 1s --report "$report" -- "$@"
status=$?

attempts=$(grep -c '"duration_seconds"' "$report")
case $status in
0) echo "ci: passed after $attempts attempt(s)" ;;
124) echo "ci: stopped by a time limit after $attempts attempt(s); see $report" ;;
*) echo "ci: failed with status $status after $attempts attempt(s); see $report" ;;
esac
exit "$status"
