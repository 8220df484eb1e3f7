#!/usr/bin/env bash
# What `make serve` (and so `make demo`) runs: gunicorn in the foreground and,
# beside it, the periodic work (`shequ tick --every $TICK_EVERY`: audit sealing,
# escalations, reminders, the outbox, rollups), so nothing waits for a human
# to run a command. Stopping the server (Ctrl-C, SIGTERM) stops the loop too.
# Production runs the two as systemd units instead (docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
WORKERS=${WORKERS:-3}
TICK_EVERY=${TICK_EVERY:-60}

"$BIN/shequ" tick --every "$TICK_EVERY" &
tick_pid=$!
"$BIN/gunicorn" shequ.wsgi --preload --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --access-logfile - --error-logfile - --log-level warning &
server_pid=$!

stop() {
    kill -TERM "$server_pid" "$tick_pid" 2>/dev/null || true
    wait "$server_pid" "$tick_pid" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
# Whichever ends first (a crash, a port already in use) takes the other along.
rc=0
wait -n "$server_pid" "$tick_pid" || rc=$?
stop
exit "$rc"
