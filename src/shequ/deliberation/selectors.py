"""Reads of resident deliberation within the actor's scope.

- Staff, street officers and inspectors (``deliberation.view``) see the
  topics, meetings and outcomes of the communities their grant covers.
- A building head sees the topics of their compound (a building-level one
  only for their own building), the meetings that discuss them and their
  outcomes.
- A department (unit) liaison sees only the outcomes addressed to the bodies
  it speaks for: no topic, no meeting.
- A resident (``deliberation.take_part``) reads their community's open
  topics, votes, decisions under publicity and outcomes, and acts on those
  of their own compound (building); the public page shows every community's
  published decisions and outcome progress to anyone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.models import Region, RegionLevel, TimelineEvent
from shequ.core.scope import Actor
from shequ.core.words import content_words, rank_by_shared_words
from shequ.core.workdays import local_today
from shequ.core.workflow import timeline_for
from shequ.deliberation.models import (
    OPEN_TOPIC_STATES,
    AgendaItem,
    Ballot,
    ConsultationAdoption,
    ConsultationItem,
    Invitee,
    Meeting,
    MeetingState,
    Objection,
    Outcome,
    OutcomeReview,
    OutcomeState,
    OutcomeTask,
    TaskState,
    Topic,
    TopicCosign,
    TopicPhoto,
    TopicState,
    VoteState,
)
from shequ.residents.models import Resident
from shequ.whistles.models import Department, Unit
from shequ.whistles.scope import is_liaison, liaison_bodies

SIMILAR_LIMIT = 5
SIMILAR_POOL = 1000


# -- scope -------------------------------------------------------------------------------------


def _head_topic_q(actor: Actor, prefix: str = "") -> Q:
    """A building head's topics: their building's, and their compound's own."""
    region = actor.region
    if region is None or region.level != RegionLevel.BUILDING:
        return Q(pk__in=[])
    return Q(**{f"{prefix}building_id": region.pk}) | Q(
        **{f"{prefix}building__isnull": True, f"{prefix}compound_id": region.compound_id}
    )


def _below_community(actor: Actor) -> bool:
    return actor.region is not None and actor.region.level > RegionLevel.COMMUNITY


def topic_q(actor: Actor, prefix: str = "") -> Q:
    """Rows (topics, or rows whose ``prefix`` leads to a topic) in scope."""
    if is_liaison(actor):
        return Q(pk__in=[])
    if _below_community(actor):
        return _head_topic_q(actor, prefix)
    return actor.scope_q(community=f"{prefix}community")


def topics_in_scope(actor: Actor) -> QuerySet[Topic]:
    actor.require("deliberation.view")
    return Topic.objects.filter(topic_q(actor))


def meetings_in_scope(actor: Actor) -> QuerySet[Meeting]:
    actor.require("deliberation.view")
    if is_liaison(actor):
        return Meeting.objects.none()
    if _below_community(actor):
        on_agenda = AgendaItem.objects.filter(
            _head_topic_q(actor, "topic__"), meeting=OuterRef("pk")
        )
        return Meeting.objects.filter(Exists(on_agenda))
    return Meeting.objects.filter(actor.scope_q(community="community"))


def outcome_q(actor: Actor, prefix: str = "") -> Q:
    if is_liaison(actor):
        bodies = liaison_bodies(actor)
        return Q(**{f"{prefix}department_id__in": sorted(bodies.department_ids)}) | Q(
            **{f"{prefix}unit_id__in": sorted(bodies.unit_ids)}
        )
    return topic_q(actor, f"{prefix}topic__") if _below_community(actor) else (
        actor.scope_q(community=f"{prefix}community"))  # fmt: skip


def outcomes_in_scope(actor: Actor) -> QuerySet[Outcome]:
    actor.require("deliberation.view")
    return Outcome.objects.filter(outcome_q(actor))


# -- topics ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicFilters:
    q: str = ""  # number (prefix) or a word of the title
    status: str = ""  # a TopicState, or "open"
    category: str = ""
    overdue: bool = False  # waiting for review past its deadline
    region_id: int | None = None  # a street or community of the figures' drill-down


def _in_region(qs: QuerySet[Any], region_id: int | None) -> QuerySet[Any]:
    if region_id is None:
        return qs
    return qs.filter(Q(community_id=region_id) | Q(community__street_id=region_id))


def topic_list(*, actor: Actor, filters: TopicFilters | None = None) -> QuerySet[Topic]:
    return _filtered(topics_in_scope(actor), filters or TopicFilters())


def _filtered(qs: QuerySet[Topic], f: TopicFilters) -> QuerySet[Topic]:
    q = f.q.strip()
    if q:
        qs = qs.filter(number__startswith=q) if q.isdigit() else qs.filter(title__contains=q)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_TOPIC_STATES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.overdue:
        qs = qs.filter(status=TopicState.REVIEW, review_due__lt=local_today())
    qs = _in_region(qs, f.region_id)
    return qs.select_related("community", "compound", "building").order_by("-proposed_at", "-id")


def topic_get(*, actor: Actor, topic_id: int) -> Topic:
    topic = (
        topics_in_scope(actor)
        .select_related(
            "community",
            "compound",
            "building",
            "item",
            "item_version",
            "proposer_resident",
            "reviewed_by",
            "merged_into",
        )  # fmt: skip
        .filter(pk=topic_id)
        .first()
    )
    if topic is None:
        raise NotFound("议题不存在，或不在您的管辖范围内。")
    return topic


def topic_photos(*, topic: Topic) -> list[TopicPhoto]:
    return list(TopicPhoto.objects.filter(topic=topic).order_by("id"))


def photo_get(*, actor: Actor, photo_id: int) -> TopicPhoto:
    photo = TopicPhoto.objects.filter(topic_q(actor, "topic__"), pk=photo_id).first()
    if photo is None or not actor.can("deliberation.view"):
        raise NotFound("照片不存在，或不在您的管辖范围内。")
    return photo


def topic_timeline(*, topic: Topic) -> QuerySet[TimelineEvent]:
    return timeline_for(topic)


def topic_agenda(*, topic: Topic) -> list[AgendaItem]:
    return list(topic.agenda_items.select_related("meeting").order_by("meeting__starts_at"))


@dataclass(frozen=True)
class Similar:
    topic: Topic
    score: int
    shared: tuple[str, ...]


def similar_topics(topic: Topic, *, limit: int = SIMILAR_LIMIT) -> list[Similar]:
    """Open topics of the same community sharing content words with ``topic``
    (to merge at review), most words first, newest first among equals."""
    words = topic.keywords.split() or content_words(f"{topic.title} {topic.description}")
    if not words:
        return []
    rows = (
        Topic.objects.filter(community_id=topic.community_id, status__in=OPEN_TOPIC_STATES)
        .exclude(pk=topic.pk)
        .order_by("-proposed_at", "-id")
        .values_list("pk", "keywords")[:SIMILAR_POOL]
    )
    top = rank_by_shared_words(words, rows, limit)
    loaded = Topic.objects.select_related("compound", "building").in_bulk([t[0] for t in top])
    return [Similar(loaded[pk], score, shared) for pk, score, shared in top if pk in loaded]


def accepted_topics(*, community: Region) -> list[Topic]:
    """Topics of the community waiting for a meeting, for scheduling one."""
    return list(
        Topic.objects.filter(community=community, status=TopicState.ACCEPTED)
        .select_related("item_version", "compound", "building")
        .order_by("proposed_at", "id")
    )


def places(*, community: Region) -> list[Region]:
    """The community's compounds and buildings, in tree order."""
    return list(
        Region.objects.filter(
            community=community, level__in=(RegionLevel.COMPOUND, RegionLevel.BUILDING)
        ).order_by("compound_id", "level", "code")
    )


def actor_community(actor: Actor) -> Region | None:
    """The one community an actor works in (None at street or district level)."""
    ids = actor.community_ids
    if len(ids) != 1:
        return None
    return Region.objects.filter(pk=ids[0]).first()


def departments(*, district_id: int) -> list[Department]:
    """The district's active departments (a whistle's lead, an outcome's owner)."""
    return list(Department.objects.filter(district_id=district_id, active=True).order_by("name"))


def units(*, district_id: int) -> list[Unit]:
    return list(Unit.objects.filter(district_id=district_id, active=True).order_by("name"))


# -- the catalog -------------------------------------------------------------------------------


@dataclass
class CatalogRow:
    item: ConsultationItem
    adopted: bool


def catalog(*, district_id: int, community: Region | None = None) -> list[CatalogRow]:
    """The district's items (and the community's local ones), with whether the
    community uses each; grouped by category in the template."""
    qs = ConsultationItem.objects.filter(district_id=district_id, retired_at__isnull=True)
    qs = qs.filter(Q(community__isnull=True) | Q(community=community)) if community else (
        qs.filter(community__isnull=True))  # fmt: skip
    adopted: set[int] = set()
    if community is not None:
        adopted = set(ConsultationAdoption.objects.filter(community=community, active=True)
                      .values_list("item_id", flat=True))  # fmt: skip
    rows = qs.select_related("current_version").order_by("category", "code")
    return [CatalogRow(i, i.community_id is not None or i.pk in adopted) for i in rows]


def usable_items(*, community: Region) -> list[ConsultationItem]:
    """The items a topic of the community may be raised under."""
    adopted = ConsultationAdoption.objects.filter(
        community=community, active=True, item=OuterRef("pk")
    )
    return list(
        ConsultationItem.objects.filter(retired_at__isnull=True, current_version__isnull=False)
        .filter(Q(community=community) | Q(community__isnull=True, district_id=community.district_id))
        .filter(Q(community=community) | Exists(adopted))
        .select_related("current_version")
        .order_by("category", "code")
    )  # fmt: skip


# -- meetings ----------------------------------------------------------------------------------


def meeting_list(*, actor: Actor, status: str = "") -> QuerySet[Meeting]:
    qs = meetings_in_scope(actor)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("community", "compound")
        .annotate(topics=Count("agenda", distinct=True))
        .order_by("-starts_at", "-id")
    )


def meeting_get(*, actor: Actor, meeting_id: int) -> Meeting:
    meeting = (
        meetings_in_scope(actor)
        .select_related("community", "compound")
        .prefetch_related(
            Prefetch(
                "agenda", queryset=AgendaItem.objects.select_related("topic").order_by("order")
            ),
            Prefetch("invitees", queryset=Invitee.objects.order_by("id")),
        )  # fmt: skip
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound("会议不存在，或不在您的管辖范围内。")
    return meeting


def ballots_cast(*, meeting: Meeting) -> dict[int, int]:
    """How many ballots each agenda item of the meeting has so far."""
    rows = (
        Ballot.objects.filter(item__meeting=meeting)
        .values("item_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["item_id"]: r["n"] for r in rows}


def voted_invitees(*, meeting: Meeting) -> set[tuple[int, int]]:
    """(agenda item, invitee) pairs that have a ballot (who voted, never how)."""
    return set(
        Ballot.objects.filter(item__meeting=meeting, invitee__isnull=False).values_list(
            "item_id", "invitee_id"
        )
    )


def meeting_objections(*, meeting: Meeting) -> list[Objection]:
    return list(
        Objection.objects.filter(item__meeting=meeting)
        .select_related("item__topic", "answered_by")
        .order_by("id")
    )


def meeting_timeline(*, meeting: Meeting) -> QuerySet[TimelineEvent]:
    return timeline_for(meeting)


def residents_for_invite(*, meeting: Meeting, q: str) -> list[Resident]:
    """Residents of the meeting's community (its compound, if it has one) by
    name, to invite as representatives."""
    q = q.strip()
    if not q:
        return []
    qs = Resident.objects.current().filter(community_id=meeting.community_id, name__contains=q[:20])
    if meeting.compound_id is not None:
        qs = qs.filter(household__building__compound_id=meeting.compound_id)
    return list(qs.select_related("household__building").order_by("name", "id")[:20])


# -- outcomes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeFilters:
    status: str = ""
    category: str = ""
    overdue: bool = False  # has a task past its due date
    region_id: int | None = None


def outcome_list(*, actor: Actor, filters: OutcomeFilters | None = None) -> QuerySet[Outcome]:
    f = filters or OutcomeFilters()
    qs = outcomes_in_scope(actor)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.overdue:
        late = OutcomeTask.objects.filter(outcome=OuterRef("pk"), due__lt=local_today()).exclude(
            status=TaskState.DONE
        )
        qs = qs.filter(Exists(late))
    qs = _in_region(qs, f.region_id)
    return qs.select_related("community", "compound", "topic").order_by("-created_at", "-id")


def outcome_get(*, actor: Actor, outcome_id: int) -> Outcome:
    outcome = (
        outcomes_in_scope(actor)
        .select_related("community", "compound", "topic", "agenda_item__meeting", "department", "unit")
        .prefetch_related(Prefetch("tasks", queryset=OutcomeTask.objects.select_related("whistle")
                                   .order_by("order")))
        .filter(pk=outcome_id)
        .first()
    )  # fmt: skip
    if outcome is None:
        raise NotFound("协商成果不存在，或不在您的管辖范围内。")
    return outcome


def outcome_timeline(*, outcome: Outcome) -> QuerySet[TimelineEvent]:
    return timeline_for(outcome)


# -- the resident's phone page -----------------------------------------------------------------


def own_resident(*, actor: Actor) -> Resident | None:
    if actor.user is None:
        return None
    return (
        Resident.objects.filter(user=actor.user)
        .select_related("community", "household__building__compound")
        .first()
    )


def _lives_q(resident: Resident, prefix: str = "") -> Q:
    """Rows whose topic is where ``resident`` lives (or is community-wide)."""
    building = resident.household.building
    return (
        Q(**{f"{prefix}building_id": building.pk})
        | Q(**{f"{prefix}building__isnull": True, f"{prefix}compound_id": building.compound_id})
        | Q(**{f"{prefix}compound__isnull": True, f"{prefix}community_id": resident.community_id})
    )


@dataclass
class ResidentBoard:
    """What a resident can do in deliberation now, newest first."""

    resident: Resident
    to_cosign: list[Topic] = field(default_factory=list)
    mine: list[Topic] = field(default_factory=list)
    votes: list[AgendaItem] = field(default_factory=list)
    publicity: list[AgendaItem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    cosigned: set[int] = field(default_factory=set)
    voted: set[int] = field(default_factory=set)
    rated: set[int] = field(default_factory=set)
    can_rate: set[int] = field(default_factory=set)
    objected: set[int] = field(default_factory=set)


def resident_board(*, actor: Actor, resident: Resident) -> ResidentBoard:
    """The resident's page: topics of their compound to co-sign, their own
    topics, votes they may cast now, decisions under publicity, outcomes."""
    board = ResidentBoard(resident)
    here = _lives_q(resident)
    board.to_cosign = list(
        Topic.objects.filter(here, status=TopicState.COSIGNING, community_id=resident.community_id)
        .exclude(proposer_resident=resident)
        .select_related("compound", "building")
        .order_by("-proposed_at")[:30]
    )
    board.mine = list(
        Topic.objects.filter(proposer_resident=resident)
        .select_related("compound", "building")
        .order_by("-proposed_at")[:30]
    )
    ids = [t.pk for t in board.to_cosign]
    board.cosigned = set(
        TopicCosign.objects.filter(resident=resident, topic_id__in=ids).values_list(
            "topic_id", flat=True
        )
    )
    now = timezone.now()
    open_votes = (
        AgendaItem.objects.filter(_lives_q(resident, "topic__"), community_id=resident.community_id,
                                  vote_state=VoteState.OPEN, meeting__status=MeetingState.IN_SESSION)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gte=now))
        .select_related("meeting", "topic")
        .order_by("closes_at", "id")[:20]
    )  # fmt: skip
    # A meeting's vote is for its signed-in invitees; an online one and an
    # owners' vote for the residents (households) of the place.
    invited = set(
        Invitee.objects.filter(resident=resident, signed_in_at__isnull=False).values_list(
            "meeting_id", flat=True
        )
    )
    board.votes = [
        i for i in open_votes
        if i.meeting.is_online or i.rule in ("owners", "owners_major") or i.meeting_id in invited
    ]  # fmt: skip
    vote_ids = [i.pk for i in board.votes]
    board.voted = set(
        Ballot.objects.filter(item_id__in=vote_ids)
        .filter(
            Q(resident=resident) | Q(household_id=resident.household_id) | Q(invitee__resident=resident)
        )
        .values_list("item_id", flat=True)
    )  # fmt: skip
    today = local_today()
    board.publicity = list(
        AgendaItem.objects.filter(community_id=resident.community_id, passed=True,
                                  publicity_until__gte=today)
        .select_related("meeting", "topic")
        .order_by("-closed_at")[:20]
    )  # fmt: skip
    board.objected = set(
        Objection.objects.filter(resident=resident, item_id__in=[i.pk for i in board.publicity])
        .values_list("item_id", flat=True)
    )  # fmt: skip
    board.outcomes = list(
        Outcome.objects.filter(_lives_q(resident, "topic__"), community_id=resident.community_id)
        .select_related("topic")
        .order_by("-created_at")[:20]
    )
    done = [o for o in board.outcomes if o.status == OutcomeState.DONE]
    board.rated = set(
        OutcomeReview.objects.filter(user=actor.user, outcome__in=done).values_list(
            "outcome_id", flat=True
        )
    )
    user_id = getattr(actor.user, "pk", 0)
    took = took_part([o.topic_id for o in done], user_id=user_id)
    board.can_rate = {o.pk for o in done if user_id in took[o.topic_id]}
    return board


def took_part(topic_ids: list[int], *, user_id: int | None = None) -> dict[int, set[int]]:
    """topic id -> the accounts that proposed, co-signed or (on their own
    phone, not by a worker's paper record) voted on it; with ``user_id`` only
    that account is looked for."""
    out: dict[int, set[int]] = {t: set() for t in topic_ids}
    if not topic_ids:
        return out
    mine = Q() if user_id is None else Q(user_id=user_id)
    cosigns = TopicCosign.objects.filter(mine, topic_id__in=topic_ids, user__isnull=False)
    by_ballot = Q() if user_id is None else Q(cast_by_id=user_id)
    ballots = Ballot.objects.filter(by_ballot, item__topic_id__in=topic_ids, cast_by__isnull=False,
                                    recorded=False)  # fmt: skip
    by_proposer = Q() if user_id is None else Q(proposer_id=user_id)
    proposers = Topic.objects.filter(by_proposer, pk__in=topic_ids, proposer__isnull=False)
    for topic_id, user in [
        *cosigns.values_list("topic_id", "user_id"),
        *ballots.values_list("item__topic_id", "cast_by_id").distinct(),
        *proposers.values_list("pk", "proposer_id"),
    ]:
        out[topic_id].add(user)
    return out


# -- the public page ---------------------------------------------------------------------------


@dataclass
class PublicBoard:
    community: Region
    publicity: list[AgendaItem]
    outcomes: list[Outcome]
    meetings: list[Meeting]


def public_board(*, code: str) -> PublicBoard:
    """社区协商公开栏: decisions under publicity, upcoming meetings (their
    notice) and every outcome with its progress, for anyone."""
    community = Region.objects.filter(code=code[:32], level=RegionLevel.COMMUNITY).first()
    if community is None:
        raise NotFound("没有这个社区。")
    today = local_today()
    return PublicBoard(
        community,
        list(
            AgendaItem.objects.filter(community=community, passed=True, publicity_until__gte=today)
            .select_related("meeting", "topic")
            .order_by("-closed_at")[:30]
        ),
        list(
            Outcome.objects.filter(community=community)
            .select_related("compound")
            .order_by("-created_at")[:50]
        ),
        list(
            Meeting.objects.filter(
                community=community,
                status__in=(MeetingState.NOTICED, MeetingState.IN_SESSION),
            ).order_by("starts_at")[:10]
        ),
    )


# -- figures -----------------------------------------------------------------------------------


@dataclass
class Figures:
    """协商工作统计 of one region's children (streets, or communities) and of
    the region itself, with the same figures per catalog category."""

    region: Region
    start: dt.date
    end: dt.date
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    categories: list[dict[str, Any]]


FIGURE_KEYS = (
    "raised", "accepted", "meetings", "physical", "quorum", "decisions", "outcomes", "completed",
    "on_time", "ratings", "satisfied",
)  # fmt: skip


def _empty() -> dict[str, Any]:
    return dict.fromkeys(FIGURE_KEYS, 0)


def _ratios(row: dict[str, Any]) -> dict[str, Any]:
    def pct(a: int, b: int) -> Decimal | None:
        return (Decimal(a * 100) / b).quantize(Decimal("0.1")) if b else None

    row["quorum_pct"] = pct(row["quorum"], row["physical"])  # online ones have no quorum
    row["on_time_pct"] = pct(row["on_time"], row["completed"])
    row["satisfied_pct"] = pct(row["satisfied"], row["ratings"])
    return row


def figures(*, actor: Actor, region: Region, start: dt.date, end: dt.date) -> Figures:
    """Counts over [start, end] (dates in Asia/Shanghai): topics raised and
    accepted (reviewed into the pool), meetings held and those that reached
    quorum, decisions passed, outcomes created, completed, on time, and the
    residents' ratings; one row per child region (streets of a district,
    communities of a street), each drilling down to its own figures."""
    actor.require("deliberation.view")
    if is_liaison(actor):
        raise PermissionDenied("部门（单位）联络员只能查看交给本部门（单位）的协商成果。")
    actor.require_region(region)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    if region.level < RegionLevel.COMMUNITY:
        children = list(Region.objects.filter(parent=region).order_by("code"))
        key = "community__street_id" if region.level == RegionLevel.DISTRICT else "community_id"
        where = Q(**{f"community__{region.ancestor_field}": region.pk})
    else:
        children, key, where = [region], "community_id", Q(community_id=region.pk)
    per: dict[int, dict[str, Any]] = defaultdict(_empty)
    cats: dict[str, dict[str, Any]] = defaultdict(_empty)

    def add(qs: QuerySet[Any], by: str, into: dict[Any, dict[str, Any]], **measures: Any) -> None:
        for r in qs.values(by).annotate(**measures).order_by():
            for name in measures:
                into[r[by]][name] += r[name] or 0

    accepted = Q(status__in=(TopicState.ACCEPTED, TopicState.SCHEDULED, TopicState.DECIDED,
                             TopicState.NOT_PASSED))  # fmt: skip
    topics = Topic.objects.filter(where, proposed_at__gte=lo, proposed_at__lt=hi)
    meetings = Meeting.objects.filter(where, opened_at__gte=lo, opened_at__lt=hi)
    decided = AgendaItem.objects.filter(where, closed_at__gte=lo, closed_at__lt=hi, passed=True)
    outcomes = Outcome.objects.filter(where, created_at__gte=lo, created_at__lt=hi)
    done = Q(status=OutcomeState.DONE)
    for by, into in ((key, per), ("category", cats)):
        add(topics, by, into, raised=Count("id"), accepted=Count("id", filter=accepted))
        add(outcomes, by, into, outcomes=Count("id"), completed=Count("id", filter=done),
            on_time=Count("id", filter=done & Q(on_time=True)), ratings=Sum("ratings"),
            satisfied=Sum("satisfied"))  # fmt: skip
    physical = ~Q(form="online")
    add(meetings, key, per, meetings=Count("id"), physical=Count("id", filter=physical),
        quorum=Count("id", filter=physical & Q(quorum_met=True)))  # fmt: skip
    add(decided, key, per, decisions=Count("id"))
    add(decided, "topic__category", cats, decisions=Count("id"))
    rows = [{"region": c, **_ratios(per[c.pk])} for c in children]
    total = _empty()
    for r in rows:
        for k in FIGURE_KEYS:
            total[k] += r[k]
    categories = [{"category": c, **_ratios(v)} for c, v in sorted(cats.items())]
    return Figures(region, start, end, rows, _ratios(total), categories)


# -- the API's readers: staff by their scope, a resident by their community --------------------


def _resident_communities(actor: Actor) -> list[int] | None:
    """None for a reader with ``deliberation.view`` (the selectors above
    apply their scope); a resident (``deliberation.take_part``) reads the rows
    of their own community; anyone else is refused."""
    if actor.can("deliberation.view") or not actor.can("deliberation.take_part"):
        actor.require("deliberation.view")
        return None
    return actor.community_ids


def readable_topics(*, actor: Actor, filters: TopicFilters | None = None) -> QuerySet[Topic]:
    """``topic_list``, or for a resident their community's topics (with the same filters)."""
    ids = _resident_communities(actor)
    if ids is None:
        return topic_list(actor=actor, filters=filters)
    return _filtered(Topic.objects.filter(community_id__in=ids), filters or TopicFilters())


def readable_topic_get(*, actor: Actor, topic_id: int) -> Topic:
    ids = _resident_communities(actor)
    if ids is None:
        return topic_get(actor=actor, topic_id=topic_id)
    topic = (
        Topic.objects.filter(community_id__in=ids, pk=topic_id)
        .select_related("community", "compound", "building", "item", "item_version", "merged_into")
        .first()
    )
    if topic is None:
        raise NotFound("议题不存在，或不在您所在的社区。")
    return topic


def _resident_meetings(ids: list[int]) -> QuerySet[Meeting]:
    """A community's meetings once noticed (one being prepared is not published)."""
    return Meeting.objects.filter(community_id__in=ids).exclude(status=MeetingState.PLANNED)


def readable_meetings(*, actor: Actor, status: str = "") -> QuerySet[Meeting]:
    ids = _resident_communities(actor)
    if ids is None:
        return meeting_list(actor=actor, status=status)
    qs = _resident_meetings(ids)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("community", "compound")
        .annotate(topics=Count("agenda", distinct=True))
        .order_by("-starts_at", "-id")
    )


def readable_meeting_get(*, actor: Actor, meeting_id: int) -> Meeting:
    """``meeting_get``, or for a resident the meeting with its agenda (no invitees)."""
    ids = _resident_communities(actor)
    if ids is None:
        return meeting_get(actor=actor, meeting_id=meeting_id)
    meeting = (
        _resident_meetings(ids)
        .select_related("community", "compound")
        .prefetch_related(
            Prefetch(
                "agenda", queryset=AgendaItem.objects.select_related("topic").order_by("order")
            )
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound("会议不存在，或不在您所在的社区。")
    return meeting


def agenda_item_get(*, actor: Actor, item_id: int) -> AgendaItem:
    """One agenda item of a readable meeting, with its meeting and topic (its vote's result)."""
    ids = _resident_communities(actor)
    meetings = meetings_in_scope(actor) if ids is None else _resident_meetings(ids)
    item = (
        AgendaItem.objects.filter(meeting__in=meetings, pk=item_id)
        .select_related("meeting", "topic")
        .first()
    )
    if item is None:
        raise NotFound("议程不存在，或不在您的管辖范围内。")
    return item
