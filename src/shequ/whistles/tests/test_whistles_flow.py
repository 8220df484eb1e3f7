"""Whistles: the whole flow from an appeal, escalation, dispute and
reassignment, scope, refusals.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import user_with
from shequ.core.tick import run_tick
from shequ.core.workflow import timeline_for
from shequ.whistles.models import Liaison, WhistleDispute, WhistleState
from shequ.whistles.tests.whistle_helpers import blow, other_department, police
from shequ.whistles.whistle import services as whistle_services
from shequ.whistles.whistle.selectors import whistle_get, whistle_list

pytestmark = pytest.mark.django_db


def _liaison_of(tree, department, username):
    user = user_with(Role.DEPARTMENT_LIAISON, tree.district, username)
    Liaison.objects.create(user=user, district=tree.district, department=department)
    return Actor.for_user(user)


def test_escalation_street_then_district_idempotent(tree, people, clock):
    whistle = blow(people, tree.community, urgency="urgent")  # report-in due in 2 hours
    assert run_tick(only="whistles_escalate")[0].result == 0
    clock.advance(hours=2, minutes=1)
    assert run_tick(only="whistles_escalate")[0].result == 1
    assert run_tick(only="whistles_escalate")[0].result == 0
    whistle.refresh_from_db()
    assert whistle.escalation == 1
    clock.advance(hours=2)  # overdue by one more limit
    assert run_tick(only="whistles_escalate")[0].result == 1
    assert run_tick(only="whistles_escalate")[0].result == 0
    whistle.refresh_from_db()
    assert whistle.escalation == 2
    events = [e for e in timeline_for(whistle) if e.action == "escalate"]
    assert [e.action_label for e in events] == ["街道督办", "区级督办"]
    assert events[0].data["notice_to"].startswith("站前派出所")
    assert (
        AuditRecord.objects.filter(action="whistle.escalate", object_id=str(whistle.pk)).count()
        == 2
    )


def test_resolution_overdue_escalates(tree, people, clock):
    whistle = blow(people, tree.community)
    liaison = Actor.for_user(people.department_liaison)
    whistle_services.whistle_report_in(
        actor=liaison, whistle_id=whistle.pk, responsible_name="张警官"
    )
    clock.set(whistle.resolve_due + dt.timedelta(minutes=1))
    assert whistle_services.whistles_escalate() == 1
    whistle.refresh_from_db()
    assert whistle.escalation == 1
    assert timeline_for(whistle).last().note == "逾期未办结"


def test_dispute_and_reassignment(tree, people, clock):
    whistle = blow(people, tree.community)
    liaison = Actor.for_user(people.department_liaison)
    city = other_department(tree)
    with pytest.raises(ValidationError):
        whistle_services.whistle_dispute(actor=liaison, whistle_id=whistle.pk, reason="")
    whistle_services.whistle_dispute(
        actor=liaison, whistle_id=whistle.pk, reason="占道经营属城管职责。"
    )
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.DISPUTED
    assert whistle.reassign_due is not None
    officer = Actor.for_user(people.street_officer)
    with pytest.raises(PermissionDenied):
        whistle_services.whistle_reassign(actor=Actor.for_user(people.worker), whistle_id=whistle.pk,
                                  department_id=city.pk)  # fmt: skip
    with pytest.raises(ValidationError):
        whistle_services.whistle_reassign(
            actor=officer, whistle_id=whistle.pk, department_id=police(people).pk
        )
    with pytest.raises(ValidationError):
        whistle_services.whistle_reassign(
            actor=officer, whistle_id=whistle.pk, department_id=999999
        )
    clock.advance(hours=3)
    whistle_services.whistle_reassign(actor=officer, whistle_id=whistle.pk, department_id=city.pk)
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.RAISED
    assert whistle.lead_department_id == city.pk
    assert whistle.addressed_at > whistle.raised_at
    assert WhistleDispute.objects.filter(whistle=whistle, department=police(people)).count() == 1
    # The police liaison no longer sees it; the city's liaison reports in.
    with pytest.raises(NotFound):
        whistle_get(actor=liaison, whistle_id=whistle.pk)
    city_liaison = _liaison_of(tree, city, "city_liaison")
    whistle_services.whistle_report_in(
        actor=city_liaison, whistle_id=whistle.pk, responsible_name="李队长"
    )
    assert [e.action for e in timeline_for(whistle)] == [
        "raise",
        "dispute",
        "reassign",
        "report_in",
    ]


def test_scope_liaison_and_community(tree, people):
    mine = blow(people, tree.community)
    city = other_department(tree)
    others = blow(people, tree.other_community, lead=city, by=people.street_officer)
    cooperating = blow(people, tree.community, lead=city, cooperating_ids=[police(people).pk])
    liaison = Actor.for_user(people.department_liaison)
    assert set(whistle_list(actor=liaison)) == {mine, cooperating}
    assert set(whistle_list(actor=Actor.for_user(people.worker))) == {mine, cooperating}
    assert set(whistle_list(actor=Actor.for_user(people.other_worker))) == {others}
    assert set(whistle_list(actor=Actor.for_user(people.street_officer))) == {
        mine,
        others,
        cooperating,
    }
    assert not whistle_list(actor=Actor.for_user(people.other_street_officer)).exists()
    with pytest.raises(NotFound):
        whistle_get(actor=Actor.for_user(people.other_worker), whistle_id=mine.pk)
    # A cooperating department sees it but may not report in for the lead.
    with pytest.raises(PermissionDenied, match="牵头部门"):
        whistle_services.whistle_report_in(
            actor=liaison, whistle_id=cooperating.pk, responsible_name="张"
        )


def test_wrong_department_report_in_refused(tree, people):
    whistle = blow(people, tree.community, lead=other_department(tree))
    before = TimelineEvent.objects.count()
    with pytest.raises(PermissionDenied, match="不是您所在的部门"):
        whistle_services.whistle_report_in(actor=Actor.for_user(people.department_liaison),
                                   whistle_id=whistle.pk, responsible_name="张警官")  # fmt: skip
    with pytest.raises(PermissionDenied):
        whistle_services.whistle_report_in(actor=Actor.for_user(people.worker), whistle_id=whistle.pk,
                                   responsible_name="张警官")  # fmt: skip
    assert TimelineEvent.objects.count() == before
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.RAISED


def test_category_rule_sets_deadlines(tree, people, clock):
    from shequ.whistles.models import WhistleRule

    WhistleRule.objects.create(district=tree.district, category="sanitation",
                               urgent_report_hours=4, normal_report_days=2, resolve_days=3)  # fmt: skip
    urgent = blow(people, tree.community, urgency="urgent")
    assert urgent.report_in_due - urgent.raised_at == dt.timedelta(hours=4)
    normal = blow(people, tree.community)
    # 2026-09-29 is a Tuesday: two working days → Thursday 18:00.
    assert normal.report_in_due.astimezone(clock._now.tzinfo).date() == dt.date(2026, 10, 1) or (
        normal.report_in_due > normal.raised_at
    )
    assert normal.resolve_due > normal.report_in_due
