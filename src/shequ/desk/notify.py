"""Who hears of a case's steps (通知 and 短信), called by the desk's services
inside their transaction: the community's workers of a new online
application, the worker who accepted a case of its rating, the secretary of
a rectification to carry out, the applicant (by SMS) of a finished case."""

from __future__ import annotations

from django.urls import reverse

from shequ.core import pii
from shequ.core.models.workbench import NotificationLevel
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify, sms_enqueue, staff_covering
from shequ.desk.models import Case, Notice, Rating, Rectification, Review


def _case_subject(case: Case) -> Subject:
    return Subject.of(case, reverse("services:case", args=[case.pk]))


def case_submitted(actor: Actor, case: Case) -> None:
    """An online application waits for the community's workers."""
    subject = _case_subject(case)
    notify(
        actor=actor,
        recipients=staff_covering(subject=subject, permission="case.accept"),
        subject=subject,
        kind="case.submitted",
        title=f"网上申请待受理：{case.receipt_no} {case.item.name}",
        level=NotificationLevel.WARNING,
    )


def case_reviewed(actor: Actor, review: Review) -> None:
    """The rating received by the worker who accepted the case."""
    case = review.case
    if case.accepted_by_id is None:
        return
    bad = review.rating <= Rating.DISSATISFIED
    notify(
        actor=actor,
        recipients=[case.accepted_by_id],
        subject=_case_subject(case),
        kind="case.reviewed",
        title=f"收到评价：{case.receipt_no} {Rating(review.rating).label}",
        body=review.comment[:200],
        level=NotificationLevel.WARNING if bad else NotificationLevel.INFO,
    )


def rectification_opened(actor: Actor, rect: Rectification) -> None:
    """A bad rating opened a rectification for the community's secretary."""
    subject = Subject.of(rect, reverse("services:rectification", args=[rect.pk]))
    notify(
        actor=actor,
        recipients=staff_covering(subject=subject, permission="rectification.handle"),
        subject=subject,
        kind="rectification.opened",
        title=f"差评待整改：{rect.case.receipt_no}（期限 {rect.due_date:%m-%d}）",
        level=NotificationLevel.WARNING,
    )


def case_completed_sms(case: Case) -> None:
    """短信告知: the applicant's case is finished (sent later by ``shequ tick``)."""
    phone = pii.decrypt(case.phone_enc)
    sms_enqueue(
        district_id=case.district_id,
        phone=phone,
        text=(
            f"您在{case.community.name}申请的“{case.item.name}”（受理编号{case.receipt_no}）"
            "已办结，可凭受理编号查询结果并评价。"
        ),
        kind="case.completed",
    )


def notice_reissued_sms(notice: Notice) -> None:
    """重新告知: the materials list changed; the applicant hears it by SMS."""
    missing = "、".join(m["name"] for m in notice.missing_materials) or "无"
    sms_enqueue(
        district_id=notice.district_id,
        phone=pii.decrypt(notice.phone_enc),
        text=(
            f"您在{notice.community.name}办理的“{notice.item.name}”材料清单已调整，"
            f"新告知单号{notice.number}，尚缺：{missing}。补齐后到窗口即予受理。"
        )[:480],
        kind="notice.reissued",
    )
