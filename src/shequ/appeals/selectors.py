"""Reads of appeals within the actor's scope.

Staff (``appeal.view``) see the appeals of the communities their grant
covers; a building head those placed in their building and those they
registered; a resident (``appeal.self``) their own, and the open ones of
their community they may add "me too" to (without anyone's contact).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shequ.appeals.models import OPEN_STATES, Appeal, AppealPhoto, AppealState, AppealSupporter
from shequ.appeals.text import suggest_category
from shequ.core.errors import NotFound
from shequ.core.models import Grant, Region, RegionLevel, TimelineEvent, User
from shequ.core.permissions import roles_with
from shequ.core.scope import Actor
from shequ.core.words import content_words, rank_by_shared_words
from shequ.core.workdays import local_today
from shequ.core.workflow import timeline_for
from shequ.residents.models import Resident
from shequ.whistles.whistle import selectors as whistle_selectors
from shequ.whistles.whistle.selectors import ProgressStep

DUPLICATE_LIMIT = 5
# Open appeals of one category and place compared at most: the newest ones.
DUPLICATE_POOL = 2000


def appeals_in_scope(actor: Actor) -> QuerySet[Appeal]:
    actor.require("appeal.view")
    scope = actor.scope_q(community="community", region="building")
    region = actor.region
    if region is not None and region.level > RegionLevel.COMMUNITY and actor.user is not None:
        # A building head also sees what they registered elsewhere in the community.
        scope |= Q(submitted_by=actor.user, community_id__in=actor.community_ids)
    return Appeal.objects.filter(scope)


@dataclass(frozen=True)
class AppealFilters:
    q: str = ""  # number (prefix) or a word of the description
    status: str = ""  # an AppealState, or "open"
    category: str = ""
    overdue: bool = False  # waiting for triage past its deadline
    community_id: int | None = None
    mine: bool = False  # owned by the actor (首接负责)


def appeal_list(*, actor: Actor, filters: AppealFilters | None = None) -> QuerySet[Appeal]:
    f = filters or AppealFilters()
    qs = appeals_in_scope(actor)
    q = f.q.strip()
    if q:
        qs = qs.filter(number__startswith=q) if q.isdigit() else qs.filter(description__contains=q)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.overdue:
        qs = qs.filter(status=AppealState.SUBMITTED, triage_due__lt=local_today())
    if f.community_id is not None:
        qs = qs.filter(community_id=f.community_id)
    if f.mine:
        qs = qs.filter(owner=actor.user)
    return qs.select_related("community", "compound", "building", "owner").order_by(
        "-submitted_at", "-id"
    )


def appeal_get(*, actor: Actor, appeal_id: int) -> Appeal:
    appeal = (
        appeals_in_scope(actor)
        .select_related(
            "community",
            "compound",
            "building",
            "owner",
            "submitted_by",
            "triaged_by",
            "closed_by",
            "duplicate_of",
            "resident",
        )
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound("诉求不存在，或不在您的管辖范围内。")
    return appeal


def appeal_photos(*, appeal: Appeal) -> list[AppealPhoto]:
    """The photos of an appeal the caller loaded through a scoped selector."""
    return list(AppealPhoto.objects.filter(appeal=appeal).order_by("id"))


def appeal_timeline(*, appeal: Appeal) -> QuerySet[TimelineEvent]:
    return timeline_for(appeal)


@dataclass(frozen=True)
class WhistleRef:
    """A whistle the appeal was handed to, as its page names it."""

    number: str
    status_label: str
    link_id: int | None  # set only when the viewer may open the whistle's page


def appeal_whistles(*, actor: Actor, appeal: Appeal) -> list[WhistleRef]:
    """The whistles of an appeal loaded through a scoped selector, each
    linkable only if the whistle page would show it to ``actor`` (a building
    head sees the appeal, not the whistle)."""
    whistles = list(appeal.whistles.order_by("raised_at", "id"))
    visible = whistle_selectors.whistles_visible(actor=actor, whistle_ids=[w.pk for w in whistles])
    return [
        WhistleRef(w.number, w.get_status_display(), w.pk if w.pk in visible else None)
        for w in whistles
    ]


def appeal_duplicates(*, appeal: Appeal) -> QuerySet[Appeal]:
    """Appeals merged into this one."""
    return Appeal.objects.filter(duplicate_of=appeal).order_by("submitted_at", "id")


def photo_get(*, actor: Actor, photo_id: int) -> AppealPhoto:
    photo = (
        AppealPhoto.objects.filter(appeal__in=appeals_in_scope(actor).values("pk"))
        .filter(pk=photo_id)
        .first()
    )
    if photo is None:
        raise NotFound("照片不存在，或不在您的管辖范围内。")
    return photo


# -- duplicates and the suggested category ------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    appeal: Appeal
    score: int  # content words shared with the appeal being triaged
    shared: tuple[str, ...]


def duplicate_candidates(appeal: Appeal, *, limit: int = DUPLICATE_LIMIT) -> list[Candidate]:
    """Likely duplicates of ``appeal`` (loaded through a scoped selector): open
    appeals of the same category and the same compound (or community, when it
    has no compound), ranked by the content words they share with it, newest
    first among equals. SQL narrows the pool on the ``appeal_dup`` indexes;
    the words were segmented when each appeal was raised."""
    words = appeal.keywords.split() or content_words(appeal.description)
    if not words:
        return []
    pool = Appeal.objects.filter(
        community_id=appeal.community_id, category=appeal.category, status__in=OPEN_STATES
    ).exclude(pk=appeal.pk)
    if appeal.compound_id is not None:
        pool = pool.filter(compound_id=appeal.compound_id)
    rows = pool.order_by("-submitted_at", "-id").values_list("pk", "keywords")[:DUPLICATE_POOL]
    top = rank_by_shared_words(words, rows, limit)
    loaded = Appeal.objects.select_related("compound", "building").in_bulk([t[0] for t in top])
    return [
        Candidate(appeal=loaded[pk], score=score, shared=shared)
        for pk, score, shared in top
        if pk in loaded
    ]


def suggested_category(appeal: Appeal) -> str | None:
    return suggest_category(appeal.description)


# -- who may take an appeal over -----------------------------------------------------------------


def triage_users(community: Region) -> QuerySet[User]:
    """Active users holding a grant that triages appeals and covers ``community``."""
    regions = [r for r in (community.pk, community.street_id, community.district_id) if r]
    grants = Grant.objects.filter(role__in=roles_with("appeal.triage"), region_id__in=regions)
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by(
        "full_name", "username"
    )


# -- the resident's own pages ---------------------------------------------------------------------


def own_resident(*, actor: Actor) -> Resident | None:
    actor.require("appeal.self")
    return Resident.objects.select_related("community").filter(user=actor.user).first()


def my_appeals(*, actor: Actor) -> QuerySet[Appeal]:
    """The resident's own appeals, newest first, with their photos."""
    actor.require("appeal.self")
    user = actor.require_user()
    return (
        Appeal.objects.filter(Q(resident__user=user) | Q(submitted_by=user, channel="phone"))
        .select_related("community", "compound", "building", "duplicate_of")
        .prefetch_related("photos", "whistles")
        .order_by("-submitted_at", "-id")
    )


def my_whistle_progress(*, appeals: list[Appeal]) -> dict[int, list[list[ProgressStep]]]:
    """Per appeal of ``my_appeals`` that was whistled, the progress of each of
    its whistles in the resident's words, with dates and no staff names."""
    whistles = {w.pk: w for a in appeals for w in a.whistles.all()}
    steps = whistle_selectors.resident_progress(whistles=whistles.values())
    return {
        a.pk: [steps[w.pk] for w in sorted(a.whistles.all(), key=lambda w: (w.raised_at, w.pk))]
        for a in appeals
        if a.whistles.all()
    }


def community_open_appeals(*, actor: Actor, resident: Resident, limit: int = 20) -> list[Appeal]:
    """Open appeals of the resident's community raised by others, newest
    first (what "我也遇到" is offered on). Pages show no contact details."""
    actor.require("appeal.self")
    user = actor.require_user()
    return list(
        Appeal.objects.filter(community_id=resident.community_id, status__in=OPEN_STATES)
        .exclude(resident__user=user)
        .exclude(submitted_by=user)
        .select_related("compound", "building")
        .only(
            "id",
            "number",
            "category",
            "kind",
            "status",
            "description",
            "supporters",
            "submitted_at",
            "compound__name",
            "building__name",
        )
        .order_by("-submitted_at", "-id")[:limit]
    )


def supported_ids(*, actor: Actor, appeal_ids: list[int]) -> set[int]:
    actor.require("appeal.self")
    return set(
        AppealSupporter.objects.filter(user=actor.user, appeal_id__in=appeal_ids).values_list(
            "appeal_id", flat=True
        )
    )


def my_photo_get(*, actor: Actor, photo_id: int) -> AppealPhoto:
    photo = (
        AppealPhoto.objects.filter(appeal__in=my_appeals(actor=actor).values("pk"))
        .filter(pk=photo_id)
        .first()
    )
    if photo is None:
        raise NotFound("照片不存在。")
    return photo


def places(*, community: Region) -> list[Region]:
    """Compounds and buildings of a community, for the place picker."""
    return list(
        Region.objects.filter(
            community_id=community.pk, level__in=[RegionLevel.COMPOUND, RegionLevel.BUILDING]
        )
        .select_related("compound")
        .order_by("code")
    )


def place_get(*, community: Region, place_id: int) -> Region | None:
    return (
        Region.objects.filter(
            pk=place_id,
            community_id=community.pk,
            level__in=[RegionLevel.COMPOUND, RegionLevel.BUILDING, RegionLevel.UNIT],
        )
        .select_related("compound", "building")
        .first()
    )


def actor_communities(*, actor: Actor) -> list[Region]:
    """Communities the actor may register appeals in."""
    return list(Region.objects.filter(pk__in=actor.community_ids).order_by("code"))


def community_residents(*, actor: Actor, community: Region, q: str) -> QuerySet[Resident]:
    actor.require("appeal.create")
    return (
        Resident.objects.current().filter(community=community, name=q.strip()[:40]).order_by("id")
    )
