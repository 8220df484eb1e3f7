"""The desk on the workbench: a to-do appears with its cause and goes when it
is acted on; counts equal the lists behind them; notifications and the
applicant's SMS are written with the write that causes them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.core.models import Notification, OutboxMessage
from shequ.core.scope import Actor
from shequ.core.workbench import workbench_for
from shequ.desk.cases.selectors import CaseFilters, case_list, my_open_cases, rectification_list
from shequ.desk.cases.services import (
    case_complete,
    rectification_rectify,
    review_submit,
)
from shequ.desk.models import Rectification
from shequ.desk.tests.conftest import PHONE
from shequ.desk.tests.test_cases import intake

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"  # a Monday: 5 working days run to Monday 11-09


def _line(bench, label: str, kind: str = "todo"):
    lines = bench.todos if kind == "todo" else bench.alerts
    found = [line for line in lines if line.todo.label == label]
    return found[0] if found else None


def test_worker_sees_own_case_until_it_is_completed(desk, clock):
    case = intake(desk).case
    bench = workbench_for(actor=desk.worker_actor)
    line = _line(bench, "我受理的在办件")
    assert (line.todo.count, line.todo.due, line.days_left) == (1, case.due_date, 5)
    assert line.todo.url == reverse("services:my_cases")
    assert line.todo.count == my_open_cases(actor=desk.worker_actor).count()
    assert [(i.item.title, i.due_text) for i in bench.items] == [
        (f"办件 {case.receipt_no} {desk.item.name}", "剩5个工作日")
    ]

    case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")

    bench = workbench_for(actor=desk.worker_actor)
    assert _line(bench, "我受理的在办件") is None
    assert bench.items == []


def test_overdue_case_alerts_the_scope_and_ranks_its_community(desk, clock, people):
    case = intake(desk).case
    clock.set("2026-11-11")  # two working days past Monday 11-09
    officer = Actor.for_user(people.street_officer)

    bench = workbench_for(actor=officer)
    alert = _line(bench, "办件已超期", kind="alert")
    assert (alert.todo.count, alert.days_left, alert.due_text) == (1, -2, "超期2个工作日")
    overdue = case_list(actor=officer, filters=CaseFilters(status="open", level="overdue"))
    assert alert.todo.count == overdue.count()
    assert [(c.community, c.overdue) for c in bench.communities] == [(desk.community, 1)]
    assert _line(bench, "我受理的在办件") is None  # a street officer accepts nothing
    assert [i.item.title for i in bench.items] == [f"办件 {case.receipt_no} {desk.item.name}"]

    # The worker's own line turns urgent; a worker of another community sees nothing.
    mine = _line(workbench_for(actor=desk.worker_actor), "我受理的在办件")
    assert (mine.todo.level, mine.days_left) == ("urgent", -2)
    assert workbench_for(actor=Actor.for_user(people.other_worker)).alerts == []


def test_bad_review_notifies_and_opens_a_rectification_to_do(desk, clock):
    case = intake(desk).case
    case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
    sms = OutboxMessage.objects.get(kind="case.completed")
    assert (sms.channel, sms.address_masked, sms.status) == ("sms", "138****1234", "pending")
    assert case.receipt_no in sms.text

    review_submit(
        receipt_no=case.receipt_no, phone_tail=PHONE[-4:], rating=2, comment="等太久", ip=None
    )

    to_worker = Notification.objects.get(recipient=desk.worker, kind="case.reviewed")
    assert (to_worker.title, to_worker.level, to_worker.url) == (
        f"收到评价：{case.receipt_no} 不满意",
        "warning",
        reverse("services:case", args=[case.pk]),
    )
    rect = Rectification.objects.get(case=case)
    to_secretary = Notification.objects.get(kind="rectification.opened")
    assert to_secretary.recipient == desk.secretary
    line = _line(workbench_for(actor=desk.secretary_actor), "差评待整改")
    assert (line.todo.count, line.todo.due) == (1, rect.due_date)
    assert line.todo.count == rectification_list(actor=desk.secretary_actor).count()

    rectification_rectify(
        actor=desk.secretary_actor, rectification_id=rect.pk, measures="增加窗口人手"
    )

    bench = workbench_for(actor=desk.secretary_actor)
    assert _line(bench, "差评待整改") is None
    assert _line(bench, "整改后待回访").todo.count == 1


def test_home_page_shows_the_lines_with_their_links(desk, clock, client):
    intake(desk)
    client.force_login(desk.worker)
    html = client.get(reverse("core:home")).content.decode()
    assert 'href="/services/cases/mine/"' in html
    assert "我受理的在办件" in html and "最早剩5个工作日" in html


def test_a_notice_under_an_old_materials_list_is_reissued_from_the_workbench(
    desk, clock, people, client
):
    from shequ.core.models import AuditRecord
    from shequ.desk.catalog.services import item_revise
    from shequ.desk.models import Notice
    from shequ.desk.tests.helpers import MATERIALS, spec

    # A key material missing: a one-time notice, no case.
    notice = intake(desk, provided=["户口簿", "近期一寸免冠照片"]).notice
    assert _line(workbench_for(actor=desk.worker_actor), "告知单须按新清单重新告知") is None
    # The district revises the item: a residence certificate is now required too.
    item_revise(
        actor=Actor.for_user(people.district_admin),
        item=desk.item,
        spec=spec(materials=[*[dict(m) for m in MATERIALS], {"name": "居住证明", "key": True}]),
    )
    line = _line(workbench_for(actor=desk.worker_actor), "告知单须按新清单重新告知")
    assert (line.todo.count, line.todo.url) == (1, f"{reverse('services:notices')}?outdated=1")

    client.force_login(desk.worker)
    listed = client.get(line.todo.url).content.decode()
    assert notice.number in listed and "已调整，须重新告知" in listed
    response = client.post(reverse("services:notice_reissue", args=[notice.pk]))
    new = Notice.objects.get(reissued_from=notice)
    assert response["Location"] == reverse("services:notice", args=[new.pk])
    assert [m["name"] for m in new.missing_materials] == ["居民身份证", "居住证明"]
    assert OutboxMessage.objects.get(kind="notice.reissued").address_masked == "138****1234"
    assert _line(workbench_for(actor=desk.worker_actor), "告知单须按新清单重新告知") is None

    # Again, or by someone outside the community: refused, nothing written.
    def written():
        return Notice.objects.count(), AuditRecord.objects.filter(success=True).count()

    before = written()
    again = client.post(reverse("services:notice_reissue", args=[notice.pk]))
    assert again.status_code == 409 and "已重新出具" in again.content.decode()
    assert written() == before
    client.force_login(people.other_worker)
    before = written()
    outside = client.post(reverse("services:notice_reissue", args=[new.pk]))
    assert outside.status_code == 404 and "不在您的管辖范围内" in outside.content.decode()
    assert written() == before
