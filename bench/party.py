"""党建引领 at district scale (issue 11), in-process on PostgreSQL through
Django's test client (``force_login``), like ``bench/deliberation.py``'s
figures page:

1. **Member list of one community**: ``/party/members/`` (the active
   members, 50 a page) as the community secretary ``bench-<community>-s1``
   (the party roles read the register; 一肩挑), page 1, a later page and a
   filtered one (预备党员). Target: p95 < 50 ms, and the query count the same
   on every page, for any number of rows: it is compared with a filter that
   matches no member (and, run on both, between the scales).
2. **The figures page**: ``/party/`` as the district administrator
   ``bench-210399-admin1`` (the district: its six streets) and as a street
   officer of the first community's street (``bench-<street code>-so1``, made
   by the script once with an unusable password; its grant is taken back at
   the end). Target: p95 < 100 ms.

Per page: the query count of one view after a first one, ``--warmup``
unmeasured and ``--requests`` timed views (p50/p95/p99/max), then
``--sql-requests`` views with every statement timed
(``connection.execute_wrapper``; the median per statement) and
``EXPLAIN (ANALYZE, BUFFERS)`` of the ``--explain`` slowest.

    .venv/bin/python bench/party.py                                # district scale, shequ_bench_district
    .venv/bin/python bench/party.py --database shequ_bench_party   # an existing, generated database
    .venv/bin/python bench/party.py --scale small --requests 50

The benchmark database is ``bench/case_intake.py``'s (``shequ_bench_<scale>``,
generated on first use and kept) unless ``--database`` names one. The script
runs ``ANALYZE`` first (``--no-analyze`` skips it): on a server without
autovacuum the planner would guess at tables the generator did not analyze.
JSON in ``bench/results/party-<scale>-<stamp>.json``.
"""

# ruff: noqa: S608 - a benchmark script on fixed names
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_intake import DEFAULT_PG, RESULTS, bench_env, django_setup, prepare  # noqa: E402

MEMBERS_P95_MS = 50
FIGURES_P95_MS = 100


def _percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)

    def at(p: float) -> float:
        return round(times[min(len(times) - 1, math.ceil(p * len(times)) - 1)], 2)

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": round(times[-1], 2),
            "mean_ms": round(statistics.mean(times), 2)}  # fmt: skip


class Statements:
    """Every statement of a view with its time (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001 - Django's signature
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((sql, params, (time.perf_counter() - started) * 1000))


def _explain(sql: str, params: object) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [r[0] for r in cur.fetchall()]


def time_page(user, url: str, args: argparse.Namespace) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code, first.content[:300])  # noqa: S101
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx.captured_queries)
    for _ in range(args.warmup):
        client.get(url)
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    runs = []
    for _ in range(args.sql_requests):
        wrapper = Statements()
        with connection.execute_wrapper(wrapper):
            client.get(url)
        runs.append(wrapper.rows)
    statements = []
    if runs and all(len(r) == len(runs[0]) for r in runs):
        for i, (sql, params, _ms) in enumerate(runs[0]):
            statements.append({"sql": sql, "params": params,
                               "ms": round(statistics.median(r[i][2] for r in runs), 3)})  # fmt: skip
    sql_ms = round(sum(s["ms"] for s in statements), 2)
    statements.sort(key=lambda s: -s["ms"])
    for s in statements[: args.explain]:
        if s["sql"].lstrip().upper().startswith("SELECT"):
            s["plan"] = _explain(s["sql"], s["params"])
    return {"url": url, "queries": queries, "bytes": len(response.content), **_percentiles(times),
            "sql_ms": sql_ms, "statements": statements}  # fmt: skip


def _say(label: str, r: dict) -> None:
    rows = f", {r['rows']} rows" if r.get("rows") is not None else ""
    print(f"  {label}: {r['queries']} queries{rows}, p50 {r['p50_ms']} / p95 {r['p95_ms']} / "
          f"p99 {r['p99_ms']} / max {r['max_ms']} ms (SQL {r['sql_ms']} ms)", flush=True)  # fmt: skip
    for s in r["statements"][:3]:
        print(f"      {s['ms']:7.2f} ms  {s['sql'][:150]}")
        for line in s.get("plan", []):
            if any(
                word in line for word in ("Scan", "Join", "Nested Loop", "Execution Time", "Sort")
            ):
                print(f"                 {line.strip()[:150]}")


def measure(args: argparse.Namespace) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from shequ.core.models import Grant, Region, RegionLevel, User
    from shequ.core.permissions import Role
    from shequ.party.models import MemberStatus, PartyMember, PartyOrg, StationMonth

    analyzed = None
    if args.analyze:
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        analyzed = round(time.perf_counter() - started, 1)
    district = Region.objects.get(code="210399", level=RegionLevel.DISTRICT)
    community = Region.objects.filter(district=district, level=RegionLevel.COMMUNITY).order_by(
        "code"
    )[0]
    street = Region.objects.get(pk=community.street_id)
    secretary = User.objects.get(username=f"bench-{community.code}-s1")
    admin = User.objects.get(username="bench-210399-admin1")
    officer = User.objects.filter(username=f"bench-{street.code}-so1").first()
    if officer is None:
        officer = User.objects.create(username=f"bench-{street.code}-so1", full_name=f"{street.name}干部",
                                      password=make_password(None))  # fmt: skip
    grant, made = Grant.objects.get_or_create(user=officer, role=Role.STREET_OFFICER, region=street)
    members = PartyMember.objects.filter(community=community, status=MemberStatus.ACTIVE)
    result = {
        "analyze_s": analyzed,
        "community": community.name,
        "community_members": members.count(),
        "district_members": PartyMember.objects.filter(district=district).count(),
        "district_orgs": PartyOrg.objects.filter(district=district).count(),
        "station_months": StationMonth.objects.filter(district=district).count(),
    }
    pages = members.count() // 50 + 1
    try:
        print(
            f"== member list: {community.name}, {result['community_members']} members", flush=True
        )
        n, probationary = members.count(), members.filter(standing="probationary").count()
        # (label, url, rows the page lists)
        views = [("page 1", "/party/members/", min(50, n))]
        if pages > 2:
            mid = pages // 2 + 1
            views.append(
                (f"page {mid}", f"/party/members/?page={mid}", min(50, n - 50 * (mid - 1)))
            )
        views += [("预备党员", "/party/members/?standing=probationary", min(50, probationary)),
                  ("no match", "/party/members/?q=无此人", 0)]  # fmt: skip
        for label, url, rows in views:
            result[f"members {label}"] = r = time_page(secretary, url, args) | {"rows": rows}
            _say(label, r)
        print("== figures page /party/", flush=True)
        for label, user in (("district admin", admin), ("street officer", officer)):
            result[f"figures {label}"] = r = time_page(user, "/party/", args)
            _say(label, r)
    finally:
        if made:
            grant.delete()
    # The pages that list rows run the same statements, however many rows
    # the community has; a page with nothing to list skips its own query.
    views = [result[k] for k in result if k.startswith("members ")]
    listing = {v["queries"] for v in views if v["rows"]}
    empty = {v["queries"] for v in views if not v["rows"]}
    result["members_queries_flat"] = len(listing) == 1 and all(n <= min(listing) for n in empty)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (no database)")
    parser.add_argument("--scale", default="district", choices=("small", "district"))
    parser.add_argument("--database", help="an existing, generated database to use instead")
    parser.add_argument(
        "--var-dir", help="the SHEQU_VAR_DIR (keys) that database was generated with"
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--sql-requests", type=int, default=5)
    parser.add_argument("--explain", type=int, default=2)
    parser.add_argument("--no-analyze", dest="analyze", action="store_false")
    args = parser.parse_args()
    if args.database:
        env = bench_env(args.pg, args.scale) | {"DATABASE_URL": f"{args.pg}/{args.database}"}
    else:
        env = prepare(args.pg, args.scale)
    if args.var_dir:
        env["SHEQU_VAR_DIR"] = args.var_dir
    django_setup(env)
    result = {
        "scale": args.scale,
        "database": env["DATABASE_URL"].rsplit("/", 1)[1],
        **measure(args),
    }
    verdicts = {
        "members p95 < 50 ms": all(result[k]["p95_ms"] < MEMBERS_P95_MS for k in result if k.startswith("members ")
                                   and isinstance(result[k], dict)),
        "members query count flat": result["members_queries_flat"],
        "figures p95 < 100 ms": all(result[k]["p95_ms"] < FIGURES_P95_MS for k in result if k.startswith("figures ")),
    }  # fmt: skip
    result["verdicts"] = verdicts
    for name, ok in verdicts.items():
        print(f"{'MET ' if ok else 'MISSED'}  {name}")
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (RESULTS / f"party-{args.scale}-{stamp}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
