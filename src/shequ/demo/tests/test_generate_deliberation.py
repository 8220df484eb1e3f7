"""``shequ generate --scale small``: the deliberation of the benchmark
district (shequ.demo.deliberation_scale) — its counts, votes that are the
recount of their ballots, and the open owners' vote a benchmark casts on."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from shequ.core.models import ReceiptCounter, User
from shequ.core.scope import Actor
from shequ.deliberation import services as s
from shequ.deliberation.models import (
    OWNER_RULES,
    AgendaItem,
    Ballot,
    ConsultationAdoption,
    ConsultationItem,
    Invitee,
    Meeting,
    Outcome,
    OutcomeTask,
    SecretTally,
    Topic,
    TopicCosign,
)
from shequ.deliberation.rules import Tally, decide
from shequ.demo import deliberation_scale
from shequ.demo.scale import SCALES, generate
from shequ.residents.models import Household, Resident

pytestmark = pytest.mark.django_db

BENCH = "210399"


def run_generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def test_small_scale_writes_topics_meetings_ballots_and_outcomes():
    # when
    output = run_generate()

    # then
    assert Topic.objects.filter(district__code=BENCH).count() == 60
    assert Meeting.objects.filter(district__code=BENCH).count() == 18
    assert Ballot.objects.filter(district__code=BENCH).count() == 3_000
    assert ConsultationItem.objects.filter(district__code=BENCH).count() == 19
    assert ConsultationAdoption.objects.filter(district__code=BENCH).count() == 57
    assert re.search(r"议题 60（附议 \d+）、会议 18（参会人 \d+、议程 \d+）、选票 3,000", output)
    assert "进行中的业主表决" in output and "议事协商 deliberation" in output
    assert {m.community_id for m in Meeting.objects.all()} == set(
        Topic.objects.values_list("community_id", flat=True)
    )
    topic_states = set(Topic.objects.values_list("status", flat=True))
    assert {
        "cosigning",
        "review",
        "accepted",
        "scheduled",
        "decided",
        "not_passed",
        "rejected",
    } <= topic_states
    assert {"closed", "noticed", "in_session"} == set(
        Meeting.objects.values_list("status", flat=True)
    )
    assert {"online", "council", "joint"} <= set(Meeting.objects.values_list("form", flat=True))
    # every passed vote has its outcome, with 2–4 tasks weighing 100 in all
    assert Outcome.objects.count() == AgendaItem.objects.filter(passed=True).count() > 0
    weights = OutcomeTask.objects.values("outcome").annotate(w=Sum("weight"), n=Count("id"))
    assert {(w["w"], 2 <= w["n"] <= 4) for w in weights} == {(100, True)}
    assert {"done", "in_progress"} <= set(Outcome.objects.values_list("status", flat=True))
    assert not OutcomeTask.objects.filter(
        overdue_at__isnull=False, due__gte=timezone.localdate()
    ).exists()
    assert not Household.objects.filter(district__code=BENCH, floor_area__isnull=True).exists()


def test_every_closed_vote_stores_the_recount_of_its_ballots():
    # given
    run_generate()
    closed = AgendaItem.objects.filter(vote_state="closed").select_related("meeting", "topic")
    assert {i.rule for i in closed} >= {"majority", "owners"}

    for item in closed:
        # when: counted from the rows themselves
        ballots = list(item.ballots.select_related("household__building", "invitee"))
        per = Counter(b.choice for b in ballots)
        area = {c: sum((b.area for b in ballots if b.choice == c), Decimal(0)) for c in per}
        if item.secret:
            per, area = Counter(), {}
            for row in SecretTally.objects.filter(item=item):
                per[row.choice], area[row.choice] = row.count, row.area
            assert {b.choice for b in ballots} == {""} and sum(per.values()) == len(ballots)
        if item.rule in OWNER_RULES:
            households = Household.objects.filter(building__compound=item.topic.compound_id)
            eligible = households.count()
            base = Decimal(households.aggregate(a=Sum("floor_area"))["a"]).quantize(Decimal("0.01"))
            assert {b.household.building.compound_id for b in ballots} == {item.topic.compound_id}
        else:
            eligible = len(ballots) if item.meeting.is_online else item.meeting.present
            base = Decimal(0)
        zero = Decimal(0)
        t = Tally(eligible, per["yes"], per["no"], per["abstain"], base,
                  area.get("yes", zero), area.get("no", zero), area.get("abstain", zero))  # fmt: skip
        verdict = decide(item.rule, t)

        # then
        assert (item.eligible, item.participants, item.yes, item.no, item.abstain) == (
            t.eligible, t.participants, t.yes, t.no, t.abstain)  # fmt: skip
        assert (item.eligible_area, item.yes_area, item.no_area) == (
            t.eligible_area,
            t.yes_area,
            t.no_area,
        )
        assert (item.passed, item.verdict) == (verdict.passed, verdict.reason[:200])
        assert item.topic.status == ("decided" if item.passed else "not_passed")
        if not item.meeting.is_online:
            assert {b.invitee.meeting_id for b in ballots} <= {item.meeting_id}
            assert all(b.invitee.present and b.recorded for b in ballots)
            assert item.meeting.quorum_met and item.meeting.present * 2 > item.meeting.invited
    # co-signers are counted on their topic and live where it is
    for topic in Topic.objects.filter(compound__isnull=False).prefetch_related("cosign_rows"):
        rows = list(topic.cosign_rows.all())
        assert topic.cosigners == len(rows)
        assert (
            not TopicCosign.objects.filter(topic=topic)
            .exclude(resident__household__building__compound=topic.compound_id)
            .exists()
        )
    assert Invitee.objects.exclude(proxy_name="").filter(proxy_authorisation="").count() == 0


def test_the_open_owners_vote_is_on_the_largest_compound_and_takes_ballots():
    # given
    output = run_generate()
    item = AgendaItem.objects.select_related("meeting", "topic__compound").get(vote_state="open")
    compound = item.topic.compound
    sizes = (
        Household.objects.filter(district__code=BENCH)
        .values("building__compound")
        .annotate(n=Count("id"))
    )
    largest = max(r["n"] for r in sizes)
    households = Household.objects.filter(building__compound=compound)
    assert (item.rule, item.meeting.status, item.meeting.form) == ("owners", "in_session", "online")
    assert item.meeting.ends_at > timezone.now() and item.closes_at == item.meeting.ends_at
    assert households.count() == largest
    assert f"{compound.name}（本区最大小区，{largest:,} 户，{largest:,} 个投票账号）" in output
    assert not item.ballots.exists()
    voters = list(
        Resident.objects.filter(
            household__building__compound=compound, user__isnull=False
        ).select_related("user")
    )
    assert sorted(r.household_id for r in voters) == sorted(households.values_list("id", flat=True))

    # when: three households vote through the service and the vote is closed
    for resident, choice in zip(voters[:3], ["yes", "yes", "no"], strict=True):
        s.ballot_cast(actor=Actor.for_user(resident.user), item_id=item.pk, choice=choice)
    worker = User.objects.get(username=f"bench-{item.community.code}-w1")
    closed = s.vote_close(actor=Actor.for_user(worker), item_id=item.pk)

    # then: counted over every household of the compound (and too few took part)
    assert (closed.eligible, closed.participants, closed.yes, closed.passed) == (
        largest,
        3,
        2,
        False,
    )
    area = Decimal(households.aggregate(a=Sum("floor_area"))["a"]).quantize(Decimal("0.01"))
    assert Decimal(closed.eligible_area).quantize(Decimal("0.01")) == area


def test_numbers_continue_the_day_counters():
    # given
    run_generate()
    numbers = [
        *Topic.objects.values_list("number", flat=True),
        *Meeting.objects.values_list("number", flat=True),
    ]

    # then
    assert len(numbers) == len(set(numbers))
    top = max(numbers)
    counter = ReceiptCounter.objects.get(
        community__code=top[:12], day=f"{top[12:16]}-{top[16:18]}-{top[18:20]}"
    )
    assert counter.last >= int(top[-5:])


def test_replace_removes_the_old_deliberation_rows():
    # given
    generate(scale=SCALES["small"])
    old = set(Ballot.objects.values_list("id", flat=True))

    # when
    generate(scale=SCALES["small"], replace=True, fast_load=True)

    # then
    assert (Topic.objects.count(), Meeting.objects.count(), Ballot.objects.count()) == (
        60,
        18,
        3_000,
    )
    assert not old & set(Ballot.objects.values_list("id", flat=True))
    assert ConsultationItem.objects.count() == 19


def test_the_row_field_lists_cover_every_column():
    # then: COPY / executemany name every column the models have
    lists = {
        Topic: deliberation_scale.TOPIC_FIELDS, TopicCosign: deliberation_scale.COSIGN_FIELDS,
        Meeting: deliberation_scale.MEETING_FIELDS, Invitee: deliberation_scale.INVITEE_FIELDS,
        AgendaItem: deliberation_scale.AGENDA_FIELDS, Ballot: deliberation_scale.BALLOT_FIELDS,
        SecretTally: deliberation_scale.SECRET_FIELDS, Outcome: deliberation_scale.OUTCOME_FIELDS,
        OutcomeTask: deliberation_scale.TASK_FIELDS,
    }  # fmt: skip
    for model, fields in lists.items():
        columns = {f.name for f in model._meta.concrete_fields} - ({"id"} - set(fields))
        assert set(fields) == columns, model
