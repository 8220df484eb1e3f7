"""Whistles: the whole flow from an appeal, escalation, dispute and
reassignment, scope, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.appeals.models import Appeal, AppealState
from shequ.appeals.services import appeal_rate, appeal_triage
from shequ.appeals.tests.conftest import Clock, folks  # noqa: F401 - fixture
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import user_with
from shequ.core.tick import run_tick
from shequ.core.workflow import timeline_for
from shequ.whistles import services
from shequ.whistles.models import Liaison, Whistle, WhistleDispute, WhistleState
from shequ.whistles.tests.whistle_helpers import blow, other_department, police
from shequ.whistles.whistle_selectors import whistle_get, whistle_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Beijing 2026-09-29 (a Tuesday) 09:30, settable and advanceable."""
    return Clock(monkeypatch)


def _liaison_of(tree, department, username):
    user = user_with(Role.DEPARTMENT_LIAISON, tree.district, username)
    Liaison.objects.create(user=user, district=tree.district, department=department)
    return Actor.for_user(user)


def test_whole_flow_from_appeal_to_resident_rating(tree, people, folks, clock):  # noqa: F811
    appeal = raise_appeal(folks.resident_actor, tree.community)
    liaison = Actor.for_user(people.department_liaison)
    appeal = appeal_triage(
        actor=folks.worker,
        appeal_id=appeal.pk,
        decision="whistle",
        whistle={"lead_department_id": police(people).pk, "urgency": "urgent"},
    )
    assert appeal.status == AppealState.WHISTLED
    whistle = Whistle.objects.get(appeals=appeal)
    assert whistle.status == WhistleState.RAISED
    assert whistle.report_in_due == whistle.raised_at + dt.timedelta(hours=2)
    clock.advance(hours=1)
    services.whistle_report_in(actor=liaison, whistle_id=whistle.pk, responsible_name="张警官")
    services.whistle_start(actor=liaison, whistle_id=whistle.pk)
    services.whistle_resolve(actor=liaison, whistle_id=whistle.pk, result="已清理占道摊贩。")
    services.whistle_evaluate(actor=folks.secretary, whistle_id=whistle.pk, evaluation="satisfied")
    appeal.refresh_from_db()
    assert appeal.status == AppealState.CLOSED
    assert appeal.result == "已清理占道摊贩。"
    appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="satisfied")
    services.whistle_close(actor=folks.secretary, whistle_id=whistle.pk)
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.CLOSED
    assert whistle.responsible_name == "张警官"
    assert [e.action for e in timeline_for(whistle)] == [
        "raise", "report_in", "start", "resolve", "evaluate", "close",
    ]  # fmt: skip
    assert [e.action for e in timeline_for(appeal)][-3:] == ["whistle", "whistle_close", "rate"]
    audits = set(AuditRecord.objects.filter(object_id=str(whistle.pk), object_type="whistles.whistle")
                 .values_list("action", flat=True))  # fmt: skip
    assert audits == {f"whistle.{a}" for a in
                      ("raise", "report_in", "start", "resolve", "evaluate", "close")}  # fmt: skip
    appeal_audits = set(AuditRecord.objects.filter(object_id=str(appeal.pk),
                        object_type="appeals.appeal").values_list("action", flat=True))  # fmt: skip
    assert {"appeal.whistle", "appeal.whistle_close", "appeal.rate"} <= appeal_audits


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
    services.whistle_report_in(actor=liaison, whistle_id=whistle.pk, responsible_name="张警官")
    clock.set(whistle.resolve_due + dt.timedelta(minutes=1))
    assert services.whistles_escalate() == 1
    whistle.refresh_from_db()
    assert whistle.escalation == 1
    assert timeline_for(whistle).last().note == "逾期未办结"


def test_dispute_and_reassignment(tree, people, clock):
    whistle = blow(people, tree.community)
    liaison = Actor.for_user(people.department_liaison)
    city = other_department(tree)
    with pytest.raises(ValidationError):
        services.whistle_dispute(actor=liaison, whistle_id=whistle.pk, reason="")
    services.whistle_dispute(actor=liaison, whistle_id=whistle.pk, reason="占道经营属城管职责。")
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.DISPUTED
    assert whistle.reassign_due is not None
    officer = Actor.for_user(people.street_officer)
    with pytest.raises(PermissionDenied):
        services.whistle_reassign(actor=Actor.for_user(people.worker), whistle_id=whistle.pk,
                                  department_id=city.pk)  # fmt: skip
    with pytest.raises(ValidationError):
        services.whistle_reassign(
            actor=officer, whistle_id=whistle.pk, department_id=police(people).pk
        )
    with pytest.raises(ValidationError):
        services.whistle_reassign(actor=officer, whistle_id=whistle.pk, department_id=999999)
    clock.advance(hours=3)
    services.whistle_reassign(actor=officer, whistle_id=whistle.pk, department_id=city.pk)
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.RAISED
    assert whistle.lead_department_id == city.pk
    assert whistle.addressed_at > whistle.raised_at
    assert WhistleDispute.objects.filter(whistle=whistle, department=police(people)).count() == 1
    # The police liaison no longer sees it; the city's liaison reports in.
    with pytest.raises(NotFound):
        whistle_get(actor=liaison, whistle_id=whistle.pk)
    city_liaison = _liaison_of(tree, city, "city_liaison")
    services.whistle_report_in(actor=city_liaison, whistle_id=whistle.pk, responsible_name="李队长")
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
        services.whistle_report_in(actor=liaison, whistle_id=cooperating.pk, responsible_name="张")


def test_wrong_department_report_in_refused(tree, people):
    whistle = blow(people, tree.community, lead=other_department(tree))
    before = TimelineEvent.objects.count()
    with pytest.raises(PermissionDenied, match="不是您所在的部门"):
        services.whistle_report_in(actor=Actor.for_user(people.department_liaison),
                                   whistle_id=whistle.pk, responsible_name="张警官")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.whistle_report_in(actor=Actor.for_user(people.worker), whistle_id=whistle.pk,
                                   responsible_name="张警官")  # fmt: skip
    assert TimelineEvent.objects.count() == before
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.RAISED


def test_bad_input_writes_nothing(tree, people, folks, clock):  # noqa: F811
    count = Whistle.objects.count()
    with pytest.raises(ValidationError, match="职能部门不存在"):
        blow(people, tree.community, lead_department_id=999999)
    with pytest.raises(ValidationError, match="职能部门"):
        blow(people, tree.community, lead_department_id="abc")
    with pytest.raises(ValidationError, match="尖括号"):
        blow(people, tree.community, description="<script>x</script>")
    with pytest.raises(ValidationError, match="紧急程度"):
        blow(people, tree.community, urgency="soon")
    with pytest.raises(PermissionDenied):
        blow(people, tree.far_community)
    with pytest.raises(PermissionDenied):
        blow(people, tree.community, by=people.resident)
    appeal = raise_appeal(folks.other_worker, tree.other_community)
    with pytest.raises(ValidationError, match="关联诉求"):
        blow(people, tree.community, appeal_ids=[appeal.pk])
    assert Whistle.objects.count() == count
    # A department that does not exist, at triage: the appeal stays untouched.
    mine = raise_appeal(folks.resident_actor, tree.community)
    with pytest.raises(ValidationError):
        appeal_triage(actor=folks.worker, appeal_id=mine.pk, decision="whistle",
                      whistle={"lead_department_id": 999999})  # fmt: skip
    assert Appeal.objects.get(pk=mine.pk).status == AppealState.SUBMITTED
    assert Whistle.objects.count() == count
    # Rating twice.
    whistle = blow(people, tree.community)
    liaison = Actor.for_user(people.department_liaison)
    with pytest.raises(Conflict, match="已吹哨"):
        services.whistle_resolve(actor=liaison, whistle_id=whistle.pk, result="已处理。")
    services.whistle_report_in(actor=liaison, whistle_id=whistle.pk, responsible_name="张警官")
    with pytest.raises(ValidationError, match="办理结果"):
        services.whistle_resolve(actor=liaison, whistle_id=whistle.pk, result="  ")
    services.whistle_resolve(actor=liaison, whistle_id=whistle.pk, result="已处理。")
    with pytest.raises(ValidationError, match="请选择评价"):
        services.whistle_evaluate(actor=folks.secretary, whistle_id=whistle.pk, evaluation="great")
    with pytest.raises(NotFound):
        services.whistle_evaluate(actor=Actor.for_user(people.other_street_officer),
                                  whistle_id=whistle.pk, evaluation="basic")  # fmt: skip
    services.whistle_evaluate(actor=folks.secretary, whistle_id=whistle.pk, evaluation="basic")
    with pytest.raises(Conflict):
        services.whistle_evaluate(actor=folks.secretary, whistle_id=whistle.pk, evaluation="basic")
    # Past deadlines: a report-in after resolution is refused by state.
    with pytest.raises(Conflict, match="不能执行"):
        services.whistle_report_in(actor=liaison, whistle_id=whistle.pk, responsible_name="张")


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
