"""Appeals on the workbench: a resident's appeal waits on every triage
worker's workbench (and bell) until one triages it; it then sits under the
owner's own line; a reopened appeal notifies its owner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.appeals.selectors import AppealFilters, appeal_list
from shequ.appeals.services import appeal_close, appeal_reopen, appeal_triage
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.models import Notification
from shequ.core.workbench import workbench_for

pytestmark = pytest.mark.django_db


def _line(bench, label: str, kind: str = "todo"):
    lines = bench.todos if kind == "todo" else bench.alerts
    found = [line for line in lines if line.todo.label == label]
    return found[0] if found else None


def test_appeal_waits_for_triage_then_moves_to_its_owner(tree, folks, people, clock):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    notified = set(
        Notification.objects.filter(kind="appeal.submitted").values_list("recipient", flat=True)
    )
    assert notified == {people.worker.pk, people.secretary.pk}
    for actor in (folks.worker, folks.secretary):
        line = _line(workbench_for(actor=actor), "居民诉求待分办")
        assert (line.todo.count, line.todo.due) == (1, appeal.triage_due)
        waiting = appeal_list(actor=actor, filters=AppealFilters(status="submitted"))
        assert line.todo.count == waiting.count()
    assert line.todo.url == f"{reverse('appeals:list')}?status=submitted"
    assert workbench_for(actor=folks.other_worker).todos == []

    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")

    bench = workbench_for(actor=folks.worker)
    assert _line(bench, "居民诉求待分办") is None
    assert _line(bench, "我首接负责的诉求").todo.count == 1
    assert _line(workbench_for(actor=folks.secretary), "我首接负责的诉求") is None

    appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="已协调饭店缩短营业时间")
    assert _line(workbench_for(actor=folks.worker), "我首接负责的诉求") is None
    appeal_reopen(actor=folks.resident_actor, appeal_id=appeal.pk, reason="噪音依旧")
    reopened = Notification.objects.get(kind="appeal.reopened")
    assert (reopened.recipient, reopened.url) == (
        people.worker,
        reverse("appeals:detail", args=[appeal.pk]),
    )


def test_late_triage_is_an_alert_of_the_street(tree, folks, people, clock):
    from shequ.core.scope import Actor

    appeal = raise_appeal(folks.resident_actor, tree.community)
    # Three days past the deadline, all of them 国庆 holidays: late, by no working day.
    clock.set(appeal.triage_due.isoformat())
    clock.advance(days=3)
    officer = Actor.for_user(people.street_officer)
    bench = workbench_for(actor=officer)
    alert = _line(bench, "诉求分办已超期", kind="alert")
    assert (alert.todo.count, alert.late, alert.days_left, alert.due_text) == (1, True, 0, "已超期")
    clock.advance(days=5)  # 10-08, a working day after the holidays
    alert = _line(workbench_for(actor=officer), "诉求分办已超期", kind="alert")
    assert alert.due_text == "超期1个工作日"
    assert [(c.community, c.overdue) for c in bench.communities] == [(tree.community, 1)]


def test_resident_is_asked_to_rate_a_closed_appeal_until_they_do(tree, folks, clock):
    from shequ.appeals.services import appeal_rate

    appeal = raise_appeal(folks.resident_actor, tree.community)
    assert workbench_for(actor=folks.resident_actor).todos == []
    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")
    appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="已协调")

    line = _line(workbench_for(actor=folks.resident_actor), "我的诉求已办结，待评价")
    assert (line.todo.count, line.todo.url) == (1, reverse("appeals:mine"))
    assert workbench_for(actor=folks.neighbour_actor).todos == []

    appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="satisfied")
    assert workbench_for(actor=folks.resident_actor).todos == []
