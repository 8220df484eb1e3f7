"""What `shequ demo` loads for 议事协商 (``shequ.demo.deliberation``): the
catalog, topics, meetings and outcomes in every state, votes whose stored
result is the recount of their ballots, and a demo resident who can take
part through the services. The demo is loaded once for the module (as in
``test_demo_contents``) and each test only reads it or writes in its own
savepoint.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone

from shequ.core.models import AuditRecord, Region, TimelineEvent, User
from shequ.core.scope import Actor
from shequ.deliberation import services as s
from shequ.deliberation.models import (
    OWNER_RULES,
    PERSONAL_PROPOSERS,
    AgendaItem,
    Ballot,
    ConsultationAdoption,
    ConsultationItem,
    Invitee,
    Meeting,
    Objection,
    Outcome,
    OutcomeTask,
    SecretTally,
    Topic,
    TopicCosign,
    VoteState,
)
from shequ.deliberation.rules import Tally, decide
from shequ.residents.models import Household, Resident

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

ZHANQIAN, LIMIN, TIETA = "210302001001", "210302001002", "210302002001"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """`shequ demo --residents 300` loaded once, rolled back after the module."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("demo", residents=300, stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_catalog_has_eight_categories_adopted_by_every_community(demo):
    # then
    items = ConsultationItem.objects.filter(district__code="210302").select_related(
        "current_version"
    )
    district_items = items.filter(community__isnull=True)
    assert district_items.count() == 19
    assert set(district_items.values_list("category", flat=True)) == {
        "环境改造", "停车管理", "物业服务", "公共收益", "安全防盗", "油烟噪音", "文明创建", "居民公约",
    }  # fmt: skip
    assert {i.current_version.number for i in items} == {1}
    assert {i.name: i.current_version.vote_rule for i in items if i.category == "公共收益"} == {
        "公共收益使用": "owners", "维修资金使用": "owners", "共有部分经营": "owners_major"}  # fmt: skip
    assert "第二百七十八条" in items.get(name="维修资金使用").current_version.legal_basis
    local = items.get(community__isnull=False)
    assert (local.community.code, local.name) == (ZHANQIAN, "夜市摊点管理")
    adoptions = ConsultationAdoption.objects.values("community").annotate(n=Count("id"))
    assert Counter(a["n"] for a in adoptions) == {19: 15}


def test_topics_meetings_and_outcomes_of_the_three_communities_are_in_every_state(demo):
    # then
    def states(model, code: str) -> dict[str, int]:
        return dict(
            Counter(model.objects.filter(community__code=code).values_list("status", flat=True))
        )

    assert states(Topic, ZHANQIAN) == {"cosigning": 2, "review": 1, "accepted": 1, "scheduled": 4,
                                       "decided": 3, "not_passed": 1, "rejected": 1}  # fmt: skip
    assert states(Topic, LIMIN) == {"review": 2, "accepted": 1, "scheduled": 2, "decided": 5,
                                    "not_passed": 1, "rejected": 1}  # fmt: skip
    assert states(Topic, TIETA) == {"cosigning": 1, "review": 2, "accepted": 1, "scheduled": 2,
                                    "decided": 4, "not_passed": 1, "rejected": 1}  # fmt: skip
    assert set(Topic.objects.values_list("community__code", flat=True)) == {ZHANQIAN, LIMIN, TIETA}
    assert not Topic.objects.filter(status="rejected", reason="").exists()
    for code in (ZHANQIAN, LIMIN, TIETA):
        meetings = Meeting.objects.filter(community__code=code)
        assert meetings.count() == 4
        assert meetings.filter(status="closed", form__in=["council", "joint", "dialogue"]).exists()
        assert meetings.filter(form="online").exists()
        upcoming = meetings.get(status="noticed", form__in=["council", "joint"])
        assert (timezone.localdate(upcoming.starts_at) - timezone.localdate()).days == 7
    assert states(Meeting, ZHANQIAN) == {"closed": 2, "in_session": 1, "noticed": 1}
    assert dict(Counter(Outcome.objects.values_list("status", flat=True))) == {
        "done": 4, "in_progress": 6, "shelved": 1, "not_started": 1}  # fmt: skip
    assert Outcome.objects.filter(status="shelved").exclude(reason="").count() == 1
    assert Outcome.objects.filter(status="done", ratings__gt=0).count() == 3
    overdue = OutcomeTask.objects.filter(overdue_at__isnull=False).exclude(status="done")
    assert overdue.count() == 3 and all(t.due < timezone.localdate() for t in overdue)
    objection = Objection.objects.get()
    assert objection.answer and objection.answered_at > objection.at


def test_closed_meetings_have_sign_in_a_proxy_quorum_and_minutes(demo):
    # then
    for meeting in Meeting.objects.filter(status="closed").exclude(form="online"):
        invitees = list(meeting.invitees.all())
        signed = [i for i in invitees if i.signed_in_at is not None]
        assert (meeting.invited, meeting.present) == (len(invitees), len(signed))
        assert meeting.quorum_met is True and meeting.present * 2 > meeting.invited
        assert all(i.signed_in_at >= meeting.opened_at for i in signed)
        assert (meeting.starts_at - meeting.noticed_at).days >= meeting.notice_days == 3
        assert meeting.minutes.startswith(meeting.title) and meeting.speeches
        assert meeting.chair and meeting.minutes_at >= meeting.closed_at
    proxies = Invitee.objects.exclude(proxy_name="")
    assert proxies.count() == 5
    assert not proxies.filter(proxy_authorisation="").exists()


def _recount(item: AgendaItem) -> Tally:
    """The tally from the rows themselves: ballots (a secret vote's in
    SecretTally) and, for owners' rules, the compound's households."""
    per = {c: (0, Decimal("0")) for c in ("yes", "no", "abstain")}
    ballots = list(item.ballots.all())
    if item.secret:
        assert {b.choice for b in ballots} == {""}
        for row in SecretTally.objects.filter(item=item):
            per[row.choice] = (row.count, row.area)
        assert sum(n for n, _a in per.values()) == len(ballots)
    else:
        for choice in per:
            mine = [b for b in ballots if b.choice == choice]
            per[choice] = (len(mine), sum((b.area for b in mine), Decimal("0")))
    if item.rule in OWNER_RULES:
        households = Household.objects.filter(building__compound=item.topic.compound_id)
        eligible, area = households.count(), households.aggregate(a=Sum("floor_area"))["a"]
        area = Decimal(area).quantize(Decimal("0.01"))
    elif item.meeting.is_online:
        eligible, area = len(ballots), Decimal("0")
    else:
        eligible, area = item.meeting.present, Decimal("0")
    return Tally(eligible, per["yes"][0], per["no"][0], per["abstain"][0], area,
                 per["yes"][1], per["no"][1], per["abstain"][1])  # fmt: skip


def test_every_closed_vote_stores_the_recount_of_its_ballots_and_its_verdict(demo):
    # given
    closed = AgendaItem.objects.filter(vote_state=VoteState.CLOSED).select_related(
        "meeting", "topic"
    )
    assert closed.count() == 15
    assert {i.rule for i in closed} == {"majority", "two_thirds", "consensus", "owners"}
    assert closed.filter(secret=True).count() == 1

    for item in closed:
        # when
        t = _recount(item)
        verdict = decide(item.rule, t)

        # then
        stored = (item.eligible, item.eligible_area, item.participants, item.participants_area,
                  item.yes, item.yes_area, item.no, item.no_area, item.abstain, item.abstain_area)  # fmt: skip
        assert stored == (t.eligible, t.eligible_area, t.participants, t.participants_area,
                          t.yes, t.yes_area, t.no, t.no_area, t.abstain, t.abstain_area)  # fmt: skip
        assert (item.passed, item.verdict) == (verdict.passed, verdict.reason[:200])
        assert item.topic.status == ("decided" if item.passed else "not_passed")
        assert Outcome.objects.filter(agenda_item=item).exists() is item.passed
        assert (item.publicity_until is not None) is item.passed
    assert closed.filter(passed=False).count() == 3
    # votes still open have nothing counted yet
    assert not AgendaItem.objects.filter(vote_state=VoteState.OPEN, participants__gt=0).exists()


def test_residents_who_take_part_live_there_and_act_with_their_own_account(demo):
    # then: co-signers of the topic's place, as many as its state says
    for topic in Topic.objects.prefetch_related("cosign_rows__resident__household__building"):
        rows = list(topic.cosign_rows.all())
        assert topic.cosigners == len(rows)
        for row in rows:
            building = row.resident.household.building
            assert building.compound_id == topic.compound_id or topic.compound_id is None
            assert row.user_id == row.resident.user_id is not None
        if topic.proposer_kind in PERSONAL_PROPOSERS and topic.status not in (
            "cosigning",
            "rejected",
        ):
            assert topic.cosigners == topic.threshold
    # owners vote by household of the compound with its floor area, online
    # voters are residents of the place, meeting ballots are present invitees'
    for ballot in Ballot.objects.select_related("item__topic", "item__meeting", "household__building",
                                                "invitee", "resident__household__building"):  # fmt: skip
        item = ballot.item
        if item.rule in OWNER_RULES:
            assert ballot.household.building.compound_id == item.topic.compound_id
            assert ballot.area == ballot.household.floor_area
            assert Resident.objects.filter(
                household=ballot.household, user=ballot.cast_by_id
            ).exists()
        elif item.meeting.is_online:
            assert ballot.resident.household.building.compound_id == item.topic.compound_id
            assert ballot.cast_by_id == ballot.resident.user_id is not None
        else:
            assert ballot.invitee.meeting_id == item.meeting_id and ballot.invitee.present
            assert ballot.recorded or ballot.cast_by_id == ballot.invitee.user_id
    # 铁塔社区's votes are all its meetings' (its register may be reloaded)
    assert not Ballot.objects.filter(community__code=TIETA, invitee__isnull=True).exists()
    assert not Household.objects.filter(floor_area__isnull=True).exists()
    assert Household.objects.filter(floor_area__lt=45).count() == 0
    assert Household.objects.filter(floor_area__gt=140).count() == 0


def test_every_row_has_a_timeline_that_ends_in_its_state_and_a_receipt_number(demo):
    # then
    now = timezone.now()
    for model in (Topic, Meeting, Outcome):
        ct = ContentType.objects.get_for_model(model)
        events: dict[int, list[TimelineEvent]] = {}
        for e in TimelineEvent.objects.filter(content_type=ct).order_by("at", "id"):
            events.setdefault(e.object_id, []).append(e)
        for row in model.objects.all():
            chain = events[row.pk]
            assert chain[0].from_state == "" and chain[-1].to_state == row.status
            assert all(a.to_state == b.from_state for a, b in zip(chain, chain[1:], strict=False))
            assert chain[-1].at <= now
    for topic in Topic.objects.select_related("community"):
        day = timezone.localdate(topic.proposed_at)
        assert topic.number.startswith(f"{topic.community.code}{day:%Y%m%d}")
        assert topic.keywords
    numbers = [
        *Topic.objects.values_list("number", flat=True),
        *Meeting.objects.values_list("number", flat=True),
    ]
    assert len(numbers) == len(set(numbers))


def test_the_demo_resident_can_cosign_vote_and_rate_through_the_services(demo):
    # given
    user = User.objects.get(username="demo-resident")
    resident = Resident.objects.select_related("household__building").get(user=user)
    actor = Actor.for_user(user)
    compound = resident.household.building.compound_id
    to_cosign = Topic.objects.filter(compound=compound, status="cosigning").exclude(
        cosign_rows__resident=resident
    )
    votes = AgendaItem.objects.filter(vote_state="open", topic__compound=compound,
                                      meeting__status="in_session", closes_at__gt=timezone.now())  # fmt: skip
    done = Outcome.objects.get(status="done", topic__cosign_rows__resident=resident)
    assert to_cosign.count() == 1 and votes.count() == 2
    assert {v.rule for v in votes} == {"owners", "majority"}
    assert not done.reviews.filter(user=user).exists()
    topics_of_mine = Topic.objects.filter(proposer_resident=resident)
    assert list(topics_of_mine.values_list("status", flat=True)) == ["accepted"]

    # when
    cosigned = s.topic_cosign(actor=actor, topic_id=to_cosign.get().pk)
    ballots = [s.ballot_cast(actor=actor, item_id=v.pk, choice="yes") for v in votes]
    review = s.outcome_rate(actor=actor, outcome_id=done.pk, rating="satisfied")

    # then
    assert cosigned.cosigners == TopicCosign.objects.filter(topic=cosigned).count()
    assert {b.household_id for b in ballots if b.household_id} == {resident.household_id}
    assert review.outcome.pk == done.pk


def test_a_second_load_adds_nothing(demo):
    # given
    before = {
        m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.managed
    }
    audits = AuditRecord.objects.count()

    # when
    out = StringIO()
    call_command("demo", residents=300, stdout=out)

    # then
    assert "未做任何改动" in out.getvalue()
    after = {
        m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.managed
    }
    assert after == before
    assert AuditRecord.objects.count() == audits
    assert Region.objects.filter(code=ZHANQIAN).exists()
