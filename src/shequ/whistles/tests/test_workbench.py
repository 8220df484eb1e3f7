"""Whistles on the workbench and in the notification centre: the liaison's
urgent whistle appears with its cause and goes with the report-in; the
street hears of a hand-back, the raising side of a result, the department
of its rating and of every escalation; a notification never reaches or
opens outside the reader's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.core.errors import NotFound
from shequ.core.models import AuditRecord, Notification, OutboxMessage
from shequ.core.scope import Actor
from shequ.core.services.notifications import notification_read
from shequ.core.workbench import notification_list, unread_count, workbench_for
from shequ.whistles.tests.whistle_helpers import blow, other_department
from shequ.whistles.whistle import services as whistle_services
from shequ.whistles.whistle.selectors import whistle_list

pytestmark = pytest.mark.django_db


def _line(bench, start: str, kind: str = "todo"):
    lines = bench.todos if kind == "todo" else bench.alerts
    found = [line for line in lines if line.todo.label.startswith(start)]
    return found[0] if found else None


def test_urgent_whistle_reaches_the_liaison_until_reported_in(tree, people, clock):
    liaison = Actor.for_user(people.department_liaison)
    whistle = blow(people, tree.community, urgency="urgent")

    bench = workbench_for(actor=liaison)
    line = _line(bench, "吹哨待报到")
    assert (line.todo.label, line.todo.count, line.todo.level) == (
        "吹哨待报到（紧急1件）",
        1,
        "urgent",
    )
    assert line.todo.count == whistle_list(actor=liaison, status="raised").count()
    assert [(i.item.title, i.item.note) for i in bench.items] == [
        (f"吹哨 {whistle.number} {whistle.title}", "紧急")
    ]
    note = Notification.objects.get(recipient=people.department_liaison)
    assert (note.kind, note.level, note.url) == (
        "whistle.raised",
        "urgent",
        reverse("whistles:whistle", args=[whistle.pk]),
    )
    assert note.title == f"紧急吹哨：{whistle.number}“{whistle.title}”，请报到"
    # Urgent: also queued for 政务微信, sent later by the tick.
    assert (
        OutboxMessage.objects.filter(
            channel="wechat", recipient=people.department_liaison, kind="whistle.raised"
        ).count()
        == 1
    )
    assert unread_count(actor=liaison) == 1

    whistle_services.whistle_report_in(
        actor=liaison, whistle_id=whistle.pk, responsible_name="张警官"
    )

    bench = workbench_for(actor=liaison)
    assert _line(bench, "吹哨待报到") is None
    assert _line(bench, "吹哨处置中待办结").todo.count == 1


def test_hand_back_result_rating_and_escalation_notify_the_right_people(tree, people, clock):
    liaison = Actor.for_user(people.department_liaison)
    whistle = blow(people, tree.community)
    whistle_services.whistle_dispute(
        actor=liaison, whistle_id=whistle.pk, reason="不属于本部门职责"
    )
    assert list(
        Notification.objects.filter(kind="whistle.disputed").values_list("recipient", flat=True)
    ) == [people.street_officer.pk]
    officer = Actor.for_user(people.street_officer)
    assert _line(workbench_for(actor=officer), "吹哨被退回待改派").todo.count == 1

    whistle_services.whistle_reassign(
        actor=officer, whistle_id=whistle.pk, department_id=other_department(tree).pk
    )
    assert _line(workbench_for(actor=officer), "吹哨被退回待改派") is None

    second = blow(people, tree.community)
    whistle_services.whistle_report_in(actor=liaison, whistle_id=second.pk, responsible_name="张")
    whistle_services.whistle_resolve(actor=liaison, whistle_id=second.pk, result="已清理摊位")
    resolved_to = set(
        Notification.objects.filter(kind="whistle.resolved").values_list("recipient", flat=True)
    )
    # The street officer and the secretary evaluate; the worker raised it.
    assert resolved_to == {people.street_officer.pk, people.secretary.pk, people.worker.pk}
    secretary = Actor.for_user(people.secretary)
    assert _line(workbench_for(actor=secretary), "吹哨已办结待评价").todo.count == 1

    whistle_services.whistle_evaluate(actor=secretary, whistle_id=second.pk, evaluation="satisfied")
    rated = Notification.objects.get(kind="whistle.evaluated")
    assert (rated.recipient, rated.title) == (
        people.department_liaison,
        f"吹哨评价：{second.number}“{second.title}” 满意",
    )
    assert _line(workbench_for(actor=secretary), "吹哨已办结待评价") is None

    third = blow(people, tree.community, urgency="urgent")
    clock.advance(hours=2, minutes=1)
    whistle_services.whistles_escalate()
    escalated = set(
        Notification.objects.filter(kind="whistle.escalated", object_id=third.pk).values_list(
            "recipient", flat=True
        )
    )
    assert escalated == {people.department_liaison.pk, people.street_officer.pk}
    alert = _line(workbench_for(actor=officer), "吹哨报到已超期", kind="alert")
    assert alert.todo.count == 1


def test_a_notification_outside_the_readers_scope_is_neither_listed_nor_opened(
    tree, people, clock, client
):
    blow(people, tree.community)
    street = Actor.for_user(people.street_officer)
    liaison = Actor.for_user(people.department_liaison)
    note = Notification.objects.get(recipient=people.department_liaison)
    # The officer of another street is never notified of this community's whistle…
    assert not Notification.objects.filter(recipient=people.other_street_officer).exists()
    # …and a notification whose community left the reader's scope stops showing.
    worker = Actor.for_user(people.worker)
    moved = Notification.objects.create(
        recipient=people.worker,
        district=tree.district,
        community=tree.other_community,
        kind="whistle.raised",
        title="不在范围内",
        url="/whistles/",
        created_at=note.created_at,
    )
    assert moved.pk not in [n.pk for n in notification_list(actor=worker)]
    assert unread_count(actor=worker) == 0
    client.force_login(people.worker)
    before = AuditRecord.objects.count()
    response = client.post(reverse("core:notification_open", args=[moved.pk]))
    assert response.status_code == 404
    assert "通知不存在，或不是发给您的。" in response.content.decode()
    moved.refresh_from_db()
    assert moved.read_at is None and AuditRecord.objects.count() == before

    # Another user's notification: 404 in Chinese, nothing written.
    with pytest.raises(NotFound, match="不是发给您的"):
        notification_read(actor=street, notification_id=note.pk)
    response = client.post(reverse("core:notification_open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None and AuditRecord.objects.count() == before

    # The liaison opens its own: marked read, audited, sent to the whistle.
    client.force_login(people.department_liaison)
    response = client.post(reverse("core:notification_open", args=[note.pk]))
    assert (response.status_code, response["Location"]) == (302, note.url)
    note.refresh_from_db()
    assert note.read_at is not None
    assert (
        AuditRecord.objects.filter(action="notification.read", object_id=str(note.pk)).count() == 1
    )
    assert unread_count(actor=liaison) == 0


def test_bell_shows_the_unread_count_and_read_all_clears_it(tree, people, clock, client):
    blow(people, tree.community)
    blow(people, tree.community, title="楼道堆物")
    client.force_login(people.department_liaison)
    html = client.get(reverse("core:home")).content.decode()
    assert '<span class="badge rounded-pill text-bg-warning" id="bell-count">2</span>' in html
    assert "站前派出所" in html  # the liaison's scope is its department, not the district
    response = client.post(reverse("core:notifications_read_all"))
    assert response.status_code == 302
    html = client.get(reverse("core:notifications")).content.decode()
    assert 'id="bell-count"' not in html
    assert html.count("已读 · ") == 2


def test_the_api_gives_the_same_workbench_and_refuses_anothers_notification(
    tree, people, clock, client
):
    whistle = blow(people, tree.community, urgency="urgent")
    client.force_login(people.department_liaison)
    bench = client.get("/api/workbench").json()
    assert [(t["label"], t["count"], t["level"]) for t in bench["todos"]] == [
        ("吹哨待报到（紧急1件）", 1, "urgent")
    ]
    assert bench["nearest"][0]["url"] == reverse("whistles:whistle", args=[whistle.pk])
    assert bench["unread_notifications"] == 1
    page = client.get("/api/notifications", {"unread": "true"}).json()
    assert (page["count"], page["items"][0]["kind"]) == (1, "whistle.raised")
    mine = page["items"][0]["id"]

    client.force_login(people.street_officer)
    before = AuditRecord.objects.filter(success=True).count()
    response = client.post(f"/api/notifications/{mine}/read")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "通知不存在，或不是发给您的。"},
    )
    assert Notification.objects.get(pk=mine).read_at is None
    assert AuditRecord.objects.filter(success=True).count() == before
    assert AuditRecord.objects.filter(action="notification.read", success=False).count() == 1

    client.force_login(people.department_liaison)
    response = client.post(f"/api/notifications/{mine}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert client.get("/api/notifications/unread-count").json() == {"unread": 0}
