"""Appeals handed to whistles (吹哨) and to deliberation topics (议事协商): the subscribers of the whistle's hooks
(``shequ.whistles.whistle.events``), connected in ``AppealsConfig.ready()``.

The hand-off runs one way: appeals know whistles, whistles know no appeal.
A whistle raised from appeals asks here to check and lock them (open, not
yet triaged, of the whistle's community), then to link them and move them
to 已吹哨; once the community evaluates the whistle, they are closed with its
result so their residents can rate them.
"""

from __future__ import annotations

from django.urls import reverse

from shequ.appeals.models import Appeal, AppealState
from shequ.appeals.selectors import appeal_get
from shequ.appeals.services import (
    WHISTLE_DECISION,
    appeal_deliberation_close,
    appeal_triage,
    appeal_whistle_close,
    appeal_whistled,
)
from shequ.core.errors import Conflict, DomainError, NotFound, ValidationError
from shequ.deliberation import events as deliberation_events
from shequ.whistles.models import Whistle
from shequ.whistles.whistle import events
from shequ.whistles.whistle.services import title_from

KIND = "appeal"


def source(lookup: events.SourceLookup) -> events.Source | None:
    """The appeal named by the raise form's ``?appeal=<id>``."""
    raw = lookup.params.get(KIND, "")
    if not raw:
        return None
    try:
        appeal = appeal_get(actor=lookup.actor, appeal_id=int(raw))
    except (ValueError, DomainError):
        raise NotFound("要吹哨的诉求不存在，或不在您的管辖范围内。") from None
    return events.Source(
        kind=KIND,
        kind_label="诉求",
        pk=appeal.pk,
        number=appeal.number,
        community_id=appeal.community_id,
        back_url=reverse("appeals:detail", kwargs={"appeal_id": appeal.pk}),
        success_message="已吹哨，诉求转由职能部门办理。",
        hand_off=lambda actor, fields: appeal_triage(
            actor=actor, appeal_id=appeal.pk, decision=WHISTLE_DECISION, whistle=fields
        ),
        prefill={
            "title": title_from(appeal.description),
            "description": appeal.description,
            "category": appeal.category,
            "address": appeal.address,
            "place": appeal.building or appeal.compound,
        },
    )


def claim(request: events.SourcesClaim) -> events.Claim | None:
    ids = request.sources.get(KIND)
    if not ids:
        return None
    appeals = list(Appeal.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(appeals) != len(ids) or any(a.community_id != request.community.pk for a in appeals):
        raise ValidationError("关联诉求不存在，或不属于本社区。", field="appeal_ids")
    for appeal in appeals:
        if appeal.status != AppealState.SUBMITTED:
            raise Conflict(
                f"诉求 {appeal.number} 当前为“{AppealState(appeal.status).label}”，只有待分办的诉求才能吹哨。"
            )
    return events.Claim(kind=KIND, numbers=tuple(a.number for a in appeals))


def raised(event: events.WhistleRaised) -> None:
    ids = event.sources.get(KIND) or []
    if not ids:
        return
    # The appeals are the whistle's community's (``claim``), so of its district.
    event.whistle.appeals.add(*ids, through_defaults={"district_id": event.whistle.district_id})
    for appeal_id in ids:
        appeal_whistled(actor=event.actor, appeal_id=appeal_id, whistle_number=event.whistle.number)


def evaluated(event: events.WhistleEvaluated) -> None:
    whistle = event.whistle
    waiting = Appeal.objects.filter(whistles=whistle, status=AppealState.WHISTLED)
    for appeal_id in waiting.order_by("pk").values_list("pk", flat=True):
        appeal_whistle_close(actor=event.actor, appeal_id=appeal_id, result=whistle.result,
                             whistle_number=whistle.number)  # fmt: skip


def origins(whistle: Whistle) -> list[events.Origin]:
    return [
        events.Origin(
            kind=KIND,
            kind_label="诉求",
            pk=a.pk,
            number=a.number,
            status_label=AppealState(a.status).label,
        )
        for a in Appeal.objects.filter(whistles=whistle).order_by("pk")
    ]


def outcome_done(event: deliberation_events.OutcomeDone) -> None:
    """议事协商: the topic's outcome is done; the appeals put to it close."""
    waiting = Appeal.objects.filter(
        topic_id=event.outcome.topic_id, status=AppealState.DELIBERATION
    )
    for appeal_id in waiting.order_by("pk").values_list("pk", flat=True):
        appeal_deliberation_close(actor=event.actor, appeal_id=appeal_id, result=event.result)


def connect() -> None:
    deliberation_events.outcome_done.subscribe(outcome_done)
    events.whistle_source.subscribe(source)
    events.whistle_sources_claim.subscribe(claim)
    events.whistle_raised.subscribe(raised)
    events.whistle_evaluated.subscribe(evaluated)
    events.whistle_origins.subscribe(origins)
