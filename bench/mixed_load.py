"""Mixed load that holds (issue 16): window intake, Open311 POST, the public
case lookup, staff list pages and the workbench together, against gunicorn on
PostgreSQL at twice the district's peak, for ten minutes.

    .venv/bin/python bench/mixed_load.py                       # district scale, 600 s
    .venv/bin/python bench/mixed_load.py --duration 60         # a quick check
    .venv/bin/python bench/mixed_load.py --factor 4 --workers 4

Uses the benchmark database of ``bench/case_intake.py`` (``shequ_bench_<scale>``,
created, migrated and generated on first use; ``--no-generate`` takes it as it
is). ``wrk`` (``apt-get install wrk``) drives the load at a fixed arrival rate:
every wrk thread holds one connection and sends on its own fixed schedule
(staggered, so the arrivals are evenly spaced), choosing the kind of each
request at random by the kinds' rates, and times each answer both from the
moment it was due (what a person sees, counting any wait for a busy
connection, as wrk2 does) and from the moment it was sent. The answers go to
one log file per thread; this script reads them.

Reports per kind: requests, answers other than the expected status (errors),
p50/p95/p99; socket errors; the resident memory (RSS, from /proc) of every
gunicorn worker sampled every ``--sample-every`` (10) seconds. PASS when there
is no error, no worker was replaced, the load was delivered (at least 95 % of
the scheduled requests answered) and no worker's RSS grew more than 10 % from
minute 1 to the end. JSON in ``bench/results/mixed-load-<scale>-<stamp>.json``.
"""

# ruff: noqa: S310, S603, S607 - a benchmark script: local tools, our own server on the loopback
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_intake import (  # noqa: E402
    DEFAULT_PG,
    RESULTS,
    _children,
    _cpu_seconds,
    _machine_busy,
    _pids_named,
    bench_env,
    django_setup,
    prepare,
    start_gunicorn,
    stop_gunicorn,
)
from open311_post import bench_client, lua_string, samples  # noqa: E402

# -- twice the district's peak ----------------------------------------------------------------
#
# The benchmark district's own volumes (bench/README.md): 1,000,000 cases and
# 200,000 appeals in two years, 60 communities with 3 workers and a secretary each.
WORKING_SECONDS = 250 * 8 * 3600  # a year of the service halls: 250 working days of 8 hours
PHONE_SECONDS = 365 * 14 * 3600  # a year of residents on their phones: 07:00-21:00 every day
PEAK_HOUR = 3.0  # the busiest hour over the average hour (a service hall's morning)
STAFF = 60 * 4  # community staff at their desks at the peak
STAFF_PAGE_EVERY = 30.0  # seconds between two pages of one of them at the peak
FLOOR = 0.5  # req/s at least per kind: 300 answers behind each p99 in ten minutes


@dataclass(frozen=True)
class Kind:
    name: str
    what: str
    ok: tuple[int, ...]  # the expected status
    peak: float  # requests per second at the district's peak hour
    how: str  # how ``peak`` was derived


KINDS = [
    Kind(
        "intake",
        "POST /api/services/cases (window intake, a worker's API token)",
        (201,),
        500_000 * 0.73 / WORKING_SECONDS * PEAK_HOUR,
        "500,000 cases a year × 73 % at the window / 250×8 working hours × 3 at the peak hour",
    ),
    Kind(
        "open311",
        "POST /open311/v2/requests.json (an appeal from a partner app)",
        (200, 201),
        100_000 * 0.55 / PHONE_SECONDS * PEAK_HOUR,
        "100,000 appeals a year × 55 % by phone / 365×14 hours × 3 at the peak hour",
    ),
    Kind(
        "lookup",
        "POST /services/banshi/ (public case lookup: receipt number + phone digits)",
        (302,),
        500_000 * 2 / PHONE_SECONDS * PEAK_HOUR,
        "500,000 cases a year × 2 lookups / 365×14 hours × 3 at the peak hour",
    ),
    Kind(
        "list",
        "GET a staff list page (cases, overdue, appeals, residents, whistles)",
        (200,),
        STAFF / STAFF_PAGE_EVERY * 0.75,
        "240 community staff × a page every 30 s at the peak × 75 % lists",
    ),
    Kind(
        "workbench",
        "GET / (the workbench of a worker or a secretary)",
        (200,),
        STAFF / STAFF_PAGE_EVERY * 0.25,
        "240 community staff × a page every 30 s at the peak × 25 % workbench",
    ),
]
LIST_PAGES = [
    "/services/cases/",
    "/services/cases/overdue/",
    "/appeals/",
    "/residents/",
    "/whistles/",
]
GROWTH_MAX = 0.10  # RSS from minute 1 to the end
DELIVERED_MIN = 0.95  # answered over scheduled

LUA = r"""
-- Fixed-rate mixed load: one connection per thread, each on its own schedule.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } shequ_timespec;
int clock_gettime(int clk_id, shequ_timespec *tp);
]]
local ts = ffi.new("shequ_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local KINDS = {KINDS}        -- {name, cumulative weight}
local INTAKE = {INTAKE}      -- {path, token, template}: per community
local APPLICANTS = {APPLICANTS}  -- {id number, phone}
local DESCS = {DESCS}
local OPEN311 = OPEN311_TEMPLATE
local LOOKUPS = {LOOKUPS}    -- {receipt number, phone digits}
local LOOKUP_COOKIE, LOOKUP_TOKEN = LOOKUP_CSRF
local SESSIONS = {SESSIONS}  -- session cookies of workers and secretaries
local PAGES = {PAGES}
local THREADS, INTERVAL, LOGDIR = NTHREADS, INTERVAL_MS, LOG_DIR

tid, counter, errors_shown = 0, 0, 0
local threads, next_tid = {}, 0
local next_at, scheduled, sent_at, kind, path, log

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  tid = tonumber(wrk.thread:get("tid"))
  math.randomseed(7919 * (tid + 1))
  counter = tid
  log = io.open(LOGDIR .. "/thread-" .. tid .. ".log", "w")
  log:setvbuf("line")
end

function delay()
  local now = now_ms()
  if next_at == nil then
    next_at = now + INTERVAL * tid / THREADS
  end
  scheduled = next_at
  next_at = next_at + INTERVAL
  if scheduled > now then
    return math.floor(scheduled - now)
  end
  return 0
end

local function pick()
  local r = math.random()
  for _, k in ipairs(KINDS) do
    if r <= k[2] then return k[1] end
  end
  return KINDS[#KINDS][1]
end

local function form(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  counter = counter + THREADS
  kind = pick()
  path = "-"
  sent_at = now_ms()
  if kind == "intake" then
    local c = INTAKE[counter % #INTAKE + 1]
    local a = APPLICANTS[counter % #APPLICANTS + 1]
    return wrk.format("POST", c[1], {["Authorization"] = "Bearer " .. c[2],
      ["Content-Type"] = "application/json"}, string.format(c[3], a[1], a[2]))
  elseif kind == "open311" then
    local d = DESCS[counter % #DESCS + 1]
    return wrk.format("POST", "/open311/v2/requests.json",
      {["Content-Type"] = "application/x-www-form-urlencoded"},
      string.format(OPEN311, d.code, d.community, d.kind, d.text, tid, counter))
  elseif kind == "lookup" then
    local l = LOOKUPS[counter % #LOOKUPS + 1]
    return wrk.format("POST", "/services/banshi/",
      {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = LOOKUP_COOKIE},
      "csrfmiddlewaretoken=" .. form(LOOKUP_TOKEN) .. "&receipt_no=" .. l[1]
      .. "&phone_tail=" .. l[2])
  elseif kind == "list" then
    local s = SESSIONS[counter % #SESSIONS + 1]
    path = PAGES[math.random(#PAGES)]
    return wrk.format("GET", path, {["Cookie"] = s})
  end
  local s = SESSIONS[counter % #SESSIONS + 1]
  return wrk.format("GET", "/", {["Cookie"] = s})
end

response = function(status, headers, body)
  local now = now_ms()
  log:write(string.format("%s %s %d %.3f %.3f\n", kind, path, status, now - scheduled,
    now - sent_at))
  if errors_shown < 3 and not OK[kind][status] then
    errors_shown = errors_shown + 1
    io.stderr:write("HTTP " .. status .. " " .. kind .. ": " .. body:sub(1, 300) .. "\n")
  end
end

done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT {\"requests\": %d, \"seconds\": %.3f, \"socket_errors\": %d, "
    .. "\"connect\": %d, \"read\": %d, \"write\": %d, \"timeout\": %d, \"status\": %d}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
"""


def lua_list(rows) -> str:
    return "{" + ", ".join("{" + ", ".join(lua_string(str(v)) for v in r) + "}" for r in rows) + "}"


def rates(factor: float) -> dict[str, float]:
    return {k.name: max(k.peak * factor, FLOOR) for k in KINDS}


# -- what the requests need --------------------------------------------------------------------


def intake_desks(district, communities, n: int) -> list[tuple[str, str, str]]:
    """(path, token, JSON body template) for the first worker of ``n``
    communities: a window and a promised item without form fields."""
    from shequ.core.api_auth import token_issue
    from shequ.core.models import User
    from shequ.desk.models import CommunityItem, ItemKind, Window

    out = []
    for community in communities[:: max(1, len(communities) // n)][:n]:
        worker = User.objects.get(username=f"bench-{community.code}-w1")
        _token, raw = token_issue(user=worker, name="bench/mixed_load.py")
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
        body = {
            "community_id": community.pk,
            "item_id": adoption.item_id,
            "window_id": window.pk,
            "channel": "window",
            "applicant_name": "压测申请人",
            "id_number": "%s",
            "phone": "%s",
            "provided": [m["name"] for m in adoption.item.current_version.materials],
            "form_data": {},
            "note": "bench/mixed_load.py",
        }
        out.append(("/api/services/cases", raw, json.dumps(body, ensure_ascii=False)))
    return out


def applicants(n: int) -> list[tuple[str, str]]:
    """``n`` valid applicants (GB 11643 check digit) of the bench district."""
    import datetime as dt

    from shequ.core.idcard import make_id_number

    rnd = random.Random(16)  # noqa: S311 - test data
    out = []
    for i in range(n):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rnd.randrange(60 * 365))
        out.append((make_id_number("210399", birth, i), f"139{i % 100_000_000:08d}"))
    return out


def lookups(district, n: int) -> list[tuple[str, str]]:
    """``n`` (receipt number, phone digits) pairs of real cases of the district."""
    from django.db.models import Max, Min

    from shequ.desk.models import Case

    cases = Case.objects.filter(district=district).exclude(phone_tail="")
    bounds = cases.aggregate(lo=Min("pk"), hi=Max("pk"))
    rnd = random.Random(17)  # noqa: S311 - test data
    ids = rnd.sample(range(bounds["lo"], bounds["hi"] + 1), min(n * 3, bounds["hi"] - bounds["lo"]))
    return list(cases.filter(pk__in=ids).values_list("receipt_no", "phone_tail")[:n])


def staff_sessions(communities, n: int) -> list[str]:
    """Session cookies (``force_login``) of the worker and the secretary of
    ``n`` communities."""
    from django.conf import settings
    from django.test import Client

    from shequ.core.models import User

    out = []
    for community in communities[:: max(1, len(communities) // n)][:n]:
        for suffix in ("w2", "s1"):
            client = Client()
            client.force_login(User.objects.get(username=f"bench-{community.code}-{suffix}"))
            out.append(
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            )
    return out


def lookup_csrf(base: str) -> tuple[str, str]:
    """A CSRF cookie and the form's token for it, from the lookup page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/services/banshi/", timeout=10) as r:
        html = r.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token


# -- the run --------------------------------------------------------------------------------


def sample_requests(base: str, inputs: dict) -> list[tuple[str, urllib.request.Request, int]]:
    """One request of each kind, every list page and the workbench of two of
    the sessions, each with its expected status."""
    desk_path, token, template = inputs["intake"][0]
    d = inputs["descs"][0]
    receipt, tail = inputs["lookups"][0]
    cookie, csrf = inputs["csrf"]
    out = [
        (
            "intake",
            urllib.request.Request(
                base + desk_path,
                data=(template % inputs["applicants"][0]).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            ),
            201,
        ),
        (
            "open311",
            urllib.request.Request(
                base + "/open311/v2/requests.json",
                data=(
                    inputs["open311"] % (d["code"], d["community"], d["kind"], d["text"], 0, 0)
                ).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            200,
        ),
        (
            "lookup",
            urllib.request.Request(
                base + "/services/banshi/",
                data=urllib.parse.urlencode(
                    {"csrfmiddlewaretoken": csrf, "receipt_no": receipt, "phone_tail": tail}
                ).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            ),
            302,
        ),
    ]
    for session in inputs["sessions"][:2]:
        for page in [*LIST_PAGES, "/"]:
            request = urllib.request.Request(base + page, headers={"Cookie": session})
            out.append((f"GET {page}", request, 200))
    return out


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def send(request: urllib.request.Request) -> tuple[int, bytes]:
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def preflight(requests: list[tuple[str, urllib.request.Request, int]]) -> None:
    """Each sample request gets its expected status before the clock starts,
    or the run would only count errors."""
    for name, request, expected in requests:
        status, body = send(request)
        if status != expected:
            raise SystemExit(
                f"preflight {name}: HTTP {status}, expected {expected}: {body[:300]!r}"
            )


def warm_up(requests: list[tuple[str, urllib.request.Request, int]], workers: int) -> None:
    """Every sample request ``2 × workers`` times at once, so that each worker
    has imported, connected and loaded jieba's dictionary (the first Open311
    appeal a worker segments takes a second or two) before RSS is measured."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2 * workers) as pool:
        for _name, request, _expected in requests:
            list(pool.map(send, [request] * (2 * workers)))


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class MemorySampler(threading.Thread):
    """RSS of the gunicorn master's workers every ``every`` seconds."""

    def __init__(self, master: int, every: float) -> None:
        super().__init__(daemon=True)
        self.master, self.every = master, every
        self.samples: list[dict] = []
        self.stop = threading.Event()
        self.started_at = time.monotonic()

    def sample(self) -> None:
        workers = {pid: rss_kb(pid) for pid in sorted(_children(self.master))}
        self.samples.append(
            {
                "t": round(time.monotonic() - self.started_at, 1),
                "master_kb": rss_kb(self.master),
                "workers_kb": {str(p): kb for p, kb in workers.items() if kb is not None},
            }
        )

    def run(self) -> None:
        self.started_at = time.monotonic()
        while True:
            self.sample()
            if self.stop.wait(self.every):
                self.sample()
                return


def memory_verdict(samples: list[dict], duration: int) -> dict:
    """Per worker: RSS at minute 1 (the first sample from 60 s on; half-way
    through a run shorter than two minutes), at the end, and the growth."""
    baseline_t = 60 if duration >= 120 else duration / 2
    first = next((s for s in samples if s["t"] >= baseline_t), samples[-1])
    last = samples[-1]
    workers = {}
    for pid, kb in last["workers_kb"].items():
        start = first["workers_kb"].get(pid)
        workers[pid] = {
            "minute1_kb": start,
            "end_kb": kb,
            "growth": None if not start else round((kb - start) / start, 4),
        }
    replaced = sorted(set().union(*(s["workers_kb"] for s in samples)) - set(last["workers_kb"]))
    growths = [w["growth"] for w in workers.values() if w["growth"] is not None]
    return {
        "baseline_at_s": first["t"],
        "end_at_s": last["t"],
        "workers": workers,
        "workers_gone": replaced,
        "max_growth": max(growths) if growths else None,
    }


def ms(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def percentile(values: list[float], p: float) -> float | None:
    """Nearest rank."""
    if not values:
        return None
    ordered = sorted(values)
    return round(
        ordered[max(0, min(len(ordered) - 1, int(len(ordered) * p / 100 + 0.999999) - 1))], 2
    )


def _figures(rows: list[tuple[int, float, float]], ok: set[int]) -> dict:
    statuses: dict[str, int] = {}
    for status, _due, _sent in rows:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    due = [r[1] for r in rows]
    sent = [r[2] for r in rows]
    return {
        "requests": len(rows),
        "errors": sum(1 for status, _d, _s in rows if status not in ok),
        "statuses": statuses,
        **{f"p{p}_ms": percentile(due, p) for p in (50, 95, 99)},
        "max_ms": round(max(due), 2) if due else None,
        **{f"service_p{p}_ms": percentile(sent, p) for p in (50, 95, 99)},
    }


def read_logs(log_dir: Path) -> tuple[dict, dict]:
    """Figures per kind, and per page of the ``list`` kind, from the threads'
    logs (a line per answer: kind, path, status, ms since due, ms since sent)."""
    rows: dict[str, list] = {k.name: [] for k in KINDS}
    pages: dict[str, list] = {p: [] for p in LIST_PAGES}
    for path in sorted(log_dir.glob("thread-*.log")):
        for line in path.read_text().splitlines():
            name, page, status, due, sent = line.split()
            row = (int(status), float(due), float(sent))
            rows[name].append(row)
            if name == "list":
                pages[page].append(row)
    ok = {k.name: set(k.ok) for k in KINDS}
    kinds = {name: _figures(r, ok[name]) for name, r in rows.items()}
    return kinds, {page: _figures(r, ok["list"]) for page, r in pages.items()}


def run_wrk(base: str, lua: str, threads: int, duration: int, log_dir: Path) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    cmd = ["wrk", "-t", str(threads), "-c", str(threads), "-d", f"{duration}s"]
    cmd += ["--timeout", "10s", "-s", script, base]
    started = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    os.unlink(script)
    if res.returncode != 0:
        raise SystemExit(res.stdout + res.stderr)
    result = json.loads(re.search(r"^RESULT (\{.*\})$", res.stdout, re.M)[1])
    result["wall"] = wall
    result["sample_errors"] = [ln for ln in res.stderr.splitlines() if ln.startswith("HTTP ")][:3]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (no database)")
    parser.add_argument("--scale", default="district", choices=("small", "district"))
    parser.add_argument("--duration", type=int, default=600, help="seconds of load")
    parser.add_argument("--factor", type=float, default=2.0, help="times the district's peak")
    parser.add_argument(
        "--connections", type=int, default=8, help="wrk threads, one connection each"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument(
        "--sample-every", type=float, default=10.0, help="seconds between RSS samples"
    )
    parser.add_argument("--no-generate", action="store_true", help="use the database as it is")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    env = bench_env(args.pg, args.scale) if args.no_generate else prepare(args.pg, args.scale)
    django_setup(env)
    from django.db import connection

    from shequ.core.models import Region, RegionLevel

    district = Region.objects.get(code="210399")
    communities = list(
        Region.objects.filter(district=district, level=RegionLevel.COMMUNITY).order_by("code")
    )
    per_second = rates(args.factor)
    total = sum(per_second.values())
    print("== rates (req/s): peak × factor, at least", FLOOR, "per kind", flush=True)
    for k in KINDS:
        print(
            f"  {k.name:<9} {k.peak:7.3f} × {args.factor:g} → {per_second[k.name]:6.3f}  ({k.how})"
        )
    print(f"  total {total:.2f} req/s over {args.connections} connections", flush=True)

    descs = samples(communities, 500)
    inputs = {
        "intake": intake_desks(district, communities, 6),
        "applicants": applicants(5_000),
        "descs": descs,
        "open311": (
            f"api_key={bench_client(district)}&service_code=%s&attribute%%5Bcommunity%%5D=%s"
            "&attribute%%5Bkind%%5D=%s&address_string=3%%E5%%8F%%B7%%E6%%A5%%BC"
            "&description=%s+%d-%d"
        ),
        "lookups": lookups(district, 2_000),
        "sessions": staff_sessions(communities, 6),
    }
    connection.close()

    base = f"http://127.0.0.1:{args.port}"
    gunicorn = start_gunicorn(env, args.port, args.workers, args.worker_class, args.threads)
    log_dir = Path(tempfile.mkdtemp(prefix="mixed-load-"))
    try:
        inputs["csrf"] = lookup_csrf(base)
        requests = sample_requests(base, inputs)
        preflight(requests)
        warm_up(requests, args.workers)
        cumulative, acc = [], 0.0
        for k in KINDS:
            acc += per_second[k.name] / total
            cumulative.append((k.name, round(acc, 6)))
        cumulative[-1] = (cumulative[-1][0], 1.0)
        lua = (
            LUA.replace("{KINDS}", "{" + ", ".join(f'{{"{n}", {w}}}' for n, w in cumulative) + "}")
            .replace("{INTAKE}", lua_list(inputs["intake"]))
            .replace("{APPLICANTS}", lua_list(inputs["applicants"]))
            .replace(
                "{DESCS}",
                "{"
                + ", ".join(
                    "{" + ", ".join(f"{k} = {lua_string(v)}" for k, v in d.items()) + "}"
                    for d in descs
                )
                + "}",
            )
            .replace("OPEN311_TEMPLATE", lua_string(inputs["open311"]))
            .replace("{LOOKUPS}", lua_list(inputs["lookups"]))
            .replace("LOOKUP_CSRF", ", ".join(lua_string(v) for v in inputs["csrf"]))
            .replace("{SESSIONS}", "{" + ", ".join(lua_string(s) for s in inputs["sessions"]) + "}")
            .replace("{PAGES}", "{" + ", ".join(lua_string(p) for p in LIST_PAGES) + "}")
            .replace("NTHREADS", str(args.connections))
            .replace("INTERVAL_MS", f"{1000 * args.connections / total:.3f}")
            .replace("LOG_DIR", lua_string(str(log_dir)))
        )
        ok_table = ", ".join(
            f"{k.name} = {{{', '.join(f'[{s}] = true' for s in k.ok)}}}" for k in KINDS
        )
        lua = lua.replace("local KINDS =", f"OK = {{{ok_table}}}\nlocal KINDS =", 1)
        g_pids = [gunicorn.pid, *_children(gunicorn.pid)]
        pg_pids = _pids_named("postgres")
        load_before = os.getloadavg()
        g0, p0, (b0, t0) = _cpu_seconds(g_pids), _cpu_seconds(pg_pids), _machine_busy()
        sampler = MemorySampler(gunicorn.pid, args.sample_every)
        sampler.start()
        print(f"== {args.duration} s of load on {args.workers} × {args.worker_class}", flush=True)
        wrk = run_wrk(base, lua, args.connections, args.duration, log_dir)
        sampler.stop.set()
        sampler.join()
        pg_pids = sorted(set(pg_pids) | set(_pids_named("postgres")))
        g1, p1, (b1, t1) = _cpu_seconds(g_pids), _cpu_seconds(pg_pids), _machine_busy()
        load_after = os.getloadavg()
    finally:
        stop_gunicorn(gunicorn)

    kinds, pages = read_logs(log_dir)
    shutil.rmtree(log_dir, ignore_errors=True)
    memory = memory_verdict(sampler.samples, args.duration)
    answered = sum(k["requests"] for k in kinds.values())
    scheduled = total * args.duration
    errors = sum(k["errors"] for k in kinds.values()) + wrk["socket_errors"]
    wall = wrk["wall"]
    ncpu = os.cpu_count() or 1
    checks = {
        "errors": errors == 0,
        "workers_kept": not memory["workers_gone"],
        "delivered": answered >= DELIVERED_MIN * scheduled,
        "memory_flat": memory["max_growth"] is not None and memory["max_growth"] <= GROWTH_MAX,
    }
    verdict = "PASS" if all(checks.values()) else "FAIL"
    print(
        f"{'kind':<26} {'rate':>6} {'req':>6} {'err':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}"
        "   (ms from when each request was due)"
    )
    lines = [(k.name, f"{per_second[k.name]:.2f}", kinds[k.name]) for k in KINDS]
    lines[4:4] = [(f"  {page}", "", pages[page]) for page in LIST_PAGES]
    for name, rate, r in lines:
        figures = (ms(r[f]) for f in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))
        print(
            f"{name:<26} {rate:>6} {r['requests']:6d} {r['errors']:4d} "
            + " ".join(f"{v:>8}" for v in figures)
        )
    print(
        f"answered {answered:,} of {scheduled:,.0f} scheduled · socket errors {wrk['socket_errors']}"
        f" · load average {load_before[0]:.2f} → {load_after[0]:.2f}"
    )
    for line in wrk["sample_errors"]:
        print("  " + line)
    print(
        f"RSS of the workers (minute 1 at {memory['baseline_at_s']} s → end at {memory['end_at_s']} s):"
    )
    for pid, w in memory["workers"].items():
        growth = "—" if w["growth"] is None else f"{w['growth']:+.1%}"
        print(f"  worker {pid}: {w['minute1_kb'] or 0:,} kB → {w['end_kb']:,} kB ({growth})")
    if memory["workers_gone"]:
        print(f"  workers gone during the run: {', '.join(memory['workers_gone'])}")
    cpu = {
        "cpu_gunicorn": round((g1 - g0) / wall, 2),
        "cpu_postgres": round((p1 - p0) / wall, 2),
        "cpu_machine": round((b1 - b0) / (t1 - t0) * ncpu, 2),
        "cpus": ncpu,
    }
    print(
        f"CPU (cores of {ncpu}): gunicorn {cpu['cpu_gunicorn']} · PostgreSQL {cpu['cpu_postgres']}"
        f" · whole machine {cpu['cpu_machine']}"
    )
    print(
        f"{verdict}: " + ", ".join(f"{name} {'ok' if ok else 'NO'}" for name, ok in checks.items())
    )

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    result = {
        "verdict": verdict,
        "checks": checks,
        "scale": args.scale,
        "duration": args.duration,
        "factor": args.factor,
        "gunicorn": f"{args.workers} × {args.worker_class}",
        "connections": args.connections,
        "rates": per_second,
        "derivation": {k.name: {"peak": round(k.peak, 4), "how": k.how} for k in KINDS},
        "kinds": kinds,
        "list_pages": pages,
        "answered": answered,
        "scheduled": round(scheduled),
        "wrk": wrk,
        "memory": memory,
        "memory_samples": sampler.samples,
        "load_average": [load_before[0], load_after[0]],
        **cpu,
    }
    path = RESULTS / f"mixed-load-{args.scale}-{stamp}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {path.relative_to(RESULTS.parent.parent)}")
    sys.exit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
