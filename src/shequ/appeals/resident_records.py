"""A resident's appeals on the resident page (``core.registry`` history):
staff see the ones in their scope, linked to the appeal page; the resident
sees their own, linked to 我的诉求."""

from __future__ import annotations

from django.urls import reverse

from shequ.appeals.models import Appeal
from shequ.appeals.selectors import appeals_in_scope
from shequ.core.registry import HistoryEntry, HistoryProvider
from shequ.core.scope import Actor
from shequ.core.words import gist


def _entries(actor: Actor, resident_id: int, user_id: int | None, limit: int) -> list[HistoryEntry]:
    if "appeal.view" in actor.permissions:
        qs = appeals_in_scope(actor).filter(resident_id=resident_id)
        own = ""
    elif actor.user is not None and user_id == actor.user.pk and "appeal.self" in actor.permissions:
        qs = Appeal.objects.filter(resident_id=resident_id)  # the resident's own
        own = reverse("appeals:mine")
    else:
        return []
    rows = qs.only("pk", "number", "status", "description", "submitted_at").order_by(
        "-submitted_at", "-id"
    )[:limit]
    return [
        HistoryEntry(
            "诉求",
            f"{a.number} {gist(a.description, 20)}",
            own or reverse("appeals:detail", args=[a.pk]),
            a.submitted_at,
            a.get_status_display(),
        )
        for a in rows
    ]


PROVIDER = HistoryProvider("appeals", _entries)
