#!/usr/bin/env bash
# The whole suite, as `make test` and CI (.ci/run, CI=true) run it:
#
#   1. ruff check, ruff format --check, mypy (pyproject.toml [tool.mypy]),
#      lint-imports (the arrows between apps, .importlinter),
#      shequ makemigrations --check
#   2. pytest on SQLite (every test not marked browser), in parallel
#      (pytest-xdist, $SHEQU_TEST_WORKERS processes, default one per core)
#   3. the same on PostgreSQL at $DATABASE_URL (default postgresql://root@127.0.0.1:5432/test)
#      when one answers; with CI=true it must: the local cluster is started, else it fails
#   4. pytest -m browser: Playwright driving Debian's /usr/bin/chromium, a file per
#      worker (one Chromium each; the accessibility walk runs beside the flows)
#
# Every stage runs even when an earlier one failed; the exit status is non-zero
# when any failed (pytest's "no tests ran", exit 5, counts as a failure). The
# closing lines are the pytest summaries of the runs, in order.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
LOGS="${SHEQU_VAR_DIR:-var}/test-logs"
PG_URL="${DATABASE_URL:-postgresql://root@127.0.0.1:5432/test}"
WORKERS="${SHEQU_TEST_WORKERS:-auto}"
mkdir -p "$LOGS"

in_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }

failures=()
notes=()
summaries=()

run_step() {
    local name=$1
    shift
    echo "==> $name"
    "$@"
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        failures+=("$name (exit $rc)")
    fi
}

run_pytest() {
    local name=$1
    shift
    local log="$LOGS/pytest-$name.log"
    echo "==> pytest on $name"
    "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    summaries+=("$(tail -n 1 "$log")")
    if [ "$rc" -eq 5 ]; then
        failures+=("pytest on $name collected no tests (exit 5)")
    elif [ "$rc" -ne 0 ]; then
        failures+=("pytest on $name (exit $rc)")
    fi
}

# Prints nothing and succeeds when PostgreSQL at $1 accepts a connection,
# else prints why not and fails.
pg_answers() {
    "$BIN/python" - "$1" 2>&1 <<'PY'
import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
    print("; ".join(line.strip() for line in str(error).splitlines() if line.strip())
          or type(error).__name__)
    sys.exit(1)
PY
}

start_local_pg() {
    command -v pg_ctlcluster >/dev/null || return 1
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    version=${version:-15}
    echo "==> starting the local PostgreSQL cluster ($version main)"
    pg_ctlcluster "$version" main start 2>/dev/null \
        || pg_ctlcluster --skip-systemctl-redirect "$version" main start \
        || return 1
    for _ in $(seq 1 30); do
        pg_answers "$PG_URL" >/dev/null && return 0
        sleep 0.5
    done
    return 1
}

# --- 1. static checks ----------------------------------------------------------------------
run_step "ruff check" "$BIN/ruff" check src bench scripts
run_step "ruff format --check" "$BIN/ruff" format --check src bench scripts
run_step "mypy" "$BIN/mypy"
run_step "import contracts" "$BIN/lint-imports" --config .importlinter --no-cache
run_step "makemigrations --check" env -u DATABASE_URL -u SHEQU_TEST_DB_NAME "$BIN/shequ" makemigrations --check --dry-run

# --- 2. SQLite ---------------------------------------------------------------------------
run_pytest sqlite env -u DATABASE_URL -u SHEQU_TEST_DB_NAME "$BIN/pytest" -n "$WORKERS" --dist loadgroup

# --- 3. PostgreSQL -----------------------------------------------------------------------
pg_run=1
if ! why=$(pg_answers "$PG_URL"); then
    if in_ci; then
        if ! start_local_pg; then
            why=$(pg_answers "$PG_URL")
            failures+=("PostgreSQL run is mandatory in CI but nothing answers at $PG_URL and the local cluster would not start: $why")
            pg_run=0
        fi
    else
        notes+=("SKIPPED PostgreSQL run: $PG_URL is not reachable ($why)")
        echo "SKIPPED PostgreSQL run: $PG_URL is not reachable ($why)"
        pg_run=0
    fi
fi
if [ "$pg_run" = 1 ]; then
    run_pytest postgresql env DATABASE_URL="$PG_URL" "$BIN/pytest" -n "$WORKERS" --dist loadgroup
fi

# --- 4. browser --------------------------------------------------------------------------
if [ -x /usr/bin/chromium ]; then
    run_pytest browser env -u DATABASE_URL -u SHEQU_TEST_DB_NAME DJANGO_ALLOW_ASYNC_UNSAFE=true "$BIN/pytest" -m browser -n "$WORKERS" --dist loadfile
elif in_ci; then
    failures+=("browser run is mandatory in CI but /usr/bin/chromium is missing")
else
    notes+=("SKIPPED browser run: /usr/bin/chromium is missing (apt-get install chromium)")
    echo "SKIPPED browser run: /usr/bin/chromium is missing (apt-get install chromium)"
fi

# --- results -----------------------------------------------------------------------------
echo
echo "==> make test: results (logs in $LOGS/)"
for note in "${notes[@]}"; do echo "$note"; done
for failure in "${failures[@]}"; do echo "FAILED: $failure"; done
[ "${#failures[@]}" -eq 0 ] && echo "all stages passed"
for summary in "${summaries[@]}"; do echo "$summary"; done
[ "${#failures[@]}" -eq 0 ]
