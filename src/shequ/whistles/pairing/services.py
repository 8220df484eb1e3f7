"""结对共建: agreements, commitments, actions, quarterly ratings and the
"on paper only" tick job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, ValidationError
from shequ.core.history import Event, record
from shequ.core.models import Region
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.core.selectors import community_in_scope
from shequ.core.text import clean_text
from shequ.core.workdays import local_today
from shequ.core.workflow import Transition, Workflow, transition
from shequ.whistles.checks import (
    MAX_AMOUNT,
    MAX_HOURS,
    MAX_PEOPLE,
    _choice,
    _decimal,
    _int,
    _masked,
    _user,
    clean_phone,
    last_full_quarter,
    phone_columns,
    quarter_bounds,
)
from shequ.whistles.models import (
    COMMITMENT_UNITS,
    ActionKind,
    AgreementState,
    Commitment,
    CommitmentKind,
    Department,
    PairingAction,
    PairingAgreement,
    QuarterRating,
    QuarterScore,
    Unit,
)
from shequ.whistles.scope import covers_agreement

# -- pairing agreements --------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor: Actor,
    community: Region,
    unit: Unit | None = None,
    department: Department | None = None,
    starts_on: dt.date,
    ends_on: dt.date,
    contact_name: str,
    contact_phone: str = "",
    note: str = "",
) -> PairingAgreement:
    """签订结对共建协议：社区与一个驻区单位或一个职能部门结对。"""
    actor.require("pairing.manage")
    community_in_scope(actor=actor, community=community, outside="该社区不在您的管辖范围内。")
    if (unit is None) == (department is None):
        raise ValidationError("请选择一个驻区单位或一个职能部门作为结对方。", field="partner")
    partner: Unit | Department = unit if unit is not None else department  # type: ignore[assignment]
    if partner.district_id != community.district_id:
        raise ValidationError("结对方不在本区。", field="partner")
    if not partner.active:
        raise ValidationError(f"“{partner.name}”已停用，不能结对。", field="partner")
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise ValidationError("请填写协议期限。", field="starts_on")
    if ends_on < starts_on:
        raise ValidationError("结束日期不能早于开始日期。", field="ends_on")
    if (ends_on - starts_on).days > 366 * 10:
        raise ValidationError("协议期限不能超过十年。", field="ends_on")
    name = clean_text(contact_name, field="contact_name", label="对方联系人", max_length=40)
    phone = clean_phone(contact_phone, field="contact_phone")
    note = clean_text(note, field="note", label="说明", max_length=2000, required=False)
    overlapping = PairingAgreement.objects.filter(
        community=community,
        unit=unit,
        department=department,
        status=AgreementState.ACTIVE,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if overlapping.exists():
        raise Conflict(f"本社区与“{partner.name}”在该期间已有履行中的协议。", field="partner")
    agreement = PairingAgreement.objects.create(
        district_id=community.district_id,
        community=community,
        unit=unit,
        department=department,
        starts_on=starts_on,
        ends_on=ends_on,
        contact_name=name,
        note=note,
        created_at=timezone.now(),
        created_by=_user(actor),
        **phone_columns(phone, prefix="contact_phone"),
    )
    record(
        actor=actor,
        action="pairing.create",
        obj=agreement,
        event=Event("create", "签订协议"),
        region=community,
        changes={
            "partner": partner.name,
            "partner_kind": agreement.partner_kind_label,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "contact_name": mask_name(name),
            "contact_phone": _masked(phone),
        },
    )
    return agreement


def _agreement_scope(actor: Actor, obj: Any) -> bool:
    return isinstance(obj, PairingAgreement) and covers_agreement(actor, obj)


_agreement_scope.field_name = "community"  # type: ignore[attr-defined]


def _set_ended(obj: PairingAgreement, actor: Actor, **data: Any) -> list[str]:
    obj.ended_on = local_today()
    obj.paper_only_since = None  # an ended agreement is no longer "on paper"
    return ["ended_on", "paper_only_since"]


PAIRING_FLOW = Workflow(
    name="pairing",
    model=PairingAgreement,
    transitions=[
        Transition(
            "end",
            sources=[AgreementState.ACTIVE],
            target=AgreementState.ENDED,
            label="终止协议",
            permission="pairing.manage",
            apply=_set_ended,
        ),
    ],
    scope=_agreement_scope,
)


def agreement_end(*, actor: Actor, agreement_id: int, reason: str) -> PairingAgreement:
    """终止协议（须说明原因）；记录保留。"""
    reason = clean_text(reason, field="reason", label="终止原因", max_length=500)
    obj = transition(
        workflow=PAIRING_FLOW, actor=actor, obj_or_pk=agreement_id, action="end", note=reason
    )
    assert isinstance(obj, PairingAgreement)  # noqa: S101 - the workflow's model
    return obj


def _locked_agreement(actor: Actor, agreement_id: int, permission: str) -> PairingAgreement:
    actor.require(permission)
    agreement = (
        PairingAgreement.objects.select_for_update(of=("self",))
        .select_related("community", "unit", "department")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None or not covers_agreement(actor, agreement):
        raise NotFound("没有找到该结对共建协议。")
    return agreement


@transaction.atomic
def commitment_add(
    *,
    actor: Actor,
    agreement_id: int,
    kind: str,
    quantity: Any,
    quantity_unit: str = "",
    description: str = "",
) -> Commitment:
    """在协议的共建清单中加一项承诺（车位、场地、志愿服务、资金、技能……）。"""
    agreement = _locked_agreement(actor, agreement_id, "pairing.manage")
    if agreement.status != AgreementState.ACTIVE:
        raise Conflict("协议已终止，不能再加承诺。")
    kind = _choice(kind, CommitmentKind, field="kind", label="承诺类别")
    amount = _decimal(quantity, field="quantity", label="数量", maximum=MAX_AMOUNT)
    unit_text = (
        clean_text(
            quantity_unit, field="quantity_unit", label="单位", max_length=20, required=False
        )
        or COMMITMENT_UNITS[CommitmentKind(kind)]
    )
    description = clean_text(
        description, field="description", label="内容", max_length=300, required=False
    )
    commitment = Commitment.objects.create(
        district_id=agreement.district_id,
        community_id=agreement.community_id,
        agreement=agreement,
        kind=kind,
        quantity=amount,
        quantity_unit=unit_text,
        description=description,
        created_at=timezone.now(),
        created_by=_user(actor),
    )
    data = {"kind": kind, "quantity": str(amount), "unit": unit_text, "description": description}
    record(
        actor=actor,
        action="pairing.commitment_add",
        obj=agreement,
        event=Event("commitment_add", "增加承诺", data=data),
        region=agreement.community,
        changes=data | {"commitment": commitment.pk},
    )
    return commitment


def _paper_only(agreement_id: int, *, start: dt.date) -> bool:
    return not PairingAction.objects.filter(agreement_id=agreement_id, date__gte=start).exists()


# 在职党员双报到 moved to the party module (党建引领 › 双报到): its 服务登记
# writes the pairing twin through ``dual_registration_log``; the kind stays
# for the actions logged here before, which still display and count.
DUAL_REGISTRATION_MOVED = (
    "在职党员双报到已移至“党建引领 › 双报到”：请在那里登记党员报到和服务，"
    "服务会同时计入本协议的共建活动。"
)
NEW_ACTION_KINDS = [c for c in ActionKind.choices if c[0] != ActionKind.DUAL_REGISTRATION]


def _check_date(agreement: PairingAgreement, date: Any) -> dt.date:
    if not isinstance(date, dt.date):
        raise ValidationError("请填写活动日期。", field="date")
    if date > local_today():
        raise ValidationError("活动日期不能晚于今天。", field="date")
    if not agreement.starts_on <= date <= agreement.ends_on:
        raise ValidationError(
            f"活动日期应在协议期限内（{agreement.starts_on}至{agreement.ends_on}）。", field="date"
        )
    return date


def _check_hours(hours: Any) -> Decimal:
    value = _decimal(hours or 0, field="hours", label="服务时长", maximum=MAX_HOURS)
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError("服务时长最多保留一位小数。", field="hours")
    return value


def _action_write(actor: Actor, agreement: PairingAgreement, **fields: Any) -> PairingAction:
    """Write one checked action on the locked ``agreement``, clear its
    "on paper only" flag when the action ends it, record event and audit."""
    action = PairingAction.objects.create(
        district_id=agreement.district_id,
        community_id=agreement.community_id,
        agreement=agreement,
        logged_at=timezone.now(),
        logged_by=_user(actor),
        **fields,
    )
    cleared = False
    if agreement.paper_only_since is not None:
        start, _end = last_full_quarter(local_today())
        if not _paper_only(agreement.pk, start=start):
            agreement.paper_only_since = None
            agreement.save(update_fields=["paper_only_since"])
            cleared = True
    amount = action.amount
    data = {
        "action": action.pk,
        "kind": action.kind,
        "what": action.what,
        "date": action.date.isoformat(),
        "hours": str(action.hours),
        "people": action.people,
        "commitment": action.commitment_id,
        "resources": action.resources,
        "amount": str(amount) if amount is not None else None,
        "member_name": mask_name(action.member_name),
        "paper_only_cleared": cleared,
    }
    record(
        actor=actor,
        action="pairing.action_log",
        obj=agreement,
        event=Event("action_log", "登记共建活动", note=action.what, data=data),
        region=agreement.community,
        changes=data,
    )
    return action


@transaction.atomic
def action_log(
    *,
    actor: Actor,
    agreement_id: int,
    kind: str,
    what: str,
    date: dt.date,
    hours: Any = 0,
    people: Any = 0,
    commitment_id: int | None = None,
    resources: str = "",
    amount: Any = None,
) -> PairingAction:
    """登记共建活动；清除“仅面上”标记。在职党员双报到不在这里登记（见
    ``DUAL_REGISTRATION_MOVED``）。"""
    agreement = _locked_agreement(actor, agreement_id, "pairing.act")
    if agreement.status != AgreementState.ACTIVE:
        raise Conflict("协议已终止，不能再登记活动。")
    if kind == ActionKind.DUAL_REGISTRATION:
        raise ValidationError(DUAL_REGISTRATION_MOVED, field="kind")
    kind = _choice(kind, ActionKind, field="kind", label="活动类别")
    what = clean_text(what, field="what", label="活动内容", max_length=200)
    date = _check_date(agreement, date)
    hours_value = _check_hours(hours)
    people_value = _int(people or 0, field="people", label="参与人数", maximum=MAX_PEOPLE)
    commitment = None
    if commitment_id is not None:
        commitment = Commitment.objects.filter(pk=commitment_id, agreement=agreement).first()
        if commitment is None:
            raise ValidationError("该承诺不属于本协议。", field="commitment")
    resources = clean_text(
        resources, field="resources", label="实际提供的资源", max_length=300, required=False
    )
    amount_value = (
        None
        if amount in (None, "")
        else _decimal(amount, field="amount", label="金额", maximum=MAX_AMOUNT)
    )
    return _action_write(
        actor,
        agreement,
        commitment=commitment,
        kind=kind,
        what=what,
        date=date,
        hours=hours_value,
        people=people_value,
        resources=resources,
        amount=amount_value,
    )


@transaction.atomic
def dual_registration_log(
    *,
    actor: Actor,
    agreement_id: int,
    member_name: str,
    what: str,
    date: dt.date,
    hours: Any,
) -> PairingAction:
    """在职党员双报到的一次服务，记为其单位协议下的共建活动（一人次）, so the
    pairing figures (action counts, hours, 仅面上) keep counting 双报到.

    Called only by the party module's 服务登记 (``party.services.reporting``),
    inside its transaction, after it checked its own permission
    (``party.report_in``), as ``outcome_from`` is called by the vote: this
    checks that the agreement is the actor's and active, and the action."""
    agreement = (
        PairingAgreement.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None or not covers_agreement(actor, agreement):
        raise NotFound("没有找到该结对共建协议。")
    if agreement.status != AgreementState.ACTIVE or agreement.unit_id is None:
        raise Conflict("该单位没有履行中的结对共建协议。")
    member = clean_text(member_name, field="member_name", label="报到党员姓名", max_length=40)
    return _action_write(
        actor,
        agreement,
        kind=ActionKind.DUAL_REGISTRATION,
        what=clean_text(what, field="what", label="服务内容", max_length=200),
        date=_check_date(agreement, date),
        hours=_check_hours(hours),
        people=1,
        member_name=member,
    )


@transaction.atomic
def quarter_rate(
    *, actor: Actor, agreement_id: int, quarter: str, score: Any, comment: str = ""
) -> QuarterRating:
    """社区按季度评价结对方（好/较好/一般/差），每季度一次。"""
    agreement = _locked_agreement(actor, agreement_id, "pairing.rate")
    quarter = str(quarter or "").strip().upper()
    start, end = quarter_bounds(quarter)
    if start > local_today():
        raise ValidationError("不能评价尚未开始的季度。", field="quarter")
    if end < agreement.starts_on or start > agreement.ends_on:
        raise ValidationError("该季度不在协议期限内。", field="quarter")
    try:
        score_value = int(score)
    except (TypeError, ValueError):
        score_value = 0
    if score_value not in QuarterScore.values:
        raise ValidationError("请选择评价：好、较好、一般或差。", field="score")
    comment = clean_text(comment, field="comment", label="评语", max_length=500, required=False)
    if QuarterRating.objects.filter(agreement=agreement, quarter=quarter).exists():
        raise Conflict(f"{quarter}已评价过，每季度只能评价一次。", field="quarter")
    try:
        with transaction.atomic():
            rating = QuarterRating.objects.create(
                district_id=agreement.district_id,
                community_id=agreement.community_id,
                agreement=agreement,
                quarter=quarter,
                score=score_value,
                comment=comment,
                rated_at=timezone.now(),
                rated_by=_user(actor),
            )
    except IntegrityError:
        raise Conflict(f"{quarter}已评价过，每季度只能评价一次。", field="quarter") from None
    data = {"quarter": quarter, "score": QuarterScore(score_value).label, "comment": comment}
    record(
        actor=actor,
        action="pairing.rate",
        obj=agreement,
        event=Event("rate", "季度评价", note=comment, data=data),
        region=agreement.community,
        changes=data,
    )
    return rating


# -- the tick job ---------------------------------------------------------------------------


def pairing_flags_refresh(*, on: dt.date | None = None) -> int:
    """``shequ tick``: flag active agreements with no action since the start of
    the last full quarter as "on paper only" (仅面上), and clear the flag of
    those that have one again. Only changes are written, so running it twice
    changes nothing the second time. Returns how many agreements changed."""
    day = on or local_today()
    start, _end = last_full_quarter(day)
    actor = Actor.for_command("shequ tick")
    recent = PairingAction.objects.filter(date__gte=start).values("agreement_id")
    # Agreements that ran through the whole of that quarter are judged on it.
    judged = PairingAgreement.objects.filter(
        status=AgreementState.ACTIVE, starts_on__lte=start, ends_on__gte=start
    )
    to_flag = judged.filter(paper_only_since__isnull=True).exclude(pk__in=recent)
    to_clear = PairingAgreement.objects.filter(paper_only_since__isnull=False).exclude(
        pk__in=judged.exclude(pk__in=recent).values("pk")
    )
    changed = 0
    with transaction.atomic():
        for agreement in to_flag.select_for_update(of=("self",)).select_related("community"):
            agreement.paper_only_since = start
            agreement.save(update_fields=["paper_only_since"])
            _flag_record(agreement, actor, flagged=True, since=start)
            changed += 1
        for agreement in to_clear.select_for_update(of=("self",)).select_related("community"):
            since = agreement.paper_only_since
            agreement.paper_only_since = None
            agreement.save(update_fields=["paper_only_since"])
            _flag_record(agreement, actor, flagged=False, since=since)
            changed += 1
    return changed


def _flag_record(
    agreement: PairingAgreement, actor: Actor, *, flagged: bool, since: dt.date | None
) -> None:
    data = {"paper_only_since": since.isoformat() if since else None, "flagged": flagged}
    label = "标记为仅面上（上一季度无共建活动）" if flagged else "解除仅面上标记"
    record(
        actor=actor,
        action="pairing.paper_only" if flagged else "pairing.paper_only_clear",
        obj=agreement,
        event=Event("paper_only" if flagged else "paper_only_clear", label, data=data),
        region=agreement.community,
        changes=data,
    )
