#!/bin/sh
# A CI step around a flaky, sometimes hanging test suite: a wall-clock limit
# per attempt, an idle limit, two retries on a clean slate, and a JSON report
# for the CI system to archive.
# Usage: RUNP=./runp [REPORT=report.json] examples/ci/ci.sh CMD [ARGS...]
#
# Each run gets a fresh scratch directory, CI_TMP, as CI systems give each job
# one (GitHub's RUNNER_TEMP, say): the suite may keep state there across its
# attempts, and the report goes there unless REPORT names another file.
# Nothing is written into the directory the step runs from.
set -u
runp=${RUNP:-runp}
CI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/runp-ci.XXXXXX") || exit 125
export CI_TMP
report=${REPORT:-$CI_TMP/runp-report.json}

"$runp" --timeout 10m --idle-timeout 2m --retries 2 --retry-delay 1s --report "$report" -- "$@"
status=$?

attempts=$(grep -c '"duration_seconds"' "$report" 2>/dev/null || echo 0)
case $status in
0) echo "ci: passed after $attempts attempt(s); report: $report" ;;
124) echo "ci: stopped by a time limit after $attempts attempt(s); report: $report" ;;
*) echo "ci: failed with status $status after $attempts attempt(s); report: $report" ;;
esac
exit "$status"
