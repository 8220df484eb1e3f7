"""An appeal handed to a whistle (吹哨): triage into a whistle, the whistle's
evaluation closing the appeal for the resident to rate, and the raise page
started from an appeal. Appeals hand themselves to whistles; these tests
live with the app that hands off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shequ.appeals.models import Appeal, AppealState
from shequ.appeals.services import appeal_rate, appeal_triage
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.scope import Actor
from shequ.core.workflow import timeline_for
from shequ.whistles.models import Whistle, WhistleState
from shequ.whistles.tests.whistle_helpers import blow, police
from shequ.whistles.whistle import services as whistle_services


def test_whole_flow_from_appeal_to_resident_rating(tree, people, folks, clock):
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
    whistle_services.whistle_report_in(
        actor=liaison, whistle_id=whistle.pk, responsible_name="张警官"
    )
    whistle_services.whistle_start(actor=liaison, whistle_id=whistle.pk)
    whistle_services.whistle_resolve(
        actor=liaison, whistle_id=whistle.pk, result="已清理占道摊贩。"
    )
    whistle_services.whistle_evaluate(
        actor=folks.secretary, whistle_id=whistle.pk, evaluation="satisfied"
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealState.CLOSED
    assert appeal.result == "已清理占道摊贩。"
    appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="satisfied")
    whistle_services.whistle_close(actor=folks.secretary, whistle_id=whistle.pk)
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


def test_bad_input_writes_nothing(tree, people, folks, clock):
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
        whistle_services.whistle_resolve(actor=liaison, whistle_id=whistle.pk, result="已处理。")
    whistle_services.whistle_report_in(
        actor=liaison, whistle_id=whistle.pk, responsible_name="张警官"
    )
    with pytest.raises(ValidationError, match="办理结果"):
        whistle_services.whistle_resolve(actor=liaison, whistle_id=whistle.pk, result="  ")
    whistle_services.whistle_resolve(actor=liaison, whistle_id=whistle.pk, result="已处理。")
    with pytest.raises(ValidationError, match="请选择评价"):
        whistle_services.whistle_evaluate(
            actor=folks.secretary, whistle_id=whistle.pk, evaluation="great"
        )
    with pytest.raises(NotFound):
        whistle_services.whistle_evaluate(actor=Actor.for_user(people.other_street_officer),
                                  whistle_id=whistle.pk, evaluation="basic")  # fmt: skip
    whistle_services.whistle_evaluate(
        actor=folks.secretary, whistle_id=whistle.pk, evaluation="basic"
    )
    with pytest.raises(Conflict):
        whistle_services.whistle_evaluate(
            actor=folks.secretary, whistle_id=whistle.pk, evaluation="basic"
        )
    # Past deadlines: a report-in after resolution is refused by state.
    with pytest.raises(Conflict, match="不能执行"):
        whistle_services.whistle_report_in(
            actor=liaison, whistle_id=whistle.pk, responsible_name="张"
        )


def test_raise_from_appeal_and_report_in_pages(client, tree, people, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    client.force_login(people.worker)
    url = reverse("whistles:whistle_new") + f"?appeal={appeal.pk}"
    page = client.get(url)
    assert page.status_code == 200 and appeal.number in page.content.decode()
    bad = client.post(url, {"appeal": appeal.pk, "title": "噪音", "description": "深夜噪音",
                            "category": "noise", "urgency": "normal", "lead_department_id": "999999"})  # fmt: skip
    assert bad.status_code == 422 and "所选职能部门不存在" in bad.content.decode()
    assert not Whistle.objects.exists()
    ok = client.post(url, {"appeal": appeal.pk, "title": "噪音", "description": "深夜噪音",
                           "category": "noise", "urgency": "normal",
                           "lead_department_id": police(people).pk})  # fmt: skip
    assert ok.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == AppealState.WHISTLED
    whistle = Whistle.objects.get()
    listed = client.get(reverse("whistles:list")).content.decode()
    table = listed.split('id="whistles"')[1].split("</table>")[0]
    assert table.count(whistle.number) == 1

    client.force_login(people.department_liaison)
    detail = reverse("whistles:whistle", kwargs={"whistle_id": whistle.pk})
    assert "部门报到" in client.get(detail).content.decode()
    act = reverse("whistles:whistle_act", kwargs={"whistle_id": whistle.pk})
    assert client.post(act, {"action": "report_in", "responsible_name": ""}).status_code == 422
    assert (
        client.post(act, {"action": "report_in", "responsible_name": "张警官"}).status_code == 302
    )
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.REPORTED
