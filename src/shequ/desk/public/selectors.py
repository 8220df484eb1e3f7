"""Reads of the resident's pages: a case or notice found by its number and
phone digits (no account), and a logged-in resident's online applications.

The public reads take the phone digits the session verified through
``case_lookup`` (which counts and limits wrong guesses), so a row is only
ever shown to someone who knew both."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from django.db.models import QuerySet

from shequ.core.errors import NotFound
from shequ.core.scope import Actor
from shequ.desk.cases.selectors import public_timeline
from shequ.desk.models import Case, CommunityItem, Notice, Review, ServiceItem
from shequ.residents.models import Resident


@dataclass
class PublicRecord:
    """What the applicant sees: a case (with its review and timeline) or a notice."""

    case: Case | None = None
    notice: Notice | None = None
    review: Review | None = None
    timeline: list[dict] = field(default_factory=list)


def public_record(*, receipt_no: str, phone_tail: str) -> PublicRecord | None:
    """The case or one-time notice numbered ``receipt_no`` whose applicant's
    phone ends in ``phone_tail``; None when there is none."""
    case = (
        Case.objects.select_related("community", "item", "version", "window")
        .filter(receipt_no=receipt_no)
        .first()
    )
    if case is not None:
        if not hmac.compare_digest(case.phone_tail, phone_tail):
            return None
        return PublicRecord(
            case=case,
            review=Review.objects.filter(case=case).first(),
            timeline=public_timeline(case=case),
        )
    notice = (
        Notice.objects.select_related("community", "item", "version", "window", "case")
        .filter(number=receipt_no)
        .first()
    )
    if notice is None or not hmac.compare_digest(notice.phone_tail, phone_tail):
        return None
    return PublicRecord(notice=notice)


# -- online applications (网上办事) ---------------------------------------------------------


def own_resident(*, actor: Actor) -> Resident | None:
    """The register entry linked to the resident's account (None: not linked yet)."""
    actor.require("case.apply")
    return Resident.objects.select_related("community").filter(user=actor.user).first()


def apply_items(*, actor: Actor, resident: Resident) -> QuerySet[ServiceItem]:
    """Items the resident's community offers that may be applied for online."""
    actor.require("case.apply")
    adopted = CommunityItem.objects.filter(community_id=resident.community_id, active=True)
    return (
        ServiceItem.objects.filter(
            pk__in=adopted.values("item_id"),
            retired_at__isnull=True,
            current_version__online_allowed=True,
        )
        .select_related("current_version")
        .order_by("category", "code")
    )


@dataclass(frozen=True)
class ApplyItem:
    item: ServiceItem
    adopted: bool  # the resident's community offers it
    online: bool  # the current version may be applied for online

    @property
    def refusal(self) -> str:
        if self.item.retired_at is not None or self.item.current_version_id is None:
            return f"“{self.item.name}”已停用。"
        if not self.adopted:
            return f"您所在社区未开办“{self.item.name}”，不能申请。"
        if not self.online:
            return f"“{self.item.name}”不能网上申请，请携带材料到社区综合服务窗口办理。"
        return ""


def apply_item_get(*, actor: Actor, resident: Resident, item_id: int) -> ApplyItem:
    """An item of the resident's district, with whether they may apply online."""
    actor.require("case.apply")
    item = (
        ServiceItem.objects.select_related("current_version")
        .filter(pk=item_id, district_id=resident.district_id)
        .first()
    )
    if item is None:
        raise NotFound("事项不存在。")
    adopted = CommunityItem.objects.filter(
        community_id=resident.community_id, item=item, active=True
    ).exists()
    version = item.current_version
    return ApplyItem(
        item=item, adopted=adopted, online=bool(version is not None and version.online_allowed)
    )


def my_applications(*, actor: Actor) -> QuerySet[Case]:
    """The resident's own cases (any channel), newest first."""
    actor.require("case.apply")
    user = actor.require_user()
    return (
        Case.objects.filter(resident__user=user)
        .select_related("item", "community")
        .order_by("-submitted_at", "-id")
    )
