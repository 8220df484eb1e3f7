"""A resident's topics on the resident page (``core.registry`` history):
staff see the ones the resident proposed within their scope, linked to the
topic's page; the resident sees their own, linked to 社区协商."""

from __future__ import annotations

from django.urls import reverse

from shequ.core.registry import HistoryEntry, HistoryProvider
from shequ.core.scope import Actor
from shequ.deliberation.models import Topic
from shequ.deliberation.selectors import topics_in_scope


def _entries(actor: Actor, resident_id: int, user_id: int | None, limit: int) -> list[HistoryEntry]:
    if "deliberation.view" in actor.permissions:
        qs = topics_in_scope(actor).filter(proposer_resident_id=resident_id)
        own = ""
    elif (
        actor.user is not None
        and user_id == actor.user.pk
        and "deliberation.take_part" in actor.permissions
    ):
        qs = Topic.objects.filter(proposer_resident_id=resident_id)
        own = reverse("deliberation:mine")
    else:
        return []
    rows = qs.only("pk", "number", "title", "status", "proposed_at").order_by(
        "-proposed_at", "-id"
    )[:limit]
    return [
        HistoryEntry("议题", f"{t.number} {t.title}", own or reverse("deliberation:topic", args=[t.pk]),
                     t.proposed_at, t.get_status_display())
        for t in rows
    ]  # fmt: skip


PROVIDER = HistoryProvider("deliberation", _entries)
