"""Deliberation at district scale (issue 10), on PostgreSQL:

1. **Vote cast**: ``POST /api/deliberation/agenda/{id}/ballots`` against gunicorn,
   driven by ``wrk`` (C, loopback). Every request is a different resident's
   ballot (its own API token) on one of the open agenda topics of an online
   consultation in the district's largest compound, so none is refused as a
   second vote. Target: ≥ 300 requests/s with p99 < 80 ms.
2. **Figures page**: ``/deliberation/figures/`` (the whole district, this year)
   as the district admin through Django's test client,
   ``--requests`` timed views (p50/p95/p99). Target: p95 < 100 ms.
3. **Vote result of a 2,000-household compound**: ``tally_of`` + ``rules.decide``
   of the open owners' vote (民法典第278条, by household and floor area) with
   most households' ballots in (p50/max). Target: < 200 ms.

    .venv/bin/python bench/deliberation.py                          # district scale
    .venv/bin/python bench/deliberation.py --scale small --duration 10
    .venv/bin/python bench/deliberation.py --database shequ_delib_x  # an existing database

The benchmark database is ``bench/case_intake.py``'s (``shequ_bench_<scale>``,
generated on first use and kept). The voters (resident accounts with a
token), the online consultation and the owners' ballots are written here the
first time as bench fixtures and reused; a run's ballots are deleted before
the next, so runs compare.
"""

# ruff: noqa: S603, S607, S608 - a benchmark script running local tools on fixed names
from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_intake import (  # noqa: E402
    DEFAULT_PG,
    RESULTS,
    bench_env,
    django_setup,
    load_run,
    lua_result,
    prepare,
)

VOTERS = 1000
OWNERS_HOUSEHOLDS = 2000  # the issue's compound
BENCH_TITLE = "压测线上协商"

LUA = r"""
-- One (voter, agenda topic) pair per request, never the same twice: the
-- counter walks the voters, then the next topic. It starts at 1,000 per
-- second since the script was written, so the warm-up run and the measured
-- run (two wrk processes, 3 s apart, each under 1,000 requests/s) never meet.
local tokens = {TOKENS}
local items = {ITEMS}
counter, status_ok, status_other = (os.time() - STARTED) * 1000, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

request = function()
  local n = counter
  counter = counter + 1
  local voter = n % #tokens + 1
  local item = math.floor(n / #tokens) % #items + 1
  return wrk.format("POST", "/api/deliberation/agenda/" .. items[item] .. "/ballots",
    {["Authorization"] = "Bearer " .. tokens[voter], ["Content-Type"] = "application/json"},
    '{"choice": "yes"}')
end
"""


def _percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)

    def at(p: float) -> float:
        return round(times[min(len(times) - 1, math.ceil(p * len(times)) - 1)] * 1000, 1)

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


def largest_compound():
    from django.db.models import Count

    from shequ.core.models import Region, RegionLevel
    from shequ.residents.models import Household

    row = (
        Household.objects.filter(building__district__code="210399")
        .values("building__compound_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    compound = Region.objects.get(pk=row["building__compound_id"], level=RegionLevel.COMPOUND)
    return compound, row["n"]


def voters(compound, n: int) -> list[str]:
    """``n`` residents of the compound with an account, a resident grant and an
    API token (raw values kept in bench/results, gitignored)."""
    from shequ.core.api_auth import token_issue
    from shequ.core.models import Grant, User
    from shequ.core.permissions import Role
    from shequ.residents.models import Resident

    store = RESULTS / f"voters-{compound.code}.json"
    if store.exists():
        saved = json.loads(store.read_text())
        if len(saved) >= n:
            return saved[:n]
    community_id = compound.community_id
    rows = list(Resident.objects.filter(household__building__compound=compound).order_by("pk")[:n])
    raws = []
    for r in rows:
        user, _ = User.objects.get_or_create(username=f"bench-voter-{r.pk}")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Grant.objects.get_or_create(user=user, role=Role.RESIDENT, region_id=community_id)
        if r.user_id != user.pk:
            Resident.objects.filter(pk=r.pk).update(user=user)
        _token, raw = token_issue(user=user, name="bench/deliberation.py")
        raws.append(raw)
    RESULTS.mkdir(exist_ok=True)
    store.write_text(json.dumps(raws))
    return raws


def online_items(compound, count: int) -> list[int]:
    """Open agenda topics of an online consultation in the compound (a bench
    fixture written as rows: the notice period is not what is measured)."""
    import datetime as dt

    from django.utils import timezone

    from shequ.core.models import Region
    from shequ.core.numbering import receipt_next
    from shequ.deliberation.models import (
        AgendaItem,
        Ballot,
        ConsultationAdoption,
        Meeting,
        MeetingState,
        Topic,
        TopicState,
        VoteState,
    )

    community = Region.objects.get(pk=compound.community_id)
    now = timezone.now()
    meeting = Meeting.objects.filter(compound=compound, title=BENCH_TITLE).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            district_id=community.district_id, community=community, compound=compound,
            number=receipt_next(community=community), form="online", title=BENCH_TITLE,
            starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=365),
            notice_days=3, noticed_at=now - dt.timedelta(days=5), status=MeetingState.IN_SESSION,
            opened_at=now - dt.timedelta(days=1),
        )  # fmt: skip
    adoption = (
        ConsultationAdoption.objects.filter(community=community, active=True, item__community__isnull=True)
        .select_related("item__current_version")
        .order_by("item__code")
        .first()
    )  # fmt: skip
    have = list(meeting.agenda.order_by("order"))
    for order in range(len(have) + 1, count + 1):
        version = adoption.item.current_version
        topic = Topic.objects.create(
            district_id=community.district_id, community=community, compound=compound,
            number=receipt_next(community=community), item=adoption.item, item_version=version,
            category=version.category, title=f"压测议题{order}", description="压测", proposer_kind="community",
            status=TopicState.SCHEDULED, proposed_at=now,
        )  # fmt: skip
        have.append(AgendaItem.objects.create(
            meeting=meeting, topic=topic, district_id=community.district_id, community=community,
            order=order, rule="majority", vote_state=VoteState.OPEN, opened_at=now,
            closes_at=now + dt.timedelta(days=365),
        ))  # fmt: skip
    ids = [i.pk for i in have[:count]]
    AgendaItem.objects.filter(pk__in=ids).update(
        vote_state=VoteState.OPEN, closes_at=now + dt.timedelta(days=365)
    )
    Ballot.objects.filter(item_id__in=ids).delete()
    return ids


def grow(compound, households: int, target: int) -> int:
    """Bring the compound to ``target`` households (rooms ``B0001``… spread
    over its units, with floor areas): the generated district's largest
    compound is smaller than the 2,000 households the issue names. A bench
    fixture: the register's rollups do not count them."""
    import random
    from decimal import Decimal

    from shequ.core.models import Region, RegionLevel
    from shequ.residents.models import Household

    if households >= target:
        return households
    units = list(Region.objects.filter(compound=compound, level=RegionLevel.UNIT).order_by("pk"))
    rng = random.Random(7)
    Household.objects.bulk_create(
        (
            Household(district_id=u.district_id, community_id=u.community_id, building_id=u.building_id,
                      unit=u, room=f"B{n:04d}", floor_area=Decimal(rng.randrange(4500, 14000)) / 100)
            for n in range(target - households)
            for u in [units[n % len(units)]]
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )  # fmt: skip
    return Household.objects.filter(building__compound=compound).count()


def owners_result(compound, households: int, repeats: int) -> dict:
    """The open owners' vote of the compound, with ballots of 80 % of its
    households (written once), counted and decided ``repeats`` times."""
    import random
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shequ.deliberation.models import OWNER_RULES, AgendaItem, Ballot, VoteState
    from shequ.deliberation.rules import decide
    from shequ.deliberation.services.meetings import tally_of
    from shequ.residents.models import Household

    item = (
        AgendaItem.objects.filter(topic__compound=compound, rule__in=OWNER_RULES, vote_state=VoteState.OPEN)
        .select_related("meeting", "topic")
        .first()
    )  # fmt: skip
    if item is None:
        return {"skipped": "no open owners' vote in the largest compound"}
    Household.objects.filter(building__compound=compound, floor_area__isnull=True).update(
        floor_area=Decimal("88.00")
    )
    households = grow(compound, households, OWNERS_HOUSEHOLDS)
    cast = Ballot.objects.filter(item=item).count()
    wanted = int(households * 0.8)
    if cast < wanted:
        voted = set(Ballot.objects.filter(item=item).values_list("household_id", flat=True))
        rows = Household.objects.filter(building__compound=compound).exclude(pk__in=voted)
        rng = random.Random(10)
        now = timezone.now()
        Ballot.objects.bulk_create(
            (
                Ballot(item=item, district_id=item.district_id, community_id=item.community_id,
                       household_id=h.pk, area=h.floor_area, at=now,
                       choice="" if item.secret else rng.choice(["yes", "yes", "yes", "no", "abstain"]))
                for h in rows.only("pk", "floor_area")[: wanted - cast]
            ),
            batch_size=2000,
        )  # fmt: skip
    times = []
    with CaptureQueriesContext(connection) as ctx:
        tally_of(item)
    for _ in range(repeats):
        started = time.perf_counter()
        verdict = decide(item.rule, tally_of(item))
        times.append(time.perf_counter() - started)
    return {
        "households": households,
        "ballots": Ballot.objects.filter(item=item).count(),
        "rule": item.rule,
        "secret": item.secret,
        "queries": len(ctx.captured_queries),
        "passed": verdict.passed,
        **_percentiles(times),
        "mean_ms": round(statistics.mean(times) * 1000, 1),
    }


def figures_page(requests: int) -> dict:
    import datetime as dt

    from django.test import Client

    from shequ.core.models import User

    admin = User.objects.get(username="bench-210399-admin1")
    client = Client()
    client.force_login(admin)
    url = "/deliberation/figures/"
    response = client.get(url)
    assert response.status_code == 200, response.status_code  # noqa: S101
    from shequ.core.scope import Actor
    from shequ.core.workdays import local_today
    from shequ.deliberation.selectors import figures

    actor = Actor.for_user(admin)
    today = local_today()
    total = figures(
        actor=actor, region=actor.region, start=dt.date(today.year, 1, 1), end=today
    ).total
    for _ in range(5):
        client.get(url)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return {"topics": total["raised"],
            "meetings": total["meetings"], **_percentiles(times)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (no database)")
    parser.add_argument("--scale", default="district", choices=("small", "district"))
    parser.add_argument("--database", help="an existing, generated database to use instead")
    parser.add_argument("--duration", type=int, default=20, help="seconds of vote-cast load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--requests", type=int, default=100, help="timed figures pages")
    parser.add_argument("--repeats", type=int, default=20, help="timed vote results")
    args = parser.parse_args()
    if args.wrk_threads != 1:
        raise SystemExit("--wrk-threads must be 1: the Lua counter keeps every ballot unique")
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    if args.database:
        env = bench_env(args.pg, args.scale) | {"DATABASE_URL": f"{args.pg}/{args.database}"}
    else:
        env = prepare(args.pg, args.scale)
    django_setup(env)
    from django.db import connection

    compound, households = largest_compound()
    print(f"== {compound.name}: {households:,} households", flush=True)
    result: dict = {"scale": args.scale, "compound": compound.name, "households": households}
    result["vote_result"] = owners_result(compound, households, args.repeats)
    result["households"] = result["vote_result"].get("households", households)
    print(f"vote result: {result['vote_result']}", flush=True)
    result["figures"] = figures_page(args.requests)
    print(f"figures page: {result['figures']}", flush=True)

    tokens = voters(compound, VOTERS)
    # The Lua counter's range over the warm-up, the gap and the run, at its
    # 1,000 per second: every pair in it must be a fresh (voter, topic).
    needed = (args.duration + 20) * 1000
    items = online_items(compound, max(1, math.ceil(needed / len(tokens))))
    lua = (
        LUA.replace("{TOKENS}", "{" + ",".join(f'"{t}"' for t in tokens) + "}")
        .replace("{ITEMS}", "{" + ",".join(str(i) for i in items) + "}")
        .replace("STARTED", str(int(time.time())))
    ) + lua_result("status == 201")
    connection.close()
    print(f"== vote cast: {len(tokens)} voters × {len(items)} open topics", flush=True)
    url = f"http://127.0.0.1:{args.port}/api/deliberation/agenda/{items[0]}/ballots"
    result["vote_cast"] = load_run(env, args, url, lua, {}, ok_status=201)
    for line in result["vote_cast"]["sample_errors"]:
        print("  " + line)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (RESULTS / f"deliberation-{args.scale}-{stamp}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
