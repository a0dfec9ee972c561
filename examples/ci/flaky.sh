#!/bin/sh
# A flaky suite: it fails on its first attempt and passes on the next one.
# It counts its attempts in $FLAKY_STATE, by default in the CI step's scratch
# directory (CI_TMP, fresh for each run of ci.sh), so that every run of the
# example shows the retry. Each attempt leaks a background server.
state=${FLAKY_STATE:-${CI_TMP:?run me through examples/ci/ci.sh, or set FLAKY_STATE}/flaky.count}
n=$(cat "$state" 2>/dev/null || echo 0)
echo $((n + 1)) >"$state"
sleep 3600 &
echo "flaky: run $((n + 1))"
[ "$n" -ge 1 ]
