"""Latency and query count of the workbench (工作台, issue 9): the home page
``/`` of every staff role and the notification bell's count, in-process on
PostgreSQL through Django's test client.

    .venv/bin/python bench/workbench.py                      # small and district scale
    .venv/bin/python bench/workbench.py --scale district --no-generate --requests 500
    .venv/bin/python bench/workbench.py --scale small --no-generate --sql

Uses the benchmark databases of ``bench/case_intake.py`` (``shequ_bench_<scale>``,
created and generated on first use, kept afterwards; keys in
``bench/results/var-<scale>/``). Per scale, after an ``ANALYZE`` of the
database (``--no-analyze`` skips it; the generator analyzes only the tables
it loads, and a server without autovacuum has no statistics for the rest):

1. ``GET /`` logged in (``force_login``) as each staff role with a workbench:
   the community worker ``bench-<first community>-w1`` and secretary ``-s1``,
   a street officer of that community's street and the district admin
   ``bench-210399-admin1``, and a department liaison of the department that
   leads the most open whistles. The generator makes no street officer or
   liaison, so the run grants them to its own accounts ``bench-<street
   code>-so1`` and ``bench-210399-dl1`` (made once, unusable passwords) and
   takes the grants and the ``Liaison`` row back at the end. Per role: the
   query count of one view after a first one, then ``--warmup`` unmeasured
   and ``--requests`` timed views (p50/p95/max); the statements of
   ``--sql-requests`` more views timed one by one (``EXPLAIN ANALYZE`` of
   the ``--explain`` slowest), and each part of the page — every to-do
   provider of ``core.registry.TODO_PROVIDERS`` (lines, items, overdue per
   community), announcements, the bell, the figures — timed on its own.
2. ``core.workbench.unread_count(actor=...)``, the bell of every page (the
   ``shell`` context processor): ``--notifications`` (5,000) notifications
   to the worker and ``--others`` (20,000) to the district's other community
   staff, written through ``core.services.notifications.notify``, spread over
   180 days with ``--unread`` (20 %) left unread (kinds ``bench.*``); then
   ``--calls`` timed counts, the statement and its ``EXPLAIN ANALYZE``, and
   the worker's page once more with that load. The notifications are deleted
   at the end (leftovers of an interrupted run at the start).

Targets (issue 9, district scale): every workbench p95 < 80 ms with a query
count that does not grow with the data; the notification count < 5 ms. The
script prints a verdict per target and, with both scales, compares the query
counts (naming any statement only one scale ran). JSON in ``bench/results/``.
Two runs on one database wait for each other (a PostgreSQL advisory lock).
"""

# ruff: noqa: S603, S607
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_intake import DEFAULT_PG, RESULTS, bench_env, prepare  # noqa: E402

WORKBENCH_P95_MS = 80
COUNT_P95_MS = 5
# The plan lines printed under a slow statement (all of them are in the JSON).
PLAN_NODES = ("Scan", "Join", "Nested Loop", "Execution Time", "JIT:")

MEASURE = r"""
import datetime as dt, json, random, statistics, sys, time
import django
django.setup()
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from shequ.appeals.models import Appeal
from shequ.core import registry, selectors, workbench
from shequ.core.models import Grant, Notification, Region, RegionLevel, User
from shequ.core.models.workbench import NotificationLevel
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify
from shequ.desk.models import Case
from shequ.whistles.models import Department, Liaison, Whistle, WhistleState

(warmup, requests, sql_requests, n_explain, calls, n_notes, n_others, analyze) = (
    int(x) for x in sys.argv[1:9])
unread_share = float(sys.argv[9])
OPEN = [WhistleState.RAISED, WhistleState.REPORTED, WhistleState.HANDLING, WhistleState.DISPUTED]
MARK = "bench/workbench.py"

def pct(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(p / 100 * len(values))) - 1)], 2)

def stats(times):
    return {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "max_ms": round(max(times), 2),
            "mean_ms": round(statistics.mean(times), 2)}

analyze_s = None
if analyze:  # planner statistics for every table (this server may run without autovacuum)
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    analyze_s = round(time.perf_counter() - t, 1)
district = Region.objects.get(code="210399", level=RegionLevel.DISTRICT)
community = Region.objects.filter(
    district=district, level=RegionLevel.COMMUNITY).order_by("code")[0]
street = Region.objects.get(pk=community.street_id)

# -- the accounts --------------------------------------------------------------------------
added_grants, added_liaisons = [], []

def account(username, full_name):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, full_name=full_name,
                                   password=make_password(None))
    return user

def grant(user, role, region):
    row, created = Grant.objects.get_or_create(user=user, role=role, region=region)
    added_grants.append(row.pk)  # also one left by an interrupted run
    return row

department = (
    Department.objects.filter(district=district)
    .annotate(open=Count("led_whistles", filter=Q(led_whistles__status__in=OPEN), distinct=True),
              total=Count("led_whistles", distinct=True))
    .order_by("-open", "-total", "pk").first()
)
officer = account(f"bench-{street.code}-so1", f"{street.name}街道干部")
grant(officer, Role.STREET_OFFICER, street)
liaison = account(f"bench-{district.code}-dl1", f"{department.name}联络员")
grant(liaison, Role.DEPARTMENT_LIAISON, district)
row, _ = Liaison.objects.get_or_create(user=liaison, district=district, department=department)
added_liaisons.append(row.pk)
users = {
    "community_worker": User.objects.get(username=f"bench-{community.code}-w1"),
    "community_secretary": User.objects.get(username=f"bench-{community.code}-s1"),
    "street_officer": officer,
    "district_admin": User.objects.get(username=f"bench-{district.code}-admin1"),
    "department_liaison": liaison,
}

def vacuum_notifications():
    # Deleted rows leave dead index entries behind (this server may run
    # without autovacuum): clear them, so that every run starts the same.
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {Notification._meta.db_table}")

# Leftovers of an interrupted run.
Notification.objects.filter(district=district, kind__startswith="bench.").delete()
vacuum_notifications()

# -- timing helpers ------------------------------------------------------------------------

class Statements:
    # Each statement of the wrapped code, with its own wall time.
    def __init__(self):
        self.rows = []
    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((sql, params, (time.perf_counter() - t) * 1000))

def explain(sql, params):
    # The plan's scan and join nodes and its totals (EXPLAIN ANALYZE, BUFFERS).
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [r[0] for r in cur.fetchall()]

def time_page(user, url="/"):
    client = Client()
    client.force_login(user)
    first = client.get(url)
    assert first.status_code == 200, (first.status_code, first.content[:500])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (response.status_code, response.content[:500])
    queries = len(ctx.captured_queries)  # now: the next request empties the log
    for _ in range(warmup):
        client.get(url)
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    # The statements of a few more views, each timed; the median per position.
    runs = []
    for _ in range(sql_requests):
        wrapper = Statements()
        with connection.execute_wrapper(wrapper):
            client.get(url)
        runs.append(wrapper.rows)
    statements = []
    if runs and all(len(r) == len(runs[0]) for r in runs):
        for i, (sql, params, _ms) in enumerate(runs[0]):
            statements.append({"sql": sql, "params": params,
                               "ms": round(statistics.median(r[i][2] for r in runs), 3)})
    sql_ms = round(sum(s["ms"] for s in statements), 2)
    statements.sort(key=lambda s: -s["ms"])
    for s in statements[:n_explain]:
        if s["sql"].lstrip().upper().startswith("SELECT"):
            s["plan"] = explain(s["sql"], s["params"])
    return {"queries": queries, "requests": requests, "bytes": len(response.content),
            **stats(times), "sql_ms": sql_ms, "statements": statements}

def time_call(fn, n=20):
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 3)

def parts(actor):
    # The workbench's parts one by one: each provider's lines, items and
    # per-community overdue counts, the announcements, the bell, the figures.
    out = {}
    providers = registry.todo_providers(actor)
    upper = actor.region is not None and actor.region.level < RegionLevel.COMMUNITY
    for p in providers:
        out[f"{p.name}.provide"] = time_call(lambda: p.provide(actor))
        if p.items is not None:
            out[f"{p.name}.items"] = time_call(lambda: p.items(actor, workbench.ITEMS_PER_PROVIDER))
        if upper and p.overdue_by_community is not None:
            out[f"{p.name}.overdue_by_community"] = time_call(lambda: p.overdue_by_community(actor))
    out["announcements"] = time_call(lambda: list(workbench.announcement_list(actor=actor)[:5]))
    out["unread_list"] = time_call(
        lambda: list(workbench.notification_list(actor=actor, unread_only=True)[:5]))
    out["unread_count"] = time_call(lambda: workbench.unread_count(actor=actor))
    out["home_counts"] = time_call(lambda: selectors.home_counts(actor=actor))
    out["workbench_for"] = time_call(lambda: workbench.workbench_for(actor=actor))
    return out

def shape(actor):
    bench = workbench.workbench_for(actor=actor)
    return {"todo_lines": len(bench.todos), "todo_count": bench.todo_count,
            "alert_lines": len(bench.alerts),
            "alert_count": sum(a.todo.count for a in bench.alerts),
            "items": len(bench.items), "communities": len(bench.communities),
            "providers": [p.name for p in registry.todo_providers(actor)]}

result = {"district": district.name, "community": community.name, "street": street.name,
          "department": department.name, "analyze_seconds": analyze_s, "roles": {}}
notes = []
try:
    for role, user in users.items():
        actor = Actor.for_user(user)
        assert actor.role == role, (user.username, actor.role)
        r = time_page(user)
        r |= {"user": user.username, "scope": str(actor.region), **shape(actor), "parts": parts(actor)}
        result["roles"][role] = r

    # -- the notification load ----------------------------------------------------------------
    worker = users["community_worker"]
    actor = Actor.for_user(worker)
    rng = random.Random(9)
    case_ids = list(Case.objects.filter(community=community).order_by("-id")
                    .values_list("id", flat=True)[:500])
    appeal_ids = list(Appeal.objects.filter(community=community).order_by("-id")
                      .values_list("id", flat=True)[:500])
    whistle_ids = list(Whistle.objects.filter(community=community).order_by("-id")
                       .values_list("id", flat=True)[:200])
    system = Actor.for_command(MARK)
    kinds = [
        ("bench.case.reviewed", "services:case", case_ids, "desk.case", NotificationLevel.INFO),
        ("bench.appeal.assigned", "appeals:detail", appeal_ids, "appeals.appeal", NotificationLevel.WARNING),
        ("bench.whistle.resolved", "whistles:whistle", whistle_ids, "whistles.whistle", NotificationLevel.INFO),
    ]
    def subject_for(i):
        if i % 10 == 9:  # district-wide (an announcement, a district notice)
            return Subject(url="/", district_id=district.pk), "bench.district.notice", NotificationLevel.INFO
        kind, urlname, ids, label, level = rng.choice(kinds)
        pk = rng.choice(ids)
        subject = Subject(url=reverse(urlname, args=[pk]), district_id=district.pk,
                          community_id=community.pk, object_label=label, object_id=pk)
        return subject, kind, NotificationLevel.URGENT if rng.random() < 0.05 else level

    # The other staff of the district (every community's workers and secretary).
    staff = {}
    for region_id, user_id in Grant.objects.filter(
            region__district=district, region__level=RegionLevel.COMMUNITY,
            role__in=[Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY]).exclude(
            user=worker).values_list("region_id", "user_id"):
        staff.setdefault(region_id, []).append(user_id)
    t0 = time.perf_counter()
    with transaction.atomic():
        for i in range(n_notes):
            subject, kind, level = subject_for(i)
            notes += [n.pk for n in notify(actor=system, recipients=[worker.pk], subject=subject,
                                           kind=kind, title=f"基准通知 {i}", body=MARK, level=level,
                                           wechat=False)]
        others = 0
        while others < n_others and staff:
            region_id = rng.choice(sorted(staff))
            subject = Subject(url="/", district_id=district.pk, community_id=region_id)
            kind = rng.choice(kinds)[0]
            rows = notify(actor=system, recipients=staff[region_id], subject=subject, kind=kind,
                          title=f"基准通知 {others}", body=MARK, wechat=False)
            notes += [n.pk for n in rows]
            others += len(rows)
        # Spread over the last 180 days; all but ``unread_share`` of them read.
        now = timezone.now()
        rows = list(Notification.objects.filter(pk__in=notes).order_by("pk"))
        unread = set()
        for group in ([n.pk for n in rows if n.recipient_id == worker.pk],
                      [n.pk for n in rows if n.recipient_id != worker.pk]):
            unread.update(rng.sample(group, round(len(group) * unread_share)))
        for n in rows:
            n.created_at = now - dt.timedelta(seconds=rng.randrange(180 * 86400))
            n.read_at = (None if n.pk in unread
                         else n.created_at + dt.timedelta(hours=rng.randrange(1, 72)))
        Notification.objects.bulk_update(rows, ["created_at", "read_at"], batch_size=1000)
        mine = Notification.objects.filter(pk__in=notes, recipient=worker)
        n_mine, n_unread = mine.count(), mine.filter(read_at__isnull=True).count()
    load_s = time.perf_counter() - t0
    vacuum_notifications()  # what autovacuum does after such a load
    count = workbench.unread_count(actor=actor)
    for _ in range(20):
        workbench.unread_count(actor=actor)
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        workbench.unread_count(actor=actor)
        times.append((time.perf_counter() - t) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        workbench.unread_count(actor=actor)
    sql = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [r[0] for r in cur.fetchall()]
    result["count"] = {
        "user": worker.username, "notifications": n_mine, "unread": count,
        "unread_written": n_unread, "others": len(notes) - n_mine,
        "staff": sum(len(v) for v in staff.values()),
        "load_seconds": round(load_s, 1), "calls": calls,
        "queries": len(ctx.captured_queries), **stats(times), "sql": sql, "plan": plan,
        "table_rows": Notification.objects.count(),
        "uses_index": any("notification_unread" in line for line in plan),
    }
    r = time_page(worker)
    r |= {"user": worker.username, "notifications": n_mine, "unread": count}
    result["worker_with_notifications"] = r
finally:
    if notes:
        Notification.objects.filter(pk__in=notes).delete()
    Notification.objects.filter(district=district, kind__startswith="bench.").delete()
    # The two accounts are the script's own: nothing of theirs stays behind
    # (also what an interrupted run left).
    Liaison.objects.filter(Q(pk__in=added_liaisons) | Q(user=liaison)).delete()
    Grant.objects.filter(Q(pk__in=added_grants) | Q(user__in=[officer, liaison])).delete()
    vacuum_notifications()

result |= {
    "cases_in_district": Case.objects.filter(district=district).count(),
    "appeals_in_district": Appeal.objects.filter(district=district).count(),
    "whistles_in_district": Whistle.objects.filter(district=district).count(),
    "open_whistles_of_department": Whistle.objects.filter(
        lead_department=department, status__in=OPEN).count(),
}
print("RESULT " + json.dumps(result, ensure_ascii=False, default=str))
"""


@contextmanager
def one_run_at_a_time(database_url: str):
    """A session advisory lock on the benchmark database, held on a connection
    of its own for the whole run: two runs would delete each other's
    notifications and grants."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        key = "SELECT hashtext('bench/workbench.py')"
        if not conn.execute(f"SELECT pg_try_advisory_lock(({key}))").fetchone()[0]:
            print(f"waiting for another bench/workbench.py run on {database_url} …", flush=True)
            conn.execute(f"SELECT pg_advisory_lock(({key}))")
        yield


def measure(env: dict[str, str], args: argparse.Namespace) -> dict:
    env = env | {"DJANGO_SETTINGS_MODULE": "shequ.settings"}
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = str(root / "src")
    argv = [
        args.warmup,
        args.requests,
        args.sql_requests,
        args.explain,
        args.calls,
        args.notifications,
        args.others,
        int(not args.no_analyze),
    ]
    out = subprocess.run(
        [
            str(root / ".venv" / "bin" / "python"),
            "-c",
            MEASURE,
            *(str(x) for x in argv),
            str(args.unread),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(out.stdout + out.stderr)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _short(sql: str, width: int = 150) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def report(scale: str, r: dict, args: argparse.Namespace) -> None:
    print(
        f"== {scale}: {r['cases_in_district']:,} cases, {r['appeals_in_district']:,} appeals, "
        f"{r['whistles_in_district']:,} whistles in {r['district']}; community {r['community']}, "
        f"street {r['street']}, liaison of {r['department']} "
        f"({r['open_whistles_of_department']} open whistles it leads); load average before "
        f"{r['load_before']}",
        flush=True,
    )
    for role, p in r["roles"].items():
        print(
            f"  {role:20} {p['queries']:>3} queries · p50 {p['p50_ms']:6.2f} ms · p95 "
            f"{p['p95_ms']:6.2f} ms · max {p['max_ms']:6.2f} ms · SQL {p['sql_ms']:5.2f} ms  "
            f"[{p['todo_lines']} to-do lines ({p['todo_count']:,}), {p['alert_lines']} alerts "
            f"({p['alert_count']:,}), {p['items']} items, {p['communities']} communities]"
        )
        if args.sql or p["p95_ms"] >= WORKBENCH_P95_MS:
            parts = sorted(p["parts"].items(), key=lambda kv: -kv[1])
            print("      parts (median ms): " + ", ".join(f"{k} {v}" for k, v in parts[:6]))
            for s in p["statements"][:3]:
                print(f"      {s['ms']:7.2f} ms  {_short(s['sql'])}")
                for line in s.get("plan", []):
                    if any(k in line for k in PLAN_NODES):
                        print(f"                 | {_short(line.strip(), 130)}")
    w = r["worker_with_notifications"]
    print(
        f"  {'worker + notices':20} {w['queries']:>3} queries · p50 {w['p50_ms']:6.2f} ms · p95 "
        f"{w['p95_ms']:6.2f} ms · max {w['max_ms']:6.2f} ms  "
        f"[{w['notifications']:,} notifications, {w['unread']:,} unread]"
    )
    c = r["count"]
    print(
        f"  unread_count: {c['calls']} calls for {c['user']} ({c['notifications']:,} notifications, "
        f"{c['unread']:,} unread, and {c['others']:,} to {c['staff']} other staff, written in "
        f"{c['load_seconds']} s; {c['table_rows']:,} in the table): {c['queries']} query · "
        f"p50 {c['p50_ms']} ms · p95 {c['p95_ms']} ms · "
        f"max {c['max_ms']} ms",
        flush=True,
    )
    print(f"    {_short(c['sql'], 400)}")
    for line in c["plan"]:
        print(f"    | {line}")


def _differing(a: dict, b: dict) -> tuple[list[str], list[str]]:
    """The statements one page ran and the other did not (by their start)."""
    ca = Counter(_short(s["sql"], 120) for s in a["statements"])
    cb = Counter(_short(s["sql"], 120) for s in b["statements"])
    return sorted((ca - cb).elements()), sorted((cb - ca).elements())


def verdicts(results: dict[str, dict]) -> None:
    print("== verdicts")
    for scale, r in results.items():
        for role, p in r["roles"].items():
            ok = p["p95_ms"] < WORKBENCH_P95_MS
            print(
                f"{scale:9} workbench {role:20} p95 {p['p95_ms']:6.2f} ms < {WORKBENCH_P95_MS} ms: "
                f"{'met' if ok else 'MISSED'} ({p['queries']} queries)"
            )
        c = r["count"]
        ok = c["p95_ms"] < COUNT_P95_MS
        print(
            f"{scale:9} notification count p95 {c['p95_ms']} ms < {COUNT_P95_MS} ms: "
            f"{'met' if ok else 'MISSED'} ({c['unread']:,} unread of {c['notifications']:,}, "
            f"{'index notification_unread' if c['uses_index'] else 'NOT on notification_unread'})"
        )
    if len(results) == 2:
        small, district = results["small"]["roles"], results["district"]["roles"]
        pairs = {role: (small[role]["queries"], district[role]["queries"]) for role in small}
        same = all(a == b for a, b in pairs.values())
        print(
            "query count equal at both scales (small/district): "
            + ("yes" if same else "NO")
            + " ("
            + ", ".join(f"{role} {a}/{b}" for role, (a, b) in pairs.items())
            + ")"
        )
        for role in small:
            only_small, only_district = _differing(small[role], district[role])
            for sql in only_small:
                print(f"  {role}: only at small scale: {_short(sql, 120)}")
            for sql in only_district:
                print(f"  {role}: only at district scale: {_short(sql, 120)}")
    else:
        print(
            "query count at both scales: not compared (one scale measured; run without "
            "--scale, or with --scale small --scale district)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (no database)")
    parser.add_argument(
        "--scale", action="append", choices=("small", "district"), help="default: both"
    )
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="timed views per role")
    parser.add_argument("--sql-requests", type=int, default=5, help="views with statement timing")
    parser.add_argument(
        "--explain", type=int, default=2, help="slowest statements per role to EXPLAIN ANALYZE"
    )
    parser.add_argument("--calls", type=int, default=300, help="timed unread_count calls")
    parser.add_argument("--notifications", type=int, default=5000, help="written to the worker")
    parser.add_argument(
        "--others", type=int, default=20000, help="notifications to the district's other staff"
    )
    parser.add_argument("--unread", type=float, default=0.2, help="share left unread")
    parser.add_argument("--sql", action="store_true", help="print parts and slowest statements")
    parser.add_argument("--no-generate", action="store_true", help="use the databases as they are")
    parser.add_argument(
        "--no-analyze", action="store_true", help="do not ANALYZE the database before measuring"
    )
    args = parser.parse_args()
    results = {}
    for scale in args.scale or ["small", "district"]:
        env = bench_env(args.pg, scale) if args.no_generate else prepare(args.pg, scale)
        with one_run_at_a_time(env["DATABASE_URL"]):
            load = Path("/proc/loadavg").read_text().split()[:3]
            results[scale] = measure(env, args) | {"load_before": " ".join(load)}
        report(scale, results[scale], args)
    verdicts(results)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"workbench-{stamp}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
