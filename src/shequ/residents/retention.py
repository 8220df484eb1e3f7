"""迁出 and the retention of a resident's personal data (PIPL 第十九条、第四十七条).

A resident who leaves the district keeps their row, marked with ``left_at``:
hidden from the register's lists and counts, restorable (撤销迁出) while
the retention period runs. Once ``SHEQU_RESIDENT_RETENTION_DAYS`` (three
years by default) have passed since ``left_at``, ``shequ tick`` erases the
identity: the name, the ID and phone numbers (ciphertext, blind indexes and
the clear parts kept for masks), the day and month of birth, the link to the
resident's account — and, through ``core.registry`` erasure hooks, every
other app's copies of them. The row itself stays: other apps' rows point at
it and the figures of the past keep counting it. Every erasure is audited,
with counts only.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shequ.core import registry
from shequ.core.errors import Conflict, ValidationError
from shequ.core.history import record
from shequ.core.models import ApiToken, Grant, User
from shequ.core.permissions import Role
from shequ.core.pii import decrypt, encrypt
from shequ.core.registry import ErasureSubject
from shequ.core.scope import Actor
from shequ.core.text import clean_text
from shequ.core.workdays import local_today
from shequ.residents.models import ERASED_NAME, LeaveReason, Relation, Resident
from shequ.residents.rollups import region_stats_bump
from shequ.residents.services import _check_head, erased_message

logger = logging.getLogger(__name__)

NOTE_MAX = 200
# Residents erased per run of the tick job; the rest wait for the next run.
ERASE_BATCH = 200


def retention_days() -> int:
    return int(settings.SHEQU_RESIDENT_RETENTION_DAYS)


def erase_due(left_at: dt.date) -> dt.date:
    """The first day on which a resident who left on ``left_at`` is erased."""
    return left_at + dt.timedelta(days=retention_days())


def _locked(resident: Resident) -> Resident:
    return (
        Resident.objects.select_for_update(of=("self",))
        .select_related("household__unit__compound", "household__unit__building")
        .get(pk=resident.pk)
    )


def _clean_left_at(left_at: dt.date | None, resident: Resident) -> dt.date:
    if left_at is None:
        raise ValidationError("请填写迁出日期。", field="left_at")
    if left_at > local_today():
        raise ValidationError("迁出日期不能晚于今天。", field="left_at")
    registered = timezone.localdate(resident.created_at)
    if left_at < registered:
        raise ValidationError(
            f"迁出日期不能早于登记日期（{registered:%Y-%m-%d}）。", field="left_at"
        )
    return left_at


@transaction.atomic
def resident_leave(
    *,
    actor: Actor,
    resident: Resident,
    left_at: dt.date | None,
    reason: str,
    note: str = "",
    new_head: Resident | int | None = None,
) -> Resident:
    """迁出：居民不再是本区在册居民，记录保留，保存期内可撤销。

    A head who leaves while others stay may hand the household to one of
    them (``new_head``), in the same transaction; without one the household
    has no head until a member is made head (the register allows one head at
    most, never requires one).
    """
    actor.require("resident.leave")
    resident = _locked(resident)
    actor.require_region(resident.household.unit)
    if resident.erased_at is not None:
        raise Conflict(erased_message(resident))
    if resident.left_at is not None:
        raise Conflict(f"该居民已于{resident.left_at:%Y-%m-%d}迁出，不能重复办理。")
    if reason not in LeaveReason.values:
        raise ValidationError("请选择迁出原因：迁出本区、死亡或其他。", field="reason")
    note = clean_text(note, field="note", label="迁出说明", max_length=NOTE_MAX, required=False)
    if reason == LeaveReason.OTHER and not note:
        raise ValidationError("迁出原因为“其他”时，请在说明中写明原因。", field="note")
    left_at = _clean_left_at(left_at, resident)
    successor = _successor(resident, new_head)
    resident.left_at, resident.left_reason, resident.left_note = left_at, reason, note
    resident.save(update_fields=["left_at", "left_reason", "left_note", "updated_at"])
    unit = resident.household.unit
    region_stats_bump(unit=unit, residents=-1)
    record(
        actor=actor,
        action="resident.leave",
        obj=resident,
        region=unit,
        changes={
            "left_at": left_at.isoformat(),
            "reason": LeaveReason(reason).label,
            "erase_on": erase_due(left_at).isoformat(),
        },
    )
    if successor is not None:
        old = Relation(successor.relation).label
        successor.relation = Relation.HEAD
        successor.save(update_fields=["relation", "updated_at"])
        record(
            actor=actor,
            action="resident.update",
            obj=successor,
            region=unit,
            changes={"relation": [old, Relation.HEAD.label]},
            message="原户主迁出，改为户主",
        )
    return resident


def _successor(resident: Resident, new_head: Resident | int | None) -> Resident | None:
    if new_head is None or new_head == "":
        return None
    if resident.relation != Relation.HEAD:
        raise ValidationError("只有户主迁出时才能指定新户主。", field="new_head")
    pk = getattr(new_head, "pk", new_head)
    successor = (
        Resident.objects.current()
        .select_for_update(of=("self",))
        .filter(pk=pk, household_id=resident.household_id)
        .exclude(pk=resident.pk)
        .first()
    )
    if successor is None:
        raise ValidationError("新户主须是本户其他在册成员。", field="new_head")
    return successor


@transaction.atomic
def resident_restore(*, actor: Actor, resident: Resident) -> Resident:
    """撤销迁出：保存期内、个人信息删除前，居民回到在册名单。"""
    actor.require("resident.leave")
    resident = _locked(resident)
    actor.require_region(resident.household.unit)
    if resident.erased_at is not None:
        raise Conflict(
            erased_message(resident).rstrip("。") + "，不能撤销迁出；如其迁回，请重新登记。"
        )
    if resident.left_at is None:
        raise Conflict("该居民未迁出，无需撤销。")
    _check_head(
        resident.household,
        resident.relation,
        exclude=resident.pk,
        advice="请先修改现户主的“与户主关系”，再撤销迁出。",
    )
    left_at, reason = resident.left_at, resident.left_reason
    resident.left_at, resident.left_reason, resident.left_note = None, "", ""
    resident.save(update_fields=["left_at", "left_reason", "left_note", "updated_at"])
    unit = resident.household.unit
    region_stats_bump(unit=unit, residents=1)
    record(
        actor=actor,
        action="resident.restore",
        obj=resident,
        region=unit,
        changes={
            "left_at": left_at.isoformat(),
            "reason": LeaveReason(reason).label if reason else "",
        },
    )
    return resident


# -- erasure -------------------------------------------------------------------------------


def _still_registered(resident: Resident, **match: str) -> bool:
    """Whether a current resident of the district holds the same number."""
    return (
        Resident.objects.current()
        .filter(district_id=resident.district_id, **match)
        .exclude(pk=resident.pk)
        .exists()
    )


def _subject(resident: Resident) -> ErasureSubject:
    phone = decrypt(resident.phone_enc) if resident.phone_enc else ""
    still_here = _still_registered(resident, id_number_index=resident.id_number_index)
    phone_here = bool(phone) and _still_registered(resident, phone_index=resident.phone_index)
    return ErasureSubject(
        resident_id=resident.pk,
        district_id=resident.district_id,
        community_id=resident.community_id,
        user_id=resident.user_id,
        name=resident.name,
        id_number=decrypt(resident.id_number_enc),
        phone=phone,
        id_number_index=None if still_here else resident.id_number_index,
        unlinked_phone="" if phone_here else phone,
        erased_name=ERASED_NAME,
    )


def _account_close(user_id: int) -> str:
    """The resident's account: closed and stripped of its name when it was a
    resident's account only; a staff member's account keeps its other roles
    (only the resident role goes)."""
    user = User.objects.select_for_update().get(pk=user_id)
    Grant.objects.filter(user=user, role=Role.RESIDENT).delete()
    if Grant.objects.filter(user=user).exists():
        return "unlinked"
    user.is_active = False
    user.username = f"erased-{user.pk}"
    user.full_name = user.first_name = user.last_name = user.email = ""
    user.set_unusable_password()
    user.save()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return "closed"


@transaction.atomic
def resident_erase(*, actor: Actor, resident: Resident) -> Resident:
    """Erase one resident's identity, with every app's copies (the erasure
    hooks) in the same transaction. Refuses a resident who has not left, or not
    long enough ago."""
    resident = _locked(resident)
    if resident.erased_at is not None:
        return resident
    if resident.left_at is None or erase_due(resident.left_at) > local_today():
        raise Conflict("该居民未迁出或保存期限未满，不能删除个人信息。")
    subject = _subject(resident)
    cleared = {}
    for name, hook in registry.erasure_hooks():
        counts = {k: v for k, v in hook(subject).items() if v}
        if counts:
            cleared[name] = counts
    account = _account_close(resident.user_id) if resident.user_id else ""
    resident.name = ERASED_NAME
    resident.id_number_enc = encrypt("")
    resident.id_number_index = f"erased:{resident.pk}"
    resident.id_number_tail = resident.id_region_code = ""
    resident.phone_enc = None
    resident.phone_index = resident.phone_head = resident.phone_tail = ""
    resident.birth_date = resident.birth_date.replace(month=1, day=1)
    resident.left_note = ""
    resident.user = None
    resident.erased_at = timezone.now()
    resident.save()
    record(
        actor=actor,
        action="resident.erase",
        obj=resident,
        region=resident.household.unit,
        changes={
            "left_at": resident.left_at.isoformat(),
            "retention_days": retention_days(),
            "cleared": cleared,
            "account": account,
        },
        message="保存期满，已删除该居民的姓名、身份证号、手机号和出生月日",
    )
    return resident


def residents_erase_expired() -> int:
    """``shequ tick``: erase the residents whose retention period has run out.
    Each erasure is its own transaction, so one that fails (and is reported)
    does not hold back the others; the next run tries it again."""
    actor = Actor.for_command("shequ tick")
    cutoff = local_today() - dt.timedelta(days=retention_days())
    due = list(
        Resident.objects.filter(left_at__lte=cutoff, erased_at__isnull=True)
        .order_by("left_at", "id")
        .values_list("pk", flat=True)[:ERASE_BATCH]
    )
    erased, failed = 0, []
    for pk in due:
        try:
            with transaction.atomic():
                resident_erase(actor=actor, resident=Resident(pk=pk))
        except Exception:  # noqa: BLE001 - reported below, the others still run
            logger.exception("erasing resident %s failed", pk)
            failed.append(pk)
        else:
            erased += 1
    if failed:
        raise RuntimeError(f"已删除 {erased} 位居民的个人信息，{len(failed)} 位失败：{failed}")
    return erased
