"""党建引领's lines on the workbench, for the party roles: transfers waiting
for an answer (the overdue ones as an alert) and probationary members whose
probation has ended (待转正)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse

from shequ.core.registry import ToDo, ToDoProvider
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.party.models import OPEN_TRANSFER_STATES, MemberStatus, PartyMember, Standing, Transfer
from shequ.party.scope import members_q
from shequ.party.selectors.transfers import transfers_q


def _url(name: str, **params: object) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def _lines(actor: Actor) -> list[ToDo]:
    today = local_today()
    late = Q(answer_due__lt=today) | Q(complete_due__lt=today)
    open_ = Transfer.objects.filter(
        transfers_q(actor), district_id=actor.district_id, status__in=OPEN_TRANSFER_STATES
    ).aggregate(
        n=Count("pk"), due=Min("answer_due"), late=Count("pk", filter=late),
        late_due=Min("answer_due", filter=late),
    )  # fmt: skip
    ripe = PartyMember.objects.filter(
        members_q(actor), status=MemberStatus.ACTIVE, standing=Standing.PROBATIONARY,
        probation_ends_on__lte=today,
    ).aggregate(n=Count("pk"), due=Min("probation_ends_on"))  # fmt: skip
    return [
        ToDo("组织关系接转待办理", open_["n"], _url("party:transfers", status="open"),
             "urgent" if open_["late"] else "info", due=open_["due"]),
        ToDo("预备党员期满待转正", ripe["n"], _url("party:members", standing="probationary"),
             "warning", due=ripe["due"]),
        ToDo("组织关系接转已超期", open_["late"], _url("party:transfers", overdue="on"), "urgent",
             kind="alert", due=open_["late_due"]),
    ]  # fmt: skip


PROVIDERS = [ToDoProvider("party", "party.member_manage", _lines)]
