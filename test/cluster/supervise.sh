#!/usr/bin/env bash
# supervise.sh PARENT_PID COMMAND [ARGS...]
# Runs COMMAND and stops it when PARENT_PID goes away, so that a test run that is killed
# (SIGKILL, a crashed worker, a closed terminal) never leaves a control-plane process behind.
# With SUPERVISE_CLEANUP_DIR set, that directory is removed too when the parent went away.
set -u
parent=$1; shift
"$@" &
child=$!

stop_child() {
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$child" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$child" 2>/dev/null
}
trap 'stop_child; exit 0' TERM INT HUP

# A dead parent can linger as a zombie (kill -0 still succeeds), so watch our own parent pid:
# it changes when the parent exits and we are re-parented.
my_parent() { awk '{ print $4 }' "/proc/$$/stat" 2>/dev/null; }
while [ "$(my_parent)" = "$parent" ] && kill -0 "$child" 2>/dev/null; do
  sleep 1 &
  wait $! 2>/dev/null
done
if kill -0 "$child" 2>/dev/null; then
  stop_child
  [ -n "${SUPERVISE_CLEANUP_DIR:-}" ] && rm -rf "$SUPERVISE_CLEANUP_DIR"
  exit 0
fi
wait "$child"
