"""What appeals hold about a resident, for their copy and for the erasure once
the retention period after 迁出 has passed (``core.registry``).

An appeal keeps its contact (name and phone) as given. It is the resident's
when it is linked to their register row or, unlinked (a hotline call, an
external channel), when its phone is the resident's own: the clear head and
tail narrow the candidates, the ciphertext decides. A "me too" keeps only the
last four digits of a phone. The erasure clears the contact and takes the
person's name and numbers out of the description, the result and the
timeline; the appeal, its category, dates and rating stay for the figures.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from shequ.appeals.models import Appeal, AppealSupporter
from shequ.core.pii import decrypt
from shequ.core.privacy import redact, redactions, timeline_redact
from shequ.core.registry import ErasureSubject, PersonalData

ROWS_LIMIT = 1000


def _unlinked_with_phone(subject: ErasureSubject) -> list[int]:
    phone = subject.unlinked_phone
    if not phone:
        return []
    candidates = Appeal.objects.filter(
        district_id=subject.district_id,
        resident__isnull=True,
        phone_head=phone[:3],
        phone_tail=phone[-4:],
    ).values_list("pk", "phone_enc")
    return [pk for pk, blob in candidates if blob and decrypt(blob) == phone]


def erase_contacts(subject: ErasureSubject) -> Mapping[str, int]:
    linked = list(
        Appeal.objects.filter(resident_id=subject.resident_id).values_list("pk", flat=True)
    )
    ids = linked + _unlinked_with_phone(subject)
    replace = redactions(subject)
    blank = {"contact_name": "", "phone_enc": None, "phone_head": "", "phone_tail": ""}
    texts = ("description", "keywords", "result")
    for appeal in Appeal.objects.filter(pk__in=ids).only("pk", *texts):
        Appeal.objects.filter(pk=appeal.pk).update(
            **blank, **{f: redact(getattr(appeal, f), replace) for f in texts}
        )
    supporters = AppealSupporter.objects.filter(resident_id=subject.resident_id).update(
        phone_tail=""
    )
    events = timeline_redact(Appeal, ids, replace)
    return {"appeals": len(ids), "supporters": supporters, "events": events}


def contact_data(resident_id: int, user_id: int | None) -> list[PersonalData]:
    parts = []
    appeals = Appeal.objects.filter(resident_id=resident_id).order_by("-submitted_at", "-id")[
        :ROWS_LIMIT
    ]
    rows: tuple[tuple[str, ...], ...] = tuple(
        (
            a.number,
            a.contact_name,
            decrypt(a.phone_enc) if a.phone_enc else "",
            "是" if a.anonymous else "否",
            f"{timezone.localtime(a.submitted_at):%Y-%m-%d %H:%M}",
        )
        for a in appeals
    )
    if rows:
        parts.append(
            PersonalData(
                "诉求联系人信息", ("诉求编号", "联系人", "联系电话", "匿名", "提出时间"), rows
            )
        )
    supported = (
        AppealSupporter.objects.filter(resident_id=resident_id)
        .select_related("appeal")
        .order_by("-at", "-id")[:ROWS_LIMIT]
    )
    rows = tuple((s.appeal.number, f"{timezone.localtime(s.at):%Y-%m-%d %H:%M}") for s in supported)
    if rows:
        parts.append(PersonalData("我也遇到", ("诉求编号", "时间"), rows))
    return parts
