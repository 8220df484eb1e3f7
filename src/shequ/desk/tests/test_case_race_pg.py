"""Two workers complete the same case at the same moment (PostgreSQL only:
SQLite serialises writers and has no row locks)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from shequ.core.errors import Conflict
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.desk.cases.services import CASE_FLOW, case_complete, case_intake, case_start
from shequ.desk.models import Case, CaseStat, CaseState, Outcome
from shequ.desk.tests.conftest import ALL_MATERIALS, applicant

pytestmark = pytest.mark.django_db(transaction=True)

LOCKED = threading.Event()
RELEASE = threading.Event()
HOLDERS: set[int] = set()  # the users whose completion waits inside its lock


def _hold(case, actor, **data) -> None:
    """A guard that keeps the first completion inside its locked transaction
    until the second one is waiting on the row."""
    if actor.user.pk in HOLDERS:
        LOCKED.set()
        RELEASE.wait(5)


def test_two_workers_complete_one_case_at_once_one_wins(desk):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers and has no row locks; the race is a PostgreSQL test")
    # Earlier (rolled-back) tests may have cached content type ids this
    # committed database never saw: look them up afresh before the race.
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_model(Case)
    # given: an accepted case in progress, and two workers of its community
    case = case_intake(
        actor=desk.worker_actor,
        community=desk.community,
        item=desk.item,
        applicant=applicant(),
        provided=ALL_MATERIALS,
        window=desk.window,
    ).case
    assert case is not None
    case_start(actor=desk.worker_actor, case_id=case.pk)
    complete = CASE_FLOW.get("complete")
    complete.guards.append(_hold)  # type: ignore[attr-defined]
    LOCKED.clear()
    RELEASE.clear()
    HOLDERS.clear()
    HOLDERS.add(desk.worker.pk)
    outcomes: dict[str, str] = {}

    def finish(name: str, actor) -> None:
        try:
            case_complete(actor=actor, case_id=case.pk, note=name, outcome=Outcome.APPROVED)
            outcomes[name] = "ok"
        except Conflict as error:
            outcomes[name] = error.message
        finally:
            connection.close()

    try:
        # when: the worker holds the row lock while the secretary completes too
        a = threading.Thread(target=finish, args=("worker", desk.worker_actor))
        a.start()
        assert LOCKED.wait(5)
        b = threading.Thread(target=finish, args=("secretary", desk.secretary_actor))
        b.start()
        b.join(0.5)
        assert b.is_alive()  # waiting on the worker's row lock
        RELEASE.set()
        a.join(10)
        b.join(10)
    finally:
        complete.guards.remove(_hold)  # type: ignore[attr-defined]
        RELEASE.set()

    # then: the worker wins; the secretary is told the case is already 已办结
    assert outcomes == {
        "worker": "ok",
        "secretary": "该事项当前状态为“已办结”，不能执行“办结”。",
    }
    case.refresh_from_db()
    assert case.status == CaseState.COMPLETED
    assert case.completed_by_id == desk.worker.pk
    assert TimelineEvent.objects.filter(object_id=case.pk, action="complete").count() == 1
    assert AuditRecord.objects.filter(action="case.complete", success=True).count() == 1
    stat = CaseStat.objects.get(community=desk.community)
    assert (stat.accepted, stat.completed, stat.on_time, stat.one_trip) == (1, 1, 1, 1)
