#!/bin/sh
# A container's main process, the kind that needs an init: it starts a
# helper daemon that double-forks away from it, then serves until stopped.
trap 'echo "app: got SIGTERM, stopping"; exit 143' TERM
(setsid sh -c 'while sleep 1; do :; done' &)
echo "app: serving (pid $$)"
while :; do sleep 1; done
