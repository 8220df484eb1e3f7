"""Load test of window intake (issue 3): ``POST /api/services/cases`` against
gunicorn on PostgreSQL, driven by ``wrk`` (C, loopback) with a Lua script
that sends a fresh valid applicant (GB 11643 check digit) every request.

    .venv/bin/python bench/case_intake.py                       # district scale, 30 s
    .venv/bin/python bench/case_intake.py --scale small --duration 10
    .venv/bin/python bench/case_intake.py --workers 3 --worker-class gthread --threads 4

The benchmark database ``shequ_bench_<scale>`` on ``--pg`` is created, migrated
and filled by ``shequ generate --scale <scale>`` the first time and kept for
the next runs (``--drop`` removes it afterwards); its keys live in
``bench/results/var-<scale>`` (gitignored). Needs ``wrk`` (``apt-get install wrk``).

Reports requests/s, p50/p95/p99 latency, non-201 responses and how the two
CPUs were shared between gunicorn, PostgreSQL and wrk during the run (CPU
seconds from /proc, over the run's wall-clock time).
"""

# ruff: noqa: S603, S607, S608 - a benchmark script running local tools on fixed names
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = os.environ.get("BENCH_PG_URL", "postgresql://root@127.0.0.1:5432")

LUA = r"""
-- One fresh applicant per request: a valid 18-digit ID (GB 11643 check digit)
-- and a phone, unique per thread and counter.
local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = {"1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"}
-- globals, so that done() can read them from each thread
counter, status_ok, status_other, tid = 0, 0, 0, 0
local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  tid = tonumber(wrk.thread:get("tid"))
  math.randomseed(os.time() + tid)
  counter = math.random(0, 200000) * 8
end

local function id_number(n)
  local seq = n % 1000
  local m = math.floor(n / 1000)
  local day = m % 28 + 1
  m = math.floor(m / 28)
  local month = m % 12 + 1
  m = math.floor(m / 12)
  local year = 1940 + m % 60
  local first = string.format("21030%d%04d%02d%02d%03d", tid % 10, year, month, day, seq)
  local sum = 0
  for i = 1, 17 do
    sum = sum + tonumber(first:sub(i, i)) * weights[i]
  end
  return first .. checks[sum % 11 + 1]
end

request = function()
  counter = counter + 1
  local phone = string.format("139%d%07d", tid % 10, counter % 10000000)
  local body = string.format(BODY_TEMPLATE, id_number(counter), phone)
  return wrk.format("POST", nil, nil, body)
end

"""


# wrk's counting of answers and its one-line JSON summary, for every benchmark:
# ``ok`` is the Lua condition on ``status`` of a successful answer.
LUA_RESULT = r"""
response = function(status, headers, body)
  if OK_CONDITION then
    status_ok = status_ok + 1
  else
    status_other = status_other + 1
    if status_other <= 3 then
      io.stderr:write("HTTP " .. status .. ": " .. body:sub(1, 300) .. "\n")
    end
  end
end

done = function(summary, latency, requests)
  local ok, other = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + tonumber(t:get("status_ok"))
    other = other + tonumber(t:get("status_other"))
  end
  io.write(string.format(
    "RESULT {\"requests\": %d, \"seconds\": %.3f, \"created\": %d, \"other_status\": %d, "
    .. "\"socket_errors\": %d, \"p50_ms\": %.2f, \"p90_ms\": %.2f, \"p95_ms\": %.2f, "
    .. "\"p99_ms\": %.2f, \"max_ms\": %.2f, \"mean_ms\": %.2f}\n",
    summary.requests, summary.duration / 1e6, ok, other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
"""


def lua_result(ok: str) -> str:
    return LUA_RESULT.replace("OK_CONDITION", ok)


# -- the benchmark database (shared with case_pages.py) -----------------------------------------


def bench_env(pg: str, scale: str) -> dict[str, str]:
    var_dir = RESULTS / f"var-{scale}"
    (var_dir / "static").mkdir(parents=True, exist_ok=True)
    return os.environ | {
        "DATABASE_URL": f"{pg}/shequ_bench_{scale}",
        "SHEQU_VAR_DIR": str(var_dir),
        "SHEQU_LOG_LEVEL": "ERROR",
    }


def prepare(pg: str, scale: str) -> dict[str, str]:
    """Create, migrate and generate ``shequ_bench_<scale>`` unless it exists."""
    env = bench_env(pg, scale)
    name = f"shequ_bench_{scale}"
    exists = subprocess.run(
        [
            "psql",
            "-At",
            f"{pg}/postgres",
            "-c",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            ["psql", "-q", f"{pg}/postgres", "-c", f"CREATE DATABASE {name}"], check=True
        )
    subprocess.run([BIN / "shequ", "migrate", "-v0"], env=env, check=True)
    print(f"== shequ generate --scale {scale} on {env['DATABASE_URL']}", flush=True)
    subprocess.run([BIN / "shequ", "generate", "--scale", scale], env=env, check=True)
    return env


def drop(pg: str, scale: str) -> None:
    subprocess.run(
        ["psql", "-q", f"{pg}/postgres", "-c", f"DROP DATABASE IF EXISTS shequ_bench_{scale}"],
        check=True,
    )
    shutil.rmtree(RESULTS / f"var-{scale}", ignore_errors=True)


def django_setup(env: dict[str, str]) -> None:
    for key in ("DATABASE_URL", "SHEQU_VAR_DIR"):
        os.environ[key] = env[key]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def first_community():
    from shequ.core.models import Region, RegionLevel

    return Region.objects.filter(district__code="210399", level=RegionLevel.COMMUNITY).order_by(
        "code"
    )[0]


# -- CPU accounting ---------------------------------------------------------------------------


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _machine_busy() -> tuple[float, float]:
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


# -- gunicorn ---------------------------------------------------------------------------------


def start_gunicorn(env, port: int, workers: int, worker_class: str, threads: int):
    cmd = [
        str(BIN / "gunicorn"),
        "shequ.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not come up")


def stop_gunicorn(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_wrk(
    url: str, lua: str, headers: dict[str, str], threads: int, connections: int, duration: int
):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "-s", script]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd.append(url)
    started = time.perf_counter()
    res = subprocess.run(
        ["bash", "-c", 'TIMEFORMAT="%U %S"; time "$@"', "bash", *cmd],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    os.unlink(script)
    if res.returncode != 0:
        raise SystemExit(res.stdout + res.stderr)
    match = re.search(r"^RESULT (\{.*\})$", res.stdout, re.M)
    result = json.loads(match[1])
    user, sys_ = (float(x) for x in res.stderr.strip().splitlines()[-1].split())
    result["wrk_cpu_seconds"] = user + sys_
    result["wall"] = wall
    errors = [line for line in res.stderr.splitlines() if line.startswith("HTTP ")]
    result["sample_errors"] = errors[:3]
    return result


def load_run(
    env: dict, args: argparse.Namespace, url: str, lua: str, headers: dict, *, ok_status: int
) -> dict:
    """Start gunicorn, warm every worker up, run wrk for ``args.duration`` s,
    stop gunicorn; the wrk result with req/s and the CPU each part used
    (gunicorn, PostgreSQL, wrk, the machine), printed as one summary."""
    gunicorn = start_gunicorn(env, args.port, args.workers, args.worker_class, args.threads)
    try:
        # Warm-up: every worker imports, connects and caches.
        run_wrk(url, lua, headers, 1, args.workers, 3)
        g_pids = [gunicorn.pid, *_children(gunicorn.pid)]
        pg_pids = _pids_named("postgres")
        g0, p0, (b0, t0) = _cpu_seconds(g_pids), _cpu_seconds(pg_pids), _machine_busy()
        result = run_wrk(url, lua, headers, args.wrk_threads, args.connections, args.duration)
        pg_pids = sorted(set(pg_pids) | set(_pids_named("postgres")))
        g1, p1, (b1, t1) = _cpu_seconds(g_pids), _cpu_seconds(pg_pids), _machine_busy()
    finally:
        stop_gunicorn(gunicorn)
    wall = result["wall"]
    ncpu = os.cpu_count() or 1
    result |= {
        "scale": args.scale,
        "gunicorn": f"{args.workers} × {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else ""),
        "connections": args.connections,
        "requests_per_second": round(result["requests"] / result["seconds"], 1),
        "cpu_gunicorn": round((g1 - g0) / wall, 2),
        "cpu_postgres": round((p1 - p0) / wall, 2),
        "cpu_wrk": round(result["wrk_cpu_seconds"] / wall, 2),
        "cpu_machine": round((b1 - b0) / (t1 - t0) * ncpu, 2),
        "cpus": ncpu,
    }
    print(
        f"{result['gunicorn']}, {args.connections} connections, {args.duration}s: "
        f"{result['requests_per_second']} req/s · p50 {result['p50_ms']:.1f} ms · "
        f"p95 {result['p95_ms']:.1f} ms · p99 {result['p99_ms']:.1f} ms · "
        f"{ok_status}: {result['created']:,} · other status: {result['other_status']} · "
        f"socket errors: {result['socket_errors']}\n"
        f"CPU (cores of {ncpu}): gunicorn {result['cpu_gunicorn']} · PostgreSQL "
        f"{result['cpu_postgres']} · wrk {result['cpu_wrk']} · whole machine {result['cpu_machine']}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (no database)")
    parser.add_argument("--scale", default="district", choices=("small", "district"))
    parser.add_argument("--duration", type=int, default=30, help="seconds of load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--drop", action="store_true", help="drop the benchmark database afterwards"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    env = prepare(args.pg, args.scale)
    django_setup(env)
    from shequ.core.api_auth import token_issue
    from shequ.core.models import User
    from shequ.desk.models import CommunityItem, ItemKind, Window

    community = first_community()
    worker = User.objects.get(username=f"bench-{community.code}-w1")
    _token, raw = token_issue(user=worker, name="bench/case_intake.py")
    window = Window.objects.filter(community=community, active=True).order_by("name").first()
    adoption = (
        CommunityItem.objects.filter(
            community=community,
            active=True,
            item__current_version__kind=ItemKind.PROMISED,
            item__current_version__form_fields=[],
        )
        .select_related("item__current_version")
        .order_by("item__code")
        .first()
    )
    version = adoption.item.current_version
    body = {
        "community_id": community.pk,
        "item_id": adoption.item_id,
        "window_id": window.pk,
        "channel": "window",
        "applicant_name": "压测申请人",
        "id_number": "%s",
        "phone": "%s",
        "provided": [m["name"] for m in version.materials],
        "form_data": {},
        "note": "bench/case_intake.py",
    }
    template = json.dumps(body, ensure_ascii=False).replace('"', '\\"')
    lua = LUA.replace("BODY_TEMPLATE", f'"{template}"') + lua_result("status == 201")

    from django.db import connection

    connection.close()
    print(
        f"== {community.name} · {adoption.item.name}（{version.promised_days}个工作日）· {window.name}"
        f" · worker {worker.username}",
        flush=True,
    )
    url = f"http://127.0.0.1:{args.port}/api/services/cases"
    headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
    result = load_run(env, args, url, lua, headers, ok_status=201)
    for line in result["sample_errors"]:
        print("  " + line)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (RESULTS / f"case-intake-{args.scale}-{stamp}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    if args.drop:
        drop(args.pg, args.scale)


if __name__ == "__main__":
    main()
