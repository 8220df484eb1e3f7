"""组织关系接转 reads: the transfers the actor's party role keeps (either
side of it), one transfer, the year's counts for the figures, and the
choices the request form offers.

A transfer lives in its working community (the receiver's, or the
sender's for 转出); a branch secretary, whose grant lies below the
community, sees the transfers whose receiving or sending organisation is in
the grant's subtree, and a community the ones it sends away as well as the
ones it receives.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from shequ.core.errors import NotFound
from shequ.core.models import Region
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.party.models import (
    OPEN_TRANSFER_STATES,
    MemberStatus,
    PartyMember,
    PartyOrg,
    Transfer,
    TransferKind,
    TransferReason,
    TransferState,
)
from shequ.party.scope import members_q, region_q
from shequ.party.selectors.orgs import member_orgs

CHOICES_LIMIT = 500


def deciding_region(transfer: Transfer) -> Region | None:
    """Where the side that answers sits: the receiver of 转入 and 区内转移,
    the sender of 转出 (which records the outside organisation's receipt)."""
    org = transfer.from_org if transfer.kind == TransferKind.OUT else transfer.to_org
    return org.region if org is not None else None


def _sides_q(actor: Actor) -> Q:
    return actor.scope_q(community="community", region="to_org__region") | actor.scope_q(
        community="from_org__community", region="from_org__region"
    )


def transfers_q(actor: Actor) -> Q:
    """The transfers the actor may read: only the party roles (names), on
    either side within their grant."""
    if not actor.can("party.members"):
        return Q(pk__in=[])
    return _sides_q(actor)


def _overdue_q(today: dt.date) -> Q:
    """Open past a deadline: no answer by ``answer_due``, or not completed
    while the letter was valid (``complete_due``)."""
    return Q(status=TransferState.REQUESTED, answer_due__lt=today) | Q(
        status__in=OPEN_TRANSFER_STATES, complete_due__lt=today
    )


def _rows(actor: Actor) -> QuerySet[Transfer]:
    return Transfer.objects.filter(transfers_q(actor), district_id=actor.district_id).annotate(
        overdue=ExpressionWrapper(_overdue_q(local_today()), output_field=BooleanField())
    )


def transfer_list(
    *,
    actor: Actor,
    status: str | None = None,
    kind: str | None = None,
    reason: str | None = None,
    year: int | None = None,
    overdue: bool = False,
) -> QuerySet[Transfer]:
    """The list, newest first. ``kind`` may name several kinds ("in,within",
    the figures' 离退休转入); ``year`` is the year of completion; each row
    carries ``overdue``."""
    actor.require("party.members")
    rows = _rows(actor)
    if status == "open":
        rows = rows.filter(status__in=OPEN_TRANSFER_STATES)
    elif status in TransferState.values:
        rows = rows.filter(status=status)
    kinds = [k for k in (kind or "").split(",") if k in TransferKind.values]
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if reason in TransferReason.values:
        rows = rows.filter(reason=reason)
    if year is not None and 2000 <= year <= 2100:
        rows = rows.filter(status=TransferState.COMPLETED, completed_at__year=year)
    if overdue:
        rows = rows.filter(_overdue_q(local_today()))
    return rows.select_related("resident").order_by("-requested_on", "-id")


def transfer_get(*, actor: Actor, transfer_id: int) -> Transfer:
    actor.require("party.members")
    transfer = (
        _rows(actor)
        .filter(pk=transfer_id if 0 < transfer_id < 2**63 else 0)
        .select_related(
            "community",
            "resident__household__unit__building",
            "member",
            "from_org__region",
            "from_org__parent",
            "to_org__region",
            "to_org__parent",
            "created_by",
        )
        .first()
    )
    if transfer is None:
        raise NotFound("组织关系接转不存在或不在您的管辖范围内。")
    return transfer


def transfer_counts(*, actor: Actor, year: int) -> dict[str, int]:
    """The year's figures in the actor's area (no names: ``party.view``):
    completed 转入 ``in``, 转出 ``out``, 区内转移 ``within``; ``retirees_in``,
    retired members whose relationship came to a community (转入 or 区内转移
    for 离退休转回社区, seed 三（五）); and, now, ``open`` and ``overdue``."""
    actor.require("party.view")
    done = Q(status=TransferState.COMPLETED, completed_at__year=year)
    open_ = Q(status__in=OPEN_TRANSFER_STATES)
    counts = Transfer.objects.filter(_sides_q(actor), district_id=actor.district_id).aggregate(
        **{
            kind.value: Count("id", filter=done & Q(kind=kind))
            for kind in (TransferKind.IN, TransferKind.OUT, TransferKind.WITHIN)
        },
        retirees_in=Count(
            "id",
            filter=done
            & Q(kind__in=[TransferKind.IN, TransferKind.WITHIN], reason=TransferReason.RETIRED),
        ),
        open=Count("id", filter=open_),
        overdue=Count("id", filter=_overdue_q(local_today())),
    )
    return {str(key): int(value or 0) for key, value in counts.items()}


# -- what the request form offers ----------------------------------------------------------


def member_choices(*, actor: Actor, kind: str) -> QuerySet[PartyMember]:
    """Active members a request may name: 转出 those the actor keeps; 区内转移
    also those who now live in the actor's area (the receiver asks)."""
    where = members_q(actor)
    if kind == TransferKind.WITHIN:
        where |= region_q(actor, "resident__household__unit")
    return (
        PartyMember.objects.filter(where, district_id=actor.district_id, status=MemberStatus.ACTIVE)
        .select_related("resident", "org")
        .order_by("resident__name", "id")[:CHOICES_LIMIT]
    )


def receiving_orgs(*, actor: Actor, community_id: int | None = None) -> list[PartyOrg]:
    """The actor's standing organisations that may receive a member (of the
    member's home community, when known)."""
    rows = member_orgs(actor=actor)
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    return list(rows)
