#!/bin/sh
# A flaky suite: it fails on its first run and passes on the next one
# (it counts its runs in $FLAKY_STATE). Each run leaks a background server.
state=${FLAKY_STATE:-/tmp/flaky-suite.count}
n=$(cat "$state" 2>/dev/null || echo 0)
echo $((n + 1)) >"$state"
sleep 3600 &
echo "flaky: run $((n + 1))"
[ "$n" -ge 1 ]
