"""`shequ generate`: the service desk and its cases, checked at the small scale."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from shequ.core.models import Grant, ReceiptCounter, Region, RegionLevel, User
from shequ.core.numbering import receipt_next
from shequ.core.permissions import Role
from shequ.core.pii import decrypt
from shequ.demo.scale import SCALES, generate
from shequ.desk.cases import deadlines
from shequ.desk.catalog.selectors import can_accept
from shequ.desk.models import (
    DONE_STATES,
    Case,
    CaseStat,
    CaseState,
    Channel,
    CommunityItem,
    Qualification,
    Rectification,
    Review,
    Visit,
    Window,
)
from shequ.desk.stats import services as stats
from shequ.desk.stats.selectors import COUNTERS
from shequ.residents.models import Resident

pytestmark = pytest.mark.django_db

BENCH = "210399"
STAT_COLUMNS = (
    "community_id",
    "street_id",
    "month",
    "item_id",
    "window_id_key",
    "worker_id_key",
    *COUNTERS,
)


def run_generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def stat_table() -> list[tuple]:
    return sorted(CaseStat.objects.values_list(*STAT_COLUMNS))


def test_small_scale_writes_the_desk_and_300_cases():
    # when
    output = run_generate()

    # then
    assert "办件 300" in output
    communities = list(Region.objects.filter(district__code=BENCH, level=RegionLevel.COMMUNITY))
    assert len(communities) == 3
    for community in communities:
        assert 1 <= Window.objects.filter(community=community).count() <= 3
        assert CommunityItem.objects.filter(community=community, active=True).count() > 50
        workers = User.objects.filter(
            grants__role=Role.COMMUNITY_WORKER, grants__region=community
        ).distinct()
        assert workers.count() == 3
        assert not any(w.has_usable_password() for w in workers)
        assert Qualification.objects.filter(community=community, worker__in=workers).count() == 3
        assert Grant.objects.filter(role=Role.COMMUNITY_SECRETARY, region=community).count() == 1
    cases = Case.objects.filter(district__code=BENCH)
    assert cases.count() == 300
    by_state = dict(cases.values_list("status").annotate(n=Count("id")))
    assert by_state[CaseState.DELIVERED] + by_state[CaseState.COMPLETED] > 240
    assert by_state.get(CaseState.WITHDRAWN, 0) > 0
    channels = dict(cases.values_list("channel").annotate(n=Count("id")))
    assert channels[Channel.WINDOW] > 150
    visits = dict(cases.values_list("visit_count").annotate(n=Count("id")))
    assert visits[1] > visits.get(0, 0) and visits[1] > visits.get(2, 0) > 0


def test_generated_cases_are_consistent_rows():
    # when
    run_generate()

    # then
    cases = Case.objects.filter(district__code=BENCH).select_related("community", "accepted_by")
    receipts = set()
    for case in cases:
        match = re.fullmatch(r"(\d{12})(\d{8})(\d{5})", case.receipt_no)
        assert match and match[1] == case.community.code
        if case.accepted_on:
            assert match[2] == f"{case.accepted_on:%Y%m%d}"
            s = deadlines.schedule_for(case.accepted_on, case.promised_days)
            assert (case.due_date, case.warn70_on, case.warn90_on) == (
                s.due_date,
                s.warn70_on,
                s.warn90_on,
            )
            assert can_accept(case.accepted_by, case.item, case.community)
        receipts.add(case.receipt_no)
        resident = Resident.objects.get(pk=case.resident_id)
        assert resident.community_id == case.community_id
        assert decrypt(case.id_number_enc) == decrypt(resident.id_number_enc)
        assert case.id_number_index == resident.id_number_index
        assert decrypt(case.phone_enc)[-4:] == case.phone_tail
        assert Visit.objects.filter(case=case).count() == case.visit_count
        if case.status in DONE_STATES:
            assert case.completed_on >= case.accepted_on
            assert case.overdue == (case.completed_on > case.due_date)
        else:
            assert not Review.objects.filter(case=case).exists()
    assert len(receipts) == 300
    reviews = Review.objects.filter(district__code=BENCH)
    assert 100 < reviews.count() < 220
    assert all(r.case.status in DONE_STATES for r in reviews)
    low = set(reviews.filter(rating__lte=2).values_list("id", flat=True))
    assert set(Rectification.objects.values_list("review_id", flat=True)) == low


def test_generated_rollup_equals_a_rebuild_from_the_cases():
    # given
    run_generate()
    generated = stat_table()

    # when
    stats.case_stats_rebuild()

    # then
    assert generated == stat_table()
    assert sum(row[6] for row in generated) == Case.objects.exclude(accepted_on=None).count()


def test_live_intake_continues_the_generated_receipt_sequence():
    # given
    run_generate()
    last = ReceiptCounter.objects.filter(community__district__code=BENCH).order_by("-last").first()

    # when
    number = receipt_next(community=last.community, day=last.day)

    # then
    assert number.endswith(f"{last.last + 1:05d}")
    assert not Case.objects.filter(receipt_no=number).exists()


def test_replace_rebuilds_the_cases_and_reuses_the_bench_accounts():
    # given
    run_generate()
    users = set(User.objects.filter(username__startswith="bench-").values_list("id", flat=True))
    old = set(Case.objects.values_list("id", flat=True))

    # when
    run_generate("--replace")

    # then
    assert Case.objects.count() == 300
    assert not old & set(Case.objects.values_list("id", flat=True))
    assert set(User.objects.filter(username__startswith="bench-").values_list("id", flat=True)) == (
        users
    )
    assert Grant.objects.filter(user_id__in=users).count() == len(users)
    assert Qualification.objects.filter(worker_id__in=users).count() == 9


def test_cases_built_in_worker_processes_are_the_same_rows():
    # given: an in-process run, rolled back
    def rows() -> list[tuple]:
        return list(
            Case.objects.order_by("id").values_list(
                "receipt_no", "status", "channel", "due_date", "visit_count", "id_number_index"
            )
        )

    with transaction.atomic():
        generate(scale=SCALES["small"], workers=0)
        in_process = rows()
        transaction.set_rollback(True)

    # when
    generate(scale=SCALES["small"], workers=2)

    # then
    assert rows() == in_process
    assert len(in_process) == 300


def test_replace_with_fast_load_rebuilds_the_case_tables():
    # given
    generate(scale=SCALES["small"])

    # when: the large-scale path drops the indexes and deletes the old cases
    result = generate(scale=SCALES["small"], replace=True, fast_load=True)

    # then
    assert result.replaced and result.desk.cases == 300
    assert Case.objects.count() == 300
    assert Visit.objects.filter(case__isnull=False).count() == result.desk.visits
