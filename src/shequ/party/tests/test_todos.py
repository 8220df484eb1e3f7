"""The party roles' workbench: transfers to work on (overdue ones as an
alert) and probationary members whose probation has ended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.scope import Actor
from shequ.core.workbench import workbench_for
from shequ.party.models import Standing, Transfer
from shequ.party.tests.helpers import member, party_orgs

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"


def test_transfers_and_ripe_probations_reach_the_workbench(tree, people, clock):
    orgs = party_orgs(tree)
    ripe = member(tree.unit, orgs.branch, seq=61, standing=Standing.PROBATIONARY,
                  joined_on=dt.date(2025, 10, 1), probation_ends_on=dt.date(2026, 10, 1))  # fmt: skip
    member(tree.unit, orgs.branch, seq=62, standing=Standing.PROBATIONARY,
           joined_on=dt.date(2026, 3, 1), probation_ends_on=dt.date(2027, 3, 1))  # fmt: skip
    Transfer.objects.create(
        district=tree.district, community=tree.community, number="T1", kind="out",
        reason="moved", resident=ripe.resident, member=ripe, from_org=orgs.branch,
        from_org_name=orgs.branch.name, to_org_name="某村党支部", status="requested",
        requested_on=dt.date(2026, 10, 20), answer_due=dt.date(2026, 10, 27),
        complete_due=dt.date(2026, 11, 19), created_at=timezone.now(),
    )  # fmt: skip
    bench = workbench_for(actor=Actor.for_user(people.party_secretary))
    todos = {line.todo.label: line.todo.count for line in bench.todos}
    alerts = {line.todo.label: line.todo.count for line in bench.alerts}
    assert todos == {"组织关系接转待办理": 1, "预备党员期满待转正": 1}
    assert alerts == {"组织关系接转已超期": 1}
    # a community worker keeps no register: no party lines
    worker = workbench_for(actor=Actor.for_user(people.worker))
    assert not [line for line in worker.todos if "党" in line.todo.label]
