#!/bin/sh
# A test suite that leaks, as many do: it starts a server for its tests and a
# double-forked helper daemon, runs its "tests", and exits without stopping
# either. Both carry the marker $LEAKY_SUITE (default LEAKY_SUITE) in their
# command line.
set -e
marker=${LEAKY_SUITE:-LEAKY_SUITE}
sh -c ": $marker server; while sleep 1; do :; done" &
(setsid sh -c ": $marker daemon; while sleep 1; do :; done" &)
echo "suite: server and daemon started; running tests..."
sleep 0.2 # the tests
echo "suite: 3 passed"
