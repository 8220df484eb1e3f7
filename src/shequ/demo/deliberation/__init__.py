"""The demo's 议事协商: the district's 协商目录 (eight categories, nineteen
items, version 1, adopted by every community; 站前社区 adds a local item)
and, in 站前社区, 利民社区 and 铁塔社区 (the communities with appeals), four
months of topics in every state, meetings (closed ones with sign-in, a
proxy, quorum, minutes and counted votes; one noticed for next week per
community; online consultations, 站前小区's open now), objections, and
outcomes with weighted tasks (done and rated, in progress, overdue,
shelved, not started).

Like the appeals and whistles (``governance.py``), everything is written as
final rows, without service calls (``load_demo`` writes its one
``demo.load`` audit record), with the timeline events the rows imply,
numbers from ``receipt_next`` and keywords from ``keywords_of``. Ballots are
counted by the services' own ``tally_of`` and ``rules.decide``, so a stored
result is what ``vote_close`` would have computed, and the topic is decided
or not passed by it. ``scripts`` holds the content, ``writer`` the rows.

The demo resident (``demo-resident``, 站前小区1号楼) finds a topic of their
compound to co-sign, their own topic in the pool, two online votes open to
them (an owners' vote by household and floor area, 民法典第278条, and a
residents' one) and a finished outcome they co-signed and may rate.

In 铁塔社区 every vote is a meeting's (ballots of invitees, no household's
or resident's), so a test may delete and reload its register.

Every household of the district gets a floor area where it has none. The
rest is loaded once: skipped when the district has consultation items.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from shequ.core.models import Region, RegionLevel, User
from shequ.deliberation.models import (
    ConsultationAdoption,
    ConsultationItem,
    ConsultationItemVersion,
    Meeting,
    Outcome,
    Topic,
)
from shequ.demo.deliberation.scripts import CATALOG, CATALOG_DAYS, LOCAL_ITEM, SCRIPTS, SEED
from shequ.demo.deliberation.writer import CommunityWriter, backdate
from shequ.demo.governance import TimelineEvents, community_workers
from shequ.residents.models import Household


@dataclass
class DeliberationResult:
    rows: int = 0
    users: int = 0  # resident accounts of those who took part on their phones
    grants: int = 0
    areas: int = 0  # households given a floor area
    counts: dict[str, int] = field(default_factory=dict)


def load_deliberation(district: Region) -> DeliberationResult:
    """Floor areas where missing; the catalog and the three communities'
    deliberation once. Call inside ``load_demo``'s transaction, after the
    governance data (the outcomes name its departments)."""
    result = DeliberationResult(areas=floor_areas_fill(district))
    if not ConsultationItem.objects.filter(district=district).exists():
        now = timezone.now()
        items = _catalog(district, now, result)
        events = TimelineEvents()
        communities = list(
            Region.objects.filter(code__in=[s.code for s in SCRIPTS]).order_by("code")
        )
        workers = community_workers(communities)
        by_code = {c.code: c for c in communities}
        for script in SCRIPTS:
            community = by_code[script.code]
            writer = CommunityWriter(script, community, items, workers[community.pk], events, now)
            writer.write()
            result.rows += writer.rows
            result.users += writer.users
            result.grants += writer.users
        result.rows += events.save()
    result.counts = {
        "协商条目": ConsultationItem.objects.filter(district=district).count(),
        "议题": Topic.objects.filter(district=district).count(),
        "协商会议": Meeting.objects.filter(district=district).count(),
        "协商成果": Outcome.objects.filter(district=district).count(),
    }
    return result


def floor_areas_fill(district: Region) -> int:
    """A floor area (45–140 m²) for every household of ``district`` without
    one; the flats of one column of a unit (101, 201, …) share their size."""
    missing = list(
        Household.objects.filter(district=district, floor_area__isnull=True)
        .select_related("unit")
        .order_by("unit__code", "room")
    )
    sizes: dict[tuple[int, str], Decimal] = {}
    for household in missing:
        column = (household.unit_id, household.room[-2:])
        if column not in sizes:
            rng = random.Random(f"{SEED}:area:{household.unit.code}:{column[1]}")  # noqa: S311 - test data
            sizes[column] = Decimal(f"{rng.triangular(45, 140, 78):.2f}")
        household.floor_area = sizes[column]
    Household.objects.bulk_update(missing, ["floor_area"], batch_size=500)
    return len(missing)


def _catalog(
    district: Region, now: dt.datetime, result: DeliberationResult
) -> dict[str, ConsultationItem]:
    """协商目录: the district's items and 站前社区's local one, version 1 each,
    published half a year ago; every community adopts the district's items."""
    admin = User.objects.filter(username="demo-district-admin").first()
    published = now - dt.timedelta(days=CATALOG_DAYS)
    home = Region.objects.get(code=SCRIPTS[0].code)
    specs = [(spec, None) for spec in CATALOG] + [(LOCAL_ITEM, home)]
    items = ConsultationItem.objects.bulk_create(
        ConsultationItem(district=district, community=community, code=s.code, category=s.category, name=s.name)
        for s, community in specs
    )  # fmt: skip
    versions = ConsultationItemVersion.objects.bulk_create(
        ConsultationItemVersion(item=item, district=district, number=1, category=s.category, name=s.name,
                                content=s.content, forms=list(s.forms), participants=list(s.participants),
                                vote_rule=s.rule, level=s.level, legal_basis=s.basis, published_at=published,
                                created_by=admin)
        for item, (s, _c) in zip(items, specs, strict=True)
    )  # fmt: skip
    for item, version in zip(items, versions, strict=True):
        item.current_version = version
        backdate(item, published)
    ConsultationItem.objects.bulk_update(items, ["current_version"])
    communities = Region.objects.filter(district=district, level=RegionLevel.COMMUNITY).order_by(
        "code"
    )
    adoptions = ConsultationAdoption.objects.bulk_create(
        ConsultationAdoption(district=district, community=c, item=item,
                             adopted_at=published + dt.timedelta(days=14 + k))
        for k, c in enumerate(communities)
        for item in items if item.community_id is None
    )  # fmt: skip
    result.rows += len(items) + len(versions) + len(adoptions)
    return {item.code: item for item in items}
