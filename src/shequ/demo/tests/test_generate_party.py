"""``shequ generate --scale small``: 党建引领 of the benchmark district
(shequ.demo.party_scale) — its counts, members who are the register's
党员 placed where they live, months that are what the services compute,
visits on headed buildings, 双报到 counted in pairing, numbers that continue."""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from shequ.core.models import Region, RegionLevel
from shequ.core.numbering import receipt_next
from shequ.party.models import (
    BuildingHead,
    FeedbackLetter,
    HouseholdVisit,
    MemberReportIn,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrg,
    ServiceLog,
    Station,
    StationMonth,
    Transfer,
    TransferKind,
    TransferState,
)
from shequ.party.services.common import quarter_bounds
from shequ.party.services.stations import _month_rows
from shequ.residents.models import ResidentTag, Tag
from shequ.whistles.models import PairingAgreement

pytestmark = pytest.mark.django_db

BENCH = "210399"


def run_generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", "--scale", "small", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """`shequ generate --scale small` once for the module, rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield run_generate()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_small_scale_writes_the_tree_members_stations_heads_and_visits(generated):
    # when
    output = generated

    # then: a committee per street and community, a branch per compound, a group on every third
    orgs = PartyOrg.objects.filter(district__code=BENCH)
    assert dict(Counter(orgs.values_list("kind", flat=True))) == {
        OrgKind.STREET_COMMITTEE: 1, OrgKind.COMMUNITY_COMMITTEE: 3, OrgKind.BRANCH: 6, OrgKind.GROUP: 2}  # fmt: skip
    assert PartyMember.objects.filter(district__code=BENCH).count() == 120
    assert Station.objects.filter(district__code=BENCH).count() == 6
    assert HouseholdVisit.objects.filter(district__code=BENCH).count() == 1_500
    assert (
        Transfer.objects.filter(district__code=BENCH).count() == 18
    )  # six states × three communities
    assert re.search(r"党建引领 / party：街道党工委 1、社区党委 3、小区党支部 6、党小组 2", output)
    assert "党员 120" in output and "入户走访 1,500" in output and "党建引领 party" in output
    # 40 members a community, each a resident the register tags 党员, placed
    # in their building's group, else their compound's branch
    members = PartyMember.objects.filter(district__code=BENCH).select_related(
        "resident__household__building", "org__region"
    )
    assert set(Counter(members.values_list("community_id", flat=True)).values()) == {40}
    tagged = set(
        ResidentTag.objects.filter(tag=Tag.PARTY_MEMBER).values_list("resident_id", flat=True)
    )
    groups = set(orgs.filter(kind=OrgKind.GROUP).values_list("region_id", flat=True))
    for m in members:
        building = m.resident.household.building
        assert m.resident_id in tagged and m.community_id == m.resident.community_id
        assert m.compound_id == building.compound_id
        assert m.org_region_id == (building.pk if building.pk in groups else building.compound_id)
        assert m.org.region_id == m.org_region_id
    # one sitting building head per headed building, a resident living there
    heads = BuildingHead.objects.filter(
        district__code=BENCH, kind="building", ended_on__isnull=True
    )
    assert heads.values("building").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert not heads.exclude(resident__household__building_id=F("building_id")).exists()
    visited = set(HouseholdVisit.objects.values_list("building_id", flat=True))
    assert visited <= set(BuildingHead.objects.values_list("building_id", flat=True))


def test_every_generated_month_is_what_the_station_services_compute(generated):
    # given
    stations = list(Station.objects.select_related("community").filter(district__code=BENCH))
    stored = {(m.station_id, m.month): m for m in StationMonth.objects.all()}
    months = sorted({month for _s, month in stored})
    assert len(months) == 12

    # when: recomputed from the openings and activities by the services' own rollup
    recomputed = _month_rows(stations, months, timezone.localdate())

    # then
    assert len(recomputed) == len(stored)
    for row in recomputed:
        kept = stored[(row.station_id, row.month)]
        assert (kept.published_minutes, kept.open_minutes, kept.activities_with_residents, kept.hosted,
                kept.functioning, kept.reason) == (row.published_minutes, row.open_minutes,
                                                   row.activities_with_residents, row.hosted,
                                                   row.functioning, row.reason)  # fmt: skip
    assert {True, False} == {m.functioning for m in stored.values()}


def test_transfers_take_every_state_and_their_members_follow(generated):
    # when: generated

    # then
    transfers = Transfer.objects.filter(district__code=BENCH).select_related("member")
    per_community = Counter(transfers.values_list("community_id", flat=True))
    assert set(per_community.values()) == {6}
    assert {(t.kind, t.status) for t in transfers} == {
        (TransferKind.IN, TransferState.COMPLETED), (TransferKind.OUT, TransferState.COMPLETED),
        (TransferKind.WITHIN, TransferState.COMPLETED), (TransferKind.IN, TransferState.APPROVED),
        (TransferKind.OUT, TransferState.RETURNED), (TransferKind.WITHIN, TransferState.REQUESTED)}  # fmt: skip
    for t in transfers:
        if t.kind == TransferKind.OUT and t.status == TransferState.COMPLETED:
            assert t.member.status == MemberStatus.TRANSFERRED_OUT
        elif t.member is not None:
            assert t.member.status == MemberStatus.ACTIVE
        if t.kind == TransferKind.WITHIN and t.status == TransferState.COMPLETED:
            assert t.member.org_id == t.to_org_id != t.from_org_id
        if t.status == TransferState.RETURNED:
            assert t.returned_reason
    assert (
        transfers.filter(
            kind=TransferKind.IN, status=TransferState.APPROVED, member__isnull=True
        ).count()
        == 3
    )
    # numbers continue the day counters: the next live number of that day is new
    latest = transfers.order_by("-requested_on", "-number").first()
    community = Region.objects.get(pk=latest.community_id)
    assert receipt_next(community=community, day=latest.requested_on) > latest.number


def test_services_of_the_paired_unit_count_as_pairing_actions_and_letters_sum_them(generated):
    # when: generated

    # then
    partner = dict(
        PairingAgreement.objects.filter(district__code=BENCH).values_list("community_id", "unit_id")
    )
    services = ServiceLog.objects.filter(district__code=BENCH).select_related("pairing_action")
    assert services.exists() and MemberReportIn.objects.filter(district__code=BENCH).exists()
    for s in services:
        paired = s.unit_id is not None and partner.get(s.community_id) == s.unit_id
        assert (s.pairing_action is not None) == paired
        if paired:
            assert (s.pairing_action.kind, s.pairing_action.date, s.pairing_action.hours) == (
                "dual_registration", s.day, s.hours)  # fmt: skip
    for letter in FeedbackLetter.objects.filter(district__code=BENCH):
        first, last = quarter_bounds(letter.quarter)
        served = services.filter(
            community=letter.community_id, unit=letter.unit_id, day__range=(first, last)
        )
        assert letter.services == served.count()


def test_replace_rebuilds_the_party_module():
    # given
    run_generate()
    before = (
        PartyMember.objects.count(),
        HouseholdVisit.objects.count(),
        StationMonth.objects.count(),
    )

    # when
    run_generate("--replace")

    # then
    assert (
        PartyMember.objects.count(),
        HouseholdVisit.objects.count(),
        StationMonth.objects.count(),
    ) == before
    assert Region.objects.filter(code=BENCH, level=RegionLevel.DISTRICT).count() == 1
