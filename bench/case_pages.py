"""Latency and query count of a community's overdue list (issue 3):
``/services/cases/overdue/?community=<id>&level=overdue`` as the community
secretary, in-process through Django's test client on PostgreSQL.

    .venv/bin/python bench/case_pages.py                   # small and district scale
    .venv/bin/python bench/case_pages.py --scale district --requests 500

Uses the benchmark databases of ``bench/case_intake.py`` (``shequ_bench_<scale>``,
created and generated on first use, kept afterwards; ``--drop`` removes them).
Per scale: the query count of one page view, then ``--warmup`` unmeasured views
and ``--requests`` timed ones (p50/p95/p99). The query count must not grow
with the data: the page is an indexed date comparison plus a fixed number of
lookups.
"""

# ruff: noqa: S603, S607
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_intake import DEFAULT_PG, RESULTS, bench_env, drop, prepare  # noqa: E402

MEASURE = r"""
import json, os, statistics, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from shequ.core.models import Region, RegionLevel, User
from shequ.desk.models import Case, CaseState

warmup, requests = int(sys.argv[1]), int(sys.argv[2])
community = Region.objects.filter(
    district__code="210399", level=RegionLevel.COMMUNITY).order_by("code")[0]
secretary = User.objects.get(username=f"bench-{community.code}-s1")
client = Client()
client.force_login(secretary)
url = f"/services/cases/overdue/?community={community.pk}&level=overdue"
with CaptureQueriesContext(connection) as ctx:
    response = client.get(url)
assert response.status_code == 200, (response.status_code, response.content[:500])
queries = len(ctx.captured_queries)
for _ in range(warmup):
    client.get(url)
times = []
for _ in range(requests):
    t = time.perf_counter()
    r = client.get(url)
    times.append((time.perf_counter() - t) * 1000)
    assert r.status_code == 200
times.sort()
q = lambda p: times[min(len(times) - 1, int(round(p / 100 * len(times))) - 1)]
today = __import__("django.utils.timezone", fromlist=["x"]).localdate()
print("RESULT " + json.dumps({
    "community": community.name,
    "cases_in_district": Case.objects.filter(district=community.district_id).count(),
    "cases_in_community": Case.objects.filter(community=community).count(),
    "overdue_now": Case.objects.filter(
        community=community, status__in=[CaseState.ACCEPTED, CaseState.IN_PROGRESS],
        due_date__lt=today).count(),
    "queries": queries,
    "bytes": len(response.content),
    "requests": requests,
    "p50_ms": round(q(50), 2), "p95_ms": round(q(95), 2), "p99_ms": round(q(99), 2),
    "mean_ms": round(statistics.mean(times), 2), "max_ms": round(times[-1], 2),
}, ensure_ascii=False))
"""


def measure(env: dict[str, str], warmup: int, requests: int) -> dict:
    env = env | {"DJANGO_SETTINGS_MODULE": "shequ.settings"}
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = str(root / "src")
    out = subprocess.run(
        [str(root / ".venv" / "bin" / "python"), "-c", MEASURE, str(warmup), str(requests)],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(out.stdout + out.stderr)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (no database)")
    parser.add_argument(
        "--scale", action="append", choices=("small", "district"), help="default: both"
    )
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-generate", action="store_true", help="use the databases as they are")
    parser.add_argument("--drop", action="store_true", help="drop the databases afterwards")
    args = parser.parse_args()
    results = {}
    for scale in args.scale or ["small", "district"]:
        env = bench_env(args.pg, scale) if args.no_generate else prepare(args.pg, scale)
        r = results[scale] = measure(env, args.warmup, args.requests)
        print(
            f"{scale:9} {r['cases_in_district']:>9,} cases ({r['cases_in_community']:,} in "
            f"{r['community']}, {r['overdue_now']} overdue now): {r['queries']} queries · "
            f"p50 {r['p50_ms']} ms · p95 {r['p95_ms']} ms · p99 {r['p99_ms']} ms "
            f"({r['requests']} requests after {args.warmup} warm-up)",
            flush=True,
        )
        if args.drop:
            drop(args.pg, scale)
    if len(results) == 2:
        same = results["small"]["queries"] == results["district"]["queries"]
        print("query count equal at both scales:", "yes" if same else "NO")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"case-pages-{stamp}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
