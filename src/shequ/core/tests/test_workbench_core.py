"""Core's half of the workbench: the to-do registry (a fixed number of
queries per provider), announcements with read receipts, the outbox and its
back-off, and the tick loop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core import outbox, registry
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import (
    Announcement,
    AnnouncementRead,
    AuditRecord,
    Notification,
    OutboxMessage,
)
from shequ.core.registry import ToDo, ToDoItem, ToDoProvider
from shequ.core.scope import Actor
from shequ.core.services.announcements import announcement_publish
from shequ.core.services.notifications import Subject, notify, sms_enqueue
from shequ.core.workbench import workbench_for

pytestmark = pytest.mark.django_db


# -- the to-do registry ------------------------------------------------------------------


def _counting_provider(name: str) -> ToDoProvider:
    """A provider that, like the real ones, counts in one query and lists in one."""

    def provide(actor):
        n = Notification.objects.filter(recipient=actor.user).count()
        return [ToDo(f"{name}待办", n + 1, "/", due=dt.date(2026, 10, 9))]

    def items(actor, limit):
        rows = Notification.objects.filter(recipient=actor.user)[:limit]
        return [ToDoItem(f"{name}-{n.pk}", "/") for n in rows]

    return ToDoProvider(name, "home.view", provide, items=items)


def _queries(actor) -> int:
    with CaptureQueriesContext(connection) as captured:
        workbench_for(actor=actor)
    return len(captured.captured_queries)


def test_each_provider_adds_two_queries_whatever_the_data(tree, people, clock):
    actor = Actor.for_user(people.worker)
    with registry.restored():
        registry.TODO_PROVIDERS.clear()
        base = _queries(actor)
        registry.register_todo_provider(_counting_provider("甲"))
        one = _queries(actor)
        for i in range(30):
            notify(
                actor=Actor.for_command("test"),
                recipients=[people.worker.pk],
                subject=_subject(tree),
                kind="test",
                title=f"第{i}条",
            )
        assert _queries(actor) == one
        registry.register_todo_provider(_counting_provider("乙"))
        assert (one - base, _queries(actor) - one) == (2, 2)
        bench = workbench_for(actor=actor)
        assert [line.todo.label for line in bench.todos] == ["乙待办", "甲待办"]
        assert len(bench.items) == 8


# -- announcements -----------------------------------------------------------------------


def test_street_publishes_to_a_community_and_follows_its_receipts(tree, people, clock, client):
    officer = Actor.for_user(people.street_officer)
    announcement = announcement_publish(
        actor=officer,
        region_id=tree.community.pk,
        title="关于开展冬季消防安全检查的通知",
        body="请各小区于12月10日前完成自查。",
        important=True,
    )
    assert announcement.publisher_label == "站前街道街道干部"
    client.force_login(people.worker)
    home = client.get(reverse("core:home")).content.decode()
    assert "关于开展冬季消防安全检查的通知" in home and "未读 · " in home
    # Another community's worker does not receive it.
    client.force_login(people.other_worker)
    assert "冬季消防" not in client.get(reverse("core:announcements")).content.decode()
    response = client.get(reverse("core:announcement", args=[announcement.pk]))
    assert response.status_code == 404
    assert not AnnouncementRead.objects.exists()

    client.force_login(people.worker)
    client.get(reverse("core:announcement", args=[announcement.pk]))
    client.get(reverse("core:announcement", args=[announcement.pk]))  # once only
    assert list(AnnouncementRead.objects.values_list("user", flat=True)) == [people.worker.pk]

    client.force_login(people.street_officer)
    html = client.get(reverse("core:announcement", args=[announcement.pk])).content.decode()
    # The community's secretary, worker, building head, resident and the
    # secretary of its compound's party branch should read it.
    assert '已读 <span id="read-count">1</span> / 应读 <span id="audience-count">5</span>' in html


def test_publishing_outside_ones_scope_is_refused_and_writes_nothing(tree, people, client):
    officer = Actor.for_user(people.street_officer)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        announcement_publish(
            actor=officer, region_id=tree.other_street.pk, title="越权通知", body="正文"
        )
    with pytest.raises(ValidationError, match="区、街道或社区"):
        announcement_publish(actor=officer, region_id=tree.building.pk, title="楼栋", body="x")
    with pytest.raises(PermissionDenied):
        announcement_publish(
            actor=Actor.for_user(people.worker), region_id=tree.community.pk, title="t", body="b"
        )
    client.force_login(people.street_officer)
    response = client.post(
        reverse("core:announcement_create"),
        {"region_id": tree.other_street.pk, "title": "越权通知", "body": "正文"},
    )
    assert response.status_code == 403
    assert "只能向您管辖范围内的区划发布通知公告。" in response.content.decode()
    response = client.post(
        reverse("core:announcement_create"), {"region_id": "abc", "title": "", "body": ""}
    )
    assert response.status_code == 422
    assert "请选择发送范围。" in response.content.decode()
    assert not Announcement.objects.exists()
    refused = AuditRecord.objects.filter(action="announcement.publish", success=False)
    assert refused.count() == 1


# -- notifications and the outbox --------------------------------------------------------


def _subject(tree) -> Subject:
    return Subject(url="/whistles/", district_id=tree.district.pk, community_id=tree.community.pk)


def test_notify_skips_the_actor_and_people_outside_the_subjects_scope(tree, people):
    rows = notify(
        actor=Actor.for_user(people.worker),
        recipients=[people.worker.pk, people.secretary.pk, people.other_worker.pk],
        subject=_subject(tree),
        kind="test",
        title="测试",
    )
    assert [n.recipient_id for n in rows] == [people.secretary.pk]
    assert not OutboxMessage.objects.exists()  # not urgent: in-app only


class _Failing:
    def send(self, message):
        raise outbox.DeliveryError("网关无响应")


def test_outbox_sends_later_and_backs_off_on_failure(tree, clock, settings, caplog):
    message = sms_enqueue(
        district_id=tree.district.pk, phone="13840001234", text="您的办件已办结", kind="test"
    )
    assert message.address_masked == "138****1234" and b"13840001234" not in bytes(
        message.address_enc
    )
    outbox.channel_for.cache_clear()
    settings.SHEQU_OUTBOX_CHANNELS = {"sms": "shequ.core.tests.test_workbench_core._Failing"}
    try:
        assert outbox.outbox_deliver() == {"sent": 0, "retry": 1, "failed": 0}
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.last_error == "DeliveryError: 网关无响应"
        assert message.next_attempt_at == clock.now + dt.timedelta(minutes=1)
        assert outbox.outbox_deliver() == {}  # not due yet
        for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
            clock.advance(minutes=2 ** (attempt - 2))
            outbox.outbox_deliver()
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    finally:
        outbox.channel_for.cache_clear()

    second = sms_enqueue(district_id=tree.district.pk, phone="13900005678", text="好", kind="t")
    settings.SHEQU_OUTBOX_CHANNELS = {}
    with caplog.at_level("INFO", logger="shequ.outbox"):
        assert outbox.outbox_deliver() == {"sent": 1, "retry": 0, "failed": 0}
    second.refresh_from_db()
    assert (second.status, second.attempts, second.sent_at) == ("sent", 1, clock.now)
    assert "139****5678" in caplog.text and "13900005678" not in caplog.text


def test_a_write_that_rolls_back_queues_nothing(tree, people):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(
            actor=Actor.for_command("test"),
            recipients=[people.secretary.pk],
            subject=_subject(tree),
            kind="test",
            title="紧急",
            level="urgent",
        )
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the write fails after notifying")
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists()
