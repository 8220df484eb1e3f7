"""What the desk holds about a resident, for their copy and for the erasure
once the retention period after 迁出 has passed (``core.registry``).

A case and a one-time notice keep the applicant as they applied (name, ID
and phone numbers: a snapshot, not a link to the register). A case is the
resident's when it is linked to their register row or, unlinked, carries
their ID number's blind index in the same district; a notice only by the
index. The erasure clears the snapshot and the case's filled-in form, and
takes the person's name and numbers out of the case's note and timeline;
the rows stay (the item, dates, outcome and rating still count in the
figures).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q
from django.utils import timezone

from shequ.core.pii import decrypt, encrypt
from shequ.core.privacy import redact, redactions, timeline_redact
from shequ.core.registry import ErasureSubject, PersonalData
from shequ.desk.models import Case, Notice
from shequ.residents.models import ERASED_NAME

ROWS_LIMIT = 1000


def _blank() -> dict[str, object]:
    return {
        "applicant_name": ERASED_NAME,
        "id_number_enc": encrypt(""),
        "id_number_index": "",
        "id_number_tail": "",
        "phone_enc": encrypt(""),
        "phone_head": "",
        "phone_tail": "",
    }


def erase_applicant(subject: ErasureSubject) -> Mapping[str, int]:
    mine = Q(resident_id=subject.resident_id)
    if subject.id_number_index:
        mine |= Q(district_id=subject.district_id, id_number_index=subject.id_number_index)
    case_ids = list(Case.objects.filter(mine).values_list("pk", flat=True))
    notice_ids: list[int] = []
    if subject.id_number_index:
        notice_ids = list(
            Notice.objects.filter(
                district_id=subject.district_id, id_number_index=subject.id_number_index
            ).values_list("pk", flat=True)
        )
    replace = redactions(subject)
    for case in Case.objects.filter(pk__in=case_ids).only("pk", "note"):
        note = redact(case.note, replace)
        Case.objects.filter(pk=case.pk).update(**_blank(), form_data={}, note=note)
    Notice.objects.filter(pk__in=notice_ids).update(**_blank())
    events = timeline_redact(Case, case_ids, replace) + timeline_redact(Notice, notice_ids, replace)
    return {"cases": len(case_ids), "notices": len(notice_ids), "events": events}


def _plain(blob) -> str:
    return decrypt(blob) if blob else ""


def applicant_data(resident_id: int, user_id: int | None) -> list[PersonalData]:
    cases = (
        Case.objects.filter(resident_id=resident_id)
        .select_related("item")
        .order_by("-submitted_at", "-id")[:ROWS_LIMIT]
    )
    rows = tuple(
        (
            c.receipt_no,
            c.item.name,
            c.applicant_name,
            _plain(c.id_number_enc),
            _plain(c.phone_enc),
            f"{timezone.localtime(c.submitted_at):%Y-%m-%d %H:%M}",
            c.get_status_display(),
        )
        for c in cases
    )
    if not rows:
        return []
    columns = ("受理编号", "事项", "申请人", "身份证号", "联系电话", "申请时间", "状态")
    return [PersonalData("办件申请人信息", columns, rows)]
