"""Reads of pairing (结对共建): agreements, their actions and ratings, the
liaison's home and the pairing figures, within the actor's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.models import Region, TimelineEvent
from shequ.core.scope import Actor
from shequ.core.workdays import local_today as local_today  # the pages' today
from shequ.core.workflow import timeline_for
from shequ.whistles.models import (
    AgreementState,
    Commitment,
    Liaison,
    PairingAction,
    PairingAgreement,
    QuarterRating,
)
from shequ.whistles.scope import agreement_q, is_liaison


@dataclass(frozen=True)
class AgreementFilters:
    q: str = ""  # partner name contains
    community_id: int | None = None
    street_id: int | None = None
    partner_kind: str = ""  # "unit" / "department"
    status: str = ""  # an AgreementState
    paper_only: bool | None = None
    unit_id: int | None = None
    department_id: int | None = None


def _agreements(actor: Actor) -> QuerySet[PairingAgreement]:
    actor.require("pairing.view")
    return PairingAgreement.objects.filter(agreement_q(actor))


def agreement_list(
    *, actor: Actor, filters: AgreementFilters | None = None
) -> QuerySet[PairingAgreement]:
    """Agreements in scope with their action counts, newest first."""
    f = filters or AgreementFilters()
    qs = _agreements(actor)
    q = f.q.strip()
    if q:
        qs = qs.filter(Q(unit__name__icontains=q) | Q(department__name__icontains=q))
    if f.community_id is not None:
        qs = qs.filter(community_id=f.community_id)
    if f.street_id is not None:
        qs = qs.filter(community__street_id=f.street_id)
    if f.partner_kind == "unit":
        qs = qs.filter(unit__isnull=False)
    elif f.partner_kind == "department":
        qs = qs.filter(department__isnull=False)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.paper_only is not None:
        qs = qs.filter(paper_only_since__isnull=not f.paper_only)
    if f.unit_id is not None:
        qs = qs.filter(unit_id=f.unit_id)
    if f.department_id is not None:
        qs = qs.filter(department_id=f.department_id)
    last = PairingAction.objects.filter(agreement=OuterRef("pk")).order_by("-date")
    return (
        qs.select_related("community", "unit", "department")
        .annotate(
            action_count=Count("actions", distinct=True),
            has_actions=Exists(last),
        )
        .order_by("-starts_on", "-id")
    )


def agreement_get(*, actor: Actor, agreement_id: int) -> PairingAgreement:
    """One agreement with its commitments, actions (newest first) and ratings;
    out of scope is "not found", never a hint that it exists."""
    actions = PairingAction.objects.select_related("commitment", "logged_by").order_by(
        "-date", "-id"
    )
    found = (
        _agreements(actor)
        .select_related("community", "unit", "department", "created_by")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("id")),
            Prefetch("actions", queryset=actions),
            Prefetch("ratings", queryset=QuarterRating.objects.select_related("rated_by")),
        )
        .filter(pk=agreement_id)
        .first()
    )
    if found is None:
        raise NotFound("没有找到该结对共建协议。")
    return found


def agreement_timeline(*, agreement: PairingAgreement) -> QuerySet[TimelineEvent]:
    return timeline_for(agreement)


@dataclass(frozen=True)
class LiaisonView:
    liaisons: list[Liaison]
    agreements: list[PairingAgreement]


def liaison_home(*, actor: Actor) -> LiaisonView:
    """A liaison's own page: the bodies it speaks for and their agreements."""
    actor.require("pairing.view")
    if not is_liaison(actor) or actor.user is None:
        raise PermissionDenied("该页面供职能部门和驻区单位联络员使用。")
    rows = list(
        Liaison.objects.filter(user=actor.user, district_id=actor.require_district_id())
        .select_related("department", "unit")
        .order_by("id")
    )
    agreements = list(
        agreement_list(actor=actor, filters=AgreementFilters(status=AgreementState.ACTIVE))
    )
    return LiaisonView(liaisons=rows, agreements=agreements)


@dataclass(frozen=True)
class PairingFigures:
    region_id: int
    region: str
    agreements: int
    active: int
    paper_only: int
    actions: int
    hours: Decimal
    people: int


LEVEL_KEYS = {"community": "community", "street": "community__street", "district": "district"}


def pairing_figures(
    *,
    actor: Actor,
    level: str = "community",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[PairingFigures]:
    """Per community / street / district in scope: agreements, active ones,
    paper-only ones, and the actions (count, hours, people) dated within
    ``date_from``..``date_to`` (both optional). Regions without agreements
    are left out. Ordered by region code."""
    if level not in LEVEL_KEYS:
        raise ValueError(f"unknown level {level!r}")
    key = LEVEL_KEYS[level]
    agreements = (
        _agreements(actor)
        .values(key)
        .annotate(
            n=Count("id"),
            active=Count("id", filter=Q(status=AgreementState.ACTIVE)),
            paper=Count(
                "id",
                filter=Q(status=AgreementState.ACTIVE, paper_only_since__isnull=False),
            ),
        )
    )
    actions_qs = PairingAction.objects.filter(agreement_q(actor, prefix="agreement__"))
    if date_from is not None:
        actions_qs = actions_qs.filter(date__gte=date_from)
    if date_to is not None:
        actions_qs = actions_qs.filter(date__lte=date_to)
    action_key = {"community": "community", "street": "community__street", "district": "district"}[
        level
    ]
    actions = {
        row[action_key]: row
        for row in actions_qs.values(action_key).annotate(
            n=Count("id"), hours=Sum("hours"), people=Sum("people")
        )
    }
    ids = [row[key] for row in agreements]
    regions = {r.pk: r for r in Region.objects.filter(pk__in=ids).only("id", "name", "code")}
    out = []
    for row in agreements:
        region = regions[row[key]]
        done = actions.get(row[key], {})
        out.append(
            PairingFigures(
                region_id=region.pk,
                region=region.name,
                agreements=row["n"],
                active=row["active"],
                paper_only=row["paper"],
                actions=done.get("n", 0),
                hours=Decimal(done.get("hours") or 0).quantize(Decimal("0.1")),
                people=done.get("people") or 0,
            )
        )
    out.sort(key=lambda f: regions[f.region_id].code)
    return out
