#!/usr/bin/env bash
# supervise.sh PARENT_PID COMMAND [ARGS...]
# Runs COMMAND and stops it when PARENT_PID goes away, so that a test run that is killed
# (SIGKILL, a crashed worker, a closed terminal) never leaves a control-plane process behind.
set -u
parent=$1; shift
"$@" &
child=$!
stop() {
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || exit 0; sleep 0.1; done
  kill -KILL "$child" 2>/dev/null
  exit 0
}
trap stop TERM INT HUP
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do
  sleep 1 &
  wait $! 2>/dev/null
done
kill -0 "$child" 2>/dev/null && stop
wait "$child"
