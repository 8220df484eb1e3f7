"""Latency of the department scorecard and of triage duplicate suggestions
(issue 4), in-process on PostgreSQL:

- ``/whistles/scorecard/?month=<last full month>`` as the district admin
  (``bench-210399-admin1``) through Django's test client: query count, then
  ``--warmup`` unmeasured and ``--requests`` timed views (p50/p95/p99);
- ``appeals.selectors.duplicate_candidates(appeal)`` for ``--appeals`` random
  open appeals (p50/p95/max, candidates found).

    .venv/bin/python bench/whistle_pages.py                       # district scale
    .venv/bin/python bench/whistle_pages.py --scale small --no-generate

Uses the benchmark database of ``bench/case_intake.py`` (``shequ_bench_<scale>``,
generated on first use and kept).
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

from case_intake import DEFAULT_PG, RESULTS, bench_env, prepare  # noqa: E402

MEASURE = r"""
import datetime as dt, json, random, statistics, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from shequ.appeals.models import OPEN_STATES, Appeal
from shequ.appeals.selectors import duplicate_candidates
from shequ.core.models import User
from shequ.whistles.models import Whistle

warmup, requests, n_appeals = (int(x) for x in sys.argv[1:4])
admin = User.objects.get(username="bench-210399-admin1")
first = timezone.localdate().replace(day=1)
month = (first - dt.timedelta(days=1)).strftime("%Y-%m")
client = Client()
client.force_login(admin)
url = f"/whistles/scorecard/?month={month}"
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

def pct(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(p / 100 * len(values))) - 1)], 2)

ids = list(Appeal.objects.filter(district__code="210399", status__in=OPEN_STATES)
           .values_list("id", flat=True))
random.Random(4).shuffle(ids)
ids = ids[:n_appeals]
dup_times, found = [], 0
for pk in ids[:10]:  # warm-up
    duplicate_candidates(Appeal.objects.get(pk=pk))
for pk in ids:
    appeal = Appeal.objects.get(pk=pk)
    t = time.perf_counter()
    candidates = duplicate_candidates(appeal)
    dup_times.append((time.perf_counter() - t) * 1000)
    found += bool(candidates)
with CaptureQueriesContext(connection) as ctx:
    duplicate_candidates(Appeal.objects.get(pk=ids[0]))
in_month = Whistle.objects.filter(district__code="210399", addressed_at__year=int(month[:4]),
                                  addressed_at__month=int(month[5:]))
print("RESULT " + json.dumps({
    "month": month,
    "appeals_in_district": Appeal.objects.filter(district__code="210399").count(),
    "whistles_in_district": Whistle.objects.filter(district__code="210399").count(),
    "whistles_in_month": in_month.count(),
    "scorecard": {
        "queries": queries, "bytes": len(response.content), "requests": requests,
        "p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "p99_ms": pct(times, 99),
        "mean_ms": round(statistics.mean(times), 2), "max_ms": round(max(times), 2),
    },
    "duplicates": {
        "appeals": len(ids), "open_in_district": Appeal.objects.filter(
            district__code="210399", status__in=OPEN_STATES).count(),
        "with_candidates": found, "queries": len(ctx.captured_queries),
        "p50_ms": pct(dup_times, 50), "p95_ms": pct(dup_times, 95),
        "max_ms": round(max(dup_times), 2),
    },
}, ensure_ascii=False))
"""


def measure(env: dict[str, str], warmup: int, requests: int, appeals: int) -> dict:
    env = env | {"DJANGO_SETTINGS_MODULE": "shequ.settings"}
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = str(root / "src")
    out = subprocess.run(
        [
            str(root / ".venv" / "bin" / "python"),
            "-c",
            MEASURE,
            str(warmup),
            str(requests),
            str(appeals),
        ],
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
    parser.add_argument("--scale", default="district", choices=("small", "district"))
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--appeals", type=int, default=200, help="open appeals for duplicates")
    parser.add_argument("--no-generate", action="store_true", help="use the database as it is")
    args = parser.parse_args()
    env = bench_env(args.pg, args.scale) if args.no_generate else prepare(args.pg, args.scale)
    r = measure(env, args.warmup, args.requests, args.appeals)
    s, d = r["scorecard"], r["duplicates"]
    print(
        f"{args.scale}: {r['appeals_in_district']:,} appeals, {r['whistles_in_district']:,} "
        f"whistles ({r['whistles_in_month']:,} addressed in {r['month']})\n"
        f"scorecard {r['month']}: {s['queries']} queries · p50 {s['p50_ms']} ms · "
        f"p95 {s['p95_ms']} ms · p99 {s['p99_ms']} ms ({s['requests']} requests after "
        f"{args.warmup} warm-up)\n"
        f"duplicate suggestions: {d['appeals']} of {d['open_in_district']:,} open appeals, "
        f"{d['with_candidates']} with candidates, {d['queries']} queries · p50 {d['p50_ms']} ms · "
        f"p95 {d['p95_ms']} ms · max {d['max_ms']} ms",
        flush=True,
    )
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"whistle-pages-{args.scale}-{stamp}.json").write_text(
        json.dumps(r, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
