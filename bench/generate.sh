#!/usr/bin/env bash
# Time `shequ generate --scale <scale>` on SQLite and on PostgreSQL.
#
#   bench/generate.sh                 # --scale district (500,000 residents), both databases
#   SCALE=small bench/generate.sh     # quick check of the script itself
#   DATABASES="sqlite" bench/generate.sh
#
# SQLite runs in a fresh temporary SHEQU_VAR_DIR; PostgreSQL in a scratch
# database created for the run and dropped afterwards (BENCH_PG_URL names the
# server, default postgresql://root@127.0.0.1:5432). Results go to
# bench/results/ (gitignored): the command's output, its JSON timings and a
# summary line per database with wall-clock and CPU seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHEQU="${SHEQU:-$ROOT/.venv/bin/shequ}"
SCALE="${SCALE:-district}"
DATABASES="${DATABASES:-sqlite postgresql}"
BENCH_PG_URL="${BENCH_PG_URL:-postgresql://root@127.0.0.1:5432}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$ROOT/bench/results"
SUMMARY="$RESULTS/generate-$SCALE-$STAMP.txt"
mkdir -p "$RESULTS"

VAR_DIR="$(mktemp -d -t shequ-bench-XXXXXX)"
PG_DB="shequ_bench_$$"
PG_CREATED=""
cleanup() {
    rm -rf "$VAR_DIR"
    if [ -n "$PG_CREATED" ]; then
        psql -q "$BENCH_PG_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
    fi
}
trap cleanup EXIT

{
    echo "shequ generate --scale $SCALE  ($STAMP)"
    echo "commit:  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "machine: $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GB RAM"
    echo "python:  $("$ROOT/.venv/bin/python" -c 'import sys, sqlite3; print(sys.version.split()[0], "· SQLite", sqlite3.sqlite_version)')"
} | tee "$SUMMARY"

run_one() {  # $1 = label; environment prepared by the caller
    local label="$1" out="$RESULTS/generate-$SCALE-$1-$STAMP.log" json="$RESULTS/generate-$SCALE-$1-$STAMP.json"
    "$SHEQU" migrate -v0
    local load_before
    load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
    local TIMEFORMAT="%R %U %S"
    local times
    times="$( { time "$SHEQU" generate --scale "$SCALE" --json "$json" >"$out" 2>&1; } 2>&1 )"
    read -r wall user sys <<<"$times"
    tail -n 12 "$out"
    printf '%-11s wall %7.1fs   CPU %7.1fs (user %.1f + sys %.1f, all processes of the command)   load before: %s\n' \
        "$label" "$wall" "$(awk "BEGIN{print $user + $sys}")" "$user" "$sys" "$load_before" | tee -a "$SUMMARY"
}

for db in $DATABASES; do
    case "$db" in
    sqlite)
        echo "== SQLite (SHEQU_VAR_DIR=$VAR_DIR)"
        SHEQU_VAR_DIR="$VAR_DIR" DATABASE_URL="" run_one sqlite
        ;;
    postgresql)
        echo "== PostgreSQL ($BENCH_PG_URL/$PG_DB)"
        if ! psql -q "$BENCH_PG_URL/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null; then
            echo "PostgreSQL at $BENCH_PG_URL is not reachable or refuses CREATE DATABASE" >&2
            exit 1
        fi
        PG_CREATED=1
        echo "server:  $(psql -At "$BENCH_PG_URL/postgres" -c 'SHOW server_version')" | tee -a "$SUMMARY"
        SHEQU_VAR_DIR="$VAR_DIR" DATABASE_URL="$BENCH_PG_URL/$PG_DB" run_one postgresql
        ;;
    *)
        echo "unknown database: $db" >&2
        exit 2
        ;;
    esac
done
echo "summary: $SUMMARY"
