"""``shequ generate --scale small``: the appeals, whistles, departments and
pairing of the benchmark district (shequ.demo.governance_scale)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from shequ.appeals.models import Appeal, AppealState, AppealSupporter
from shequ.appeals.selectors import duplicate_candidates
from shequ.core.models import Grant, ReceiptCounter
from shequ.core.numbering import receipt_next
from shequ.core.permissions import Role
from shequ.core.words import keywords_of
from shequ.demo.scale import SCALES, generate
from shequ.desk.models import Case
from shequ.whistles.models import Department, PairingAgreement, Whistle, WhistleState

pytestmark = pytest.mark.django_db

BENCH = "210399"


def run_generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def test_small_scale_writes_appeals_whistles_and_departments():
    # when
    output = run_generate()

    # then
    assert Appeal.objects.filter(district__code=BENCH).count() == 300
    assert Whistle.objects.filter(district__code=BENCH).count() == 45
    assert Department.objects.filter(district__code=BENCH).count() == 10
    assert PairingAgreement.objects.filter(district__code=BENCH).count() == 3
    assert re.search(r"诉求 300（合并 \d+、我也遇到 \d+）、吹哨 45", output)
    assert Grant.objects.filter(
        user__username=f"bench-{BENCH}-admin1", role=Role.DISTRICT_ADMIN, region__code=BENCH
    ).exists()


def test_generated_appeals_are_consistent_rows():
    # given
    run_generate()
    appeals = Appeal.objects.filter(district__code=BENCH)

    # then: mostly closed, keywords as the app computes them
    states = dict(appeals.values_list("status").annotate(n=Count("id")))
    assert states[AppealState.CLOSED] > 200
    for appeal in appeals.order_by("id")[:50]:
        assert appeal.keywords == keywords_of(appeal.description)
        assert appeal.keywords
        assert appeal.community.district.code == BENCH
    # merged ones point at an appeal of the same community and category and are counted there
    merged = appeals.filter(status=AppealState.MERGED).select_related("duplicate_of")
    assert merged.exists()
    for appeal in merged:
        assert appeal.duplicate_of.category == appeal.category
        assert appeal.duplicate_of.community_id == appeal.community_id
    supported = sum(appeals.values_list("supporters", flat=True))
    assert supported == merged.count() == AppealSupporter.objects.count()
    # closed ones have a result; rated ones a rating time
    assert not appeals.filter(status=AppealState.CLOSED, result="").exists()
    assert not appeals.exclude(rating="").filter(rated_at__isnull=True).exists()
    assert appeals.exclude(rating="").count() > 100


def test_each_whistle_links_one_whistled_appeal_of_its_community():
    # given
    run_generate()

    # then
    for whistle in Whistle.objects.filter(district__code=BENCH).prefetch_related("appeals"):
        linked = list(whistle.appeals.all())
        assert len(linked) == 1
        assert linked[0].community_id == whistle.community_id
        assert linked[0].decision == "whistle"
        assert whistle.number.startswith("W" + whistle.community.code)
        if whistle.status in (WhistleState.EVALUATED, WhistleState.CLOSED):
            assert linked[0].status == AppealState.CLOSED
            assert whistle.resolved_at is not None
            assert whistle.reported_at <= whistle.resolved_at
        assert whistle.report_in_due > whistle.addressed_at


def test_numbers_continue_the_cases_counters_and_live_intake_continues_them():
    # given
    run_generate()
    numbers = list(Appeal.objects.values_list("number", flat=True))
    numbers += [n[1:] for n in Whistle.objects.values_list("number", flat=True)]
    receipts = set(Case.objects.values_list("receipt_no", flat=True))

    # then: appeal, whistle and case numbers never collide
    assert len(set(numbers)) == len(numbers)
    assert not receipts & set(numbers)
    top = max(numbers)
    counter = ReceiptCounter.objects.get(
        community__code=top[:12], day=f"{top[12:16]}-{top[16:18]}-{top[18:20]}"
    )
    assert counter.last == int(top[-5:])
    nxt = receipt_next(community=counter.community, day=counter.day)
    assert nxt.endswith(f"{counter.last + 1:05d}")


def test_duplicate_suggestions_find_generated_appeals():
    # given
    run_generate()
    appeals = Appeal.objects.filter(district__code=BENCH)

    # then: candidates are open appeals of the same category sharing words
    for appeal in appeals:
        for c in duplicate_candidates(appeal):
            assert c.score >= 1
            assert c.appeal.is_open
            assert c.appeal.category == appeal.category


def test_replace_removes_the_old_governance_rows():
    # given
    generate(scale=SCALES["small"])
    old = set(Appeal.objects.values_list("id", flat=True))

    # when
    generate(scale=SCALES["small"], replace=True, fast_load=True)

    # then
    assert Appeal.objects.count() == 300
    assert not old & set(Appeal.objects.values_list("id", flat=True))
    assert Department.objects.count() == 10
    assert Whistle.objects.count() == 45


def test_rows_built_in_worker_processes_are_the_same():
    # given
    from django.db import transaction

    def rows() -> list[tuple]:
        return list(Appeal.objects.order_by("id").values_list("number", "status", "keywords"))

    with transaction.atomic():
        generate(scale=SCALES["small"], workers=0)
        in_process = rows()
        transaction.set_rollback(True)

    # when
    generate(scale=SCALES["small"], workers=2)

    # then
    assert rows() == in_process
