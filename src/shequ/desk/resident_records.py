"""A resident's cases on the resident page (``core.registry`` history): staff
see the ones in their scope, linked to the case page; the resident sees
their own, linked to 我的申请."""

from __future__ import annotations

from django.urls import reverse

from shequ.core.registry import HistoryEntry, HistoryProvider
from shequ.core.scope import Actor
from shequ.desk.cases.selectors import cases_in_scope
from shequ.desk.models import Case


def _entries(actor: Actor, resident_id: int, user_id: int | None, limit: int) -> list[HistoryEntry]:
    if "case.view" in actor.permissions:
        qs = cases_in_scope(actor).filter(resident_id=resident_id)
        own = ""
    elif actor.user is not None and user_id == actor.user.pk and "case.apply" in actor.permissions:
        qs = Case.objects.filter(resident_id=resident_id)  # the resident's own
        own = reverse("services:my_applications")
    else:
        return []
    rows = (
        qs.select_related("item")
        .only("pk", "receipt_no", "status", "submitted_at", "item__name")
        .order_by("-submitted_at", "-id")[:limit]
    )
    return [
        HistoryEntry(
            "办件",
            f"{c.receipt_no} {c.item.name}",
            own or reverse("services:case", args=[c.pk]),
            c.submitted_at,
            c.get_status_display(),
        )
        for c in rows
    ]


PROVIDER = HistoryProvider("desk.cases", _entries)
