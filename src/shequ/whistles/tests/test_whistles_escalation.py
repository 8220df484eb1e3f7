"""督办 notices: written with each escalation (once per level), read by the
department's liaisons, shown to the street and the district; and the
escalation of a disputed whistle the street did not reassign in time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shequ.core.errors import NotFound
from shequ.core.models import AuditRecord
from shequ.core.scope import Actor
from shequ.core.tick import run_tick
from shequ.core.workflow import timeline_for
from shequ.whistles.models import EscalationNotice, NoticeKind, WhistleState
from shequ.whistles.tests.whistle_helpers import blow, other_department, police
from shequ.whistles.whistle import services as whistle_services
from shequ.whistles.whistle.selectors import escalation_notices, unread_notice_count

pytestmark = pytest.mark.django_db


def _tick() -> int:
    return run_tick(only="whistles_escalate")[0].result


def test_each_level_writes_one_notice_to_the_department_head(tree, people, clock):
    whistle = blow(people, tree.community, urgency="urgent")
    clock.advance(hours=2, minutes=1)
    assert _tick() == 1
    assert _tick() == 0
    clock.advance(hours=2)
    assert _tick() == 1
    assert _tick() == 0
    notices = list(EscalationNotice.objects.filter(whistle=whistle).order_by("level"))
    assert [(n.level, n.kind) for n in notices] == [(1, "report_in"), (2, "report_in")]
    assert all(n.department_id == police(people).pk for n in notices)
    assert all(n.district_id == tree.district.pk for n in notices)
    assert notices[0].text.startswith("【街道督办】站前派出所")
    assert whistle.number in notices[0].text and "逾期未报到" in notices[0].text
    assert notices[1].text.startswith("【区级督办】")
    events = [e for e in timeline_for(whistle) if e.action == "escalate"]
    assert [e.data["notice"] for e in events] == [n.pk for n in notices]


def test_liaison_sees_unread_count_and_marks_read(tree, people, clock):
    whistle = blow(people, tree.community, urgency="urgent")
    clock.advance(hours=2, minutes=1)
    whistle_services.whistles_escalate()
    liaison = Actor.for_user(people.department_liaison)
    assert unread_notice_count(actor=liaison) == 1
    notice = escalation_notices(actor=liaison)[0]
    assert notice.whistle_id == whistle.pk
    # Street and district see it, read-only; the community does not, nor another department.
    for user in (people.street_officer, people.district_admin):
        assert [n.pk for n in escalation_notices(actor=Actor.for_user(user))] == [notice.pk]
    assert escalation_notices(actor=Actor.for_user(people.worker)) == []
    assert escalation_notices(actor=Actor.for_user(people.other_street_officer)) == []
    with pytest.raises(NotFound):
        whistle_services.escalation_notice_read(
            actor=Actor.for_user(people.street_officer), notice_id=notice.pk
        )
    whistle_services.escalation_notice_read(actor=liaison, notice_id=notice.pk)
    whistle_services.escalation_notice_read(actor=liaison, notice_id=notice.pk)  # idempotent
    notice.refresh_from_db()
    assert notice.read_at is not None and notice.read_by == people.department_liaison
    assert unread_notice_count(actor=liaison) == 0
    assert AuditRecord.objects.filter(action="whistle.notice_read").count() == 1


def test_notice_pages(client, tree, people, clock):
    blow(people, tree.community, urgency="urgent")
    clock.advance(hours=2, minutes=1)
    whistle_services.whistles_escalate()
    notice = EscalationNotice.objects.get()
    client.force_login(people.department_liaison)
    page = client.get(reverse("whistles:list")).content.decode()
    assert "督办通知" in page and "未读 1" in page and "标为已读" in page
    home = client.get(reverse("whistles:liaison_home")).content.decode()
    assert "未读督办通知" in home
    response = client.post(reverse("whistles:notice_read", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None
    client.force_login(people.street_officer)
    page = client.get(reverse("whistles:list")).content.decode()
    assert notice.text in page and "标为已读" not in page
    assert client.post(reverse("whistles:notice_read", args=[notice.pk])).status_code == 404


def test_missed_reassignment_escalates_to_district_once(tree, people, clock):
    whistle = blow(people, tree.community)
    liaison = Actor.for_user(people.department_liaison)
    whistle_services.whistle_dispute(
        actor=liaison, whistle_id=whistle.pk, reason="不属本部门职责。"
    )
    whistle.refresh_from_db()
    assert _tick() == 0
    clock.set(whistle.reassign_due + dt.timedelta(minutes=1))
    assert _tick() == 1
    assert _tick() == 0
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.DISPUTED
    assert whistle.escalation == 2
    notice = EscalationNotice.objects.get(whistle=whistle)
    assert (notice.kind, notice.level, notice.department_id) == (NoticeKind.REASSIGN, 2, None)
    assert "未在改派期限" in notice.text
    event = [e for e in timeline_for(whistle) if e.action == "escalate"][-1]
    assert (event.action_label, event.note) == ("区级督办", "逾期未改派")
    assert [n.pk for n in escalation_notices(actor=Actor.for_user(people.district_admin))] == [
        notice.pk
    ]
    # Reassigned late: a fresh round, the clock starts again at level 0.
    city = other_department(tree)
    whistle_services.whistle_reassign(
        actor=Actor.for_user(people.street_officer), whistle_id=whistle.pk, department_id=city.pk
    )
    whistle.refresh_from_db()
    assert whistle.escalation == 0
    assert _tick() == 0
