"""Pages of pairing and of departments/units: the permission matrix (every
role × every page), liaisons see only their own, other communities get 404,
and writes through the forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shequ.core.models import AuditRecord
from shequ.core.scope import Actor
from shequ.whistles.models import Department, PairingAction, PairingAgreement, Unit
from shequ.whistles.pairing.selectors import pairing_figures
from shequ.whistles.pairing.services import action_log, pairing_flags_refresh
from shequ.whistles.tests.helpers import add_commitment, liaison_department, make_agreement

# The pairing tests run in the first quarter of 2026.
CLOCK_START = "2026-03-10"

pytestmark = pytest.mark.django_db

ROLES = [
    "district_admin", "street_officer", "other_street_officer", "secretary", "worker",
    "other_worker", "building_head", "inspector", "resident", "system_admin",
    "security_admin", "audit_admin", "department_liaison", "unit_liaison",
]  # fmt: skip

# GET status of each page, per role, for an agreement of 站前社区 with the
# unit liaison's school.
DETAIL = {
    "district_admin": 200, "street_officer": 200, "other_street_officer": 404,
    "secretary": 200, "worker": 200, "other_worker": 404, "building_head": 403,
    "inspector": 200, "resident": 403, "system_admin": 403, "security_admin": 403,
    "audit_admin": 403, "department_liaison": 404, "unit_liaison": 200,
}  # fmt: skip
LIST = {r: (200 if DETAIL[r] != 403 else 403) for r in ROLES}
BODIES = {r: (200 if r == "district_admin" else 403) for r in ROLES}
CREATE = {r: (200 if r in {"secretary", "street_officer", "other_street_officer"} else 403)
          for r in ROLES}  # fmt: skip
MINE = {r: (200 if r.endswith("liaison") else 403) for r in ROLES}


@pytest.fixture
def agreement(tree, people, clock):
    agreement = make_agreement(people, tree.community)
    add_commitment(people, agreement)
    return agreement


@pytest.mark.parametrize("who", ROLES)
def test_permission_matrix(client, people, agreement, who):
    client.force_login(getattr(people, who))
    got = {
        "list": client.get(reverse("whistles:pairing_list")).status_code,
        "detail": client.get(reverse("whistles:agreement", args=[agreement.pk])).status_code,
        "bodies": client.get(reverse("whistles:bodies")).status_code,
        "create": client.get(reverse("whistles:agreement_create")).status_code,
        "mine": client.get(reverse("whistles:liaison_home")).status_code,
    }
    assert got == {
        "list": LIST[who],
        "detail": DETAIL[who],
        "bodies": BODIES[who],
        "create": CREATE[who],
        "mine": MINE[who],
    }


@pytest.mark.parametrize("who", ["other_worker", "department_liaison", "resident", "inspector"])
def test_action_post_refused_and_nothing_written(client, people, agreement, who):
    client.force_login(getattr(people, who))
    response = client.post(
        reverse("whistles:action_log", args=[agreement.pk]),
        {
            "kind": "volunteer",
            "what": "清扫楼道",
            "date": "2026-03-01",
            "hours": "2",
            "people": "3",
        },
    )
    assert response.status_code in {403, 404}
    assert not PairingAction.objects.exists()


def test_lists_show_only_own_agreements(client, tree, people, agreement):
    police = make_agreement(people, tree.community, department=liaison_department(people))
    make_agreement(people, tree.other_community, by=people.street_officer)
    client.force_login(people.department_liaison)
    page = client.get(reverse("whistles:pairing_list")).content.decode()
    assert re.findall(r'href="/whistles/pairing/(\d+)/"', page) == [str(police.pk)]
    client.force_login(people.worker)
    page = client.get(reverse("whistles:pairing_list")).content.decode()
    assert page.count("城东第一中学</a>") == 1 and page.count("站前派出所</a>") == 1
    client.force_login(people.street_officer)
    page = client.get(reverse("whistles:pairing_list")).content.decode()
    assert page.count("城东第一中学</a>") == 2


def test_liaison_logs_an_action_from_its_page(client, people, agreement):
    client.force_login(people.unit_liaison)
    mine = client.get(reverse("whistles:liaison_home")).content.decode()
    assert reverse("whistles:action_log", args=[agreement.pk]) in mine
    response = client.post(
        reverse("whistles:action_log", args=[agreement.pk]),
        {"kind": "volunteer", "what": "开放操场", "date": "2026-03-08", "hours": "2.5",
         "people": "6", "commitment": str(agreement.commitments.get().pk)},
    )  # fmt: skip
    assert response.status_code == 302
    action = PairingAction.objects.get()
    assert (action.what, str(action.hours), action.people, action.logged_by) == (
        "开放操场", "2.5", 6, people.unit_liaison,
    )  # fmt: skip


def test_negative_hours_on_the_form_is_a_chinese_message(client, people, agreement):
    client.force_login(people.worker)
    response = client.post(
        reverse("whistles:action_log", args=[agreement.pk]),
        {"kind": "volunteer", "what": "清扫", "date": "2026-03-08", "hours": "-2"},
    )
    assert response.status_code == 422
    assert "服务时长不能为负数" in response.content.decode()
    assert not PairingAction.objects.exists()
    assert AuditRecord.objects.filter(action="pairing.action_log", success=False).count() == 1


def test_the_form_no_longer_offers_dual_registration(client, people, agreement):
    # given: the agreement page of a community worker
    client.force_login(people.worker)
    page = client.get(reverse("whistles:agreement", args=[agreement.pk])).content.decode()
    # then: the kind list has no 在职党员双报到 and says where it went
    assert 'value="dual_registration"' not in page
    assert "在职党员双报到请到“党建引领 › 双报到”登记服务" in page
    # when: one is posted anyway
    response = client.post(
        reverse("whistles:action_log", args=[agreement.pk]),
        {"kind": "dual_registration", "what": "报到", "date": "2026-03-08", "hours": "1"},
    )
    # then: the Chinese refusal, nothing written
    assert response.status_code == 422
    assert "已移至“党建引领 › 双报到”" in response.content.decode()
    assert not PairingAction.objects.exists()


def test_old_dual_registration_actions_still_display(client, people, agreement):
    PairingAction.objects.create(
        district_id=agreement.district_id, community_id=agreement.community_id,
        agreement=agreement, kind="dual_registration", what="在职党员到社区报到",
        date=dt.date(2026, 2, 1), people=1, member_name="王建军", logged_at=timezone.now(),
    )  # fmt: skip
    client.force_login(people.worker)
    page = client.get(reverse("whistles:agreement", args=[agreement.pk])).content.decode()
    assert "在职党员到社区报到（王**）" in page and "在职党员双报到" in page


def test_rating_twice_on_the_page(client, people, agreement, clock):
    clock.set("2026-04-03")
    client.force_login(people.secretary)
    url = reverse("whistles:quarter_rate", args=[agreement.pk])
    assert client.post(url, {"quarter": "2026Q1", "score": "4"}).status_code == 302
    again = client.post(url, {"quarter": "2026Q1", "score": "1"})
    assert again.status_code == 409
    assert "每季度只能评价一次" in again.content.decode()
    assert agreement.ratings.get().score == 4


def test_agreement_form_end_before_start(client, tree, people):
    client.force_login(people.secretary)
    unit = Unit.objects.get(name="城东第一中学")
    response = client.post(
        reverse("whistles:agreement_create"),
        {"community": tree.community.pk, "partner": f"u{unit.pk}", "starts_on": "2026-06-01",
         "ends_on": "2026-01-01", "contact_name": "李华"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not PairingAgreement.objects.exists()


def test_district_admin_keeps_departments_and_units(client, people):
    client.force_login(people.district_admin)
    response = client.post(
        reverse("whistles:department_create"),
        {"name": "城东区市场监管局", "kind": "market", "head_name": "孙丽", "phone": "13800001111",
         "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    department = Department.objects.get(name="城东区市场监管局")
    page = client.get(reverse("whistles:bodies")).content.decode()
    assert "138****1111" in page and "13800001111" not in page
    response = client.post(
        reverse("whistles:department_edit", args=[department.pk]),
        {"name": "城东区市场监督管理局", "kind": "market", "phone": ""},
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert (department.name, department.active, department.phone_tail) == (
        "城东区市场监督管理局", False, "",
    )  # fmt: skip


def test_paper_only_badge_on_the_pages(client, tree, people, agreement, clock):
    clock.set("2026-04-02")
    pairing_flags_refresh()
    client.force_login(people.worker)
    page = client.get(reverse("whistles:pairing_list") + "?paper_only=on").content.decode()
    assert "仅面上</span>" in page
    detail = client.get(reverse("whistles:agreement", args=[agreement.pk])).content.decode()
    assert "自 2026年1月1日 起没有登记任何共建活动" in detail


def test_paper_only_filter_says_what_it_means(client, people, agreement):
    # the checkbox names the flag and its rule, with the explanation as help and tooltip
    client.force_login(people.worker)
    page = client.get(reverse("whistles:pairing_list")).content.decode()
    form = page.split('id="pairing-filters"')[1].split("</form>")[0]
    label = re.search(r'<label class="form-check-label" for="id_paper_only">([^<]+)</label>', form)
    assert label is not None
    assert label.group(1) == "只看“仅面上”（上一整季度无共建活动）的协议"
    help_text = (
        "履行中的协议在上一个完整季度没有登记任何共建活动，即为“仅面上”"
        "（仅满足于面上的工作）；补登活动后，系统下次核定时取消标记。"
    )
    assert f'<div class="form-text" id="id_paper_only_helptext">{help_text}</div>' in form
    assert f'<div class="form-check" title="{help_text}">' in form
    assert 'aria-describedby="id_paper_only_helptext"' in form
    assert "只看仅面上" not in page


def test_list_query_count_does_not_grow(client, tree, people, django_assert_num_queries, clock):
    client.force_login(people.street_officer)
    make_agreement(people, tree.community)
    client.get(reverse("whistles:pairing_list"))  # warm the session
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("whistles:pairing_list"))
    make_agreement(people, tree.community, department=liaison_department(people))
    make_agreement(people, tree.other_community, by=people.street_officer)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("whistles:pairing_list"))


def test_figures_per_community_street_and_district(tree, people, clock):
    # given: two agreements in 站前社区 (one paper-only), one in 利民社区 with two actions
    clock.set("2026-03-09")
    a1 = make_agreement(people, tree.community)
    make_agreement(people, tree.community, department=liaison_department(people))
    a3 = make_agreement(people, tree.other_community, by=people.street_officer)
    officer = Actor.for_user(people.street_officer)
    school = Actor.for_user(people.unit_liaison)
    for hours, n in (("2.5", 3), ("4", 5)):
        action_log(actor=school, agreement_id=a3.pk, kind="volunteer", what="助老",
                   date=dt.date(2026, 3, 2), hours=hours, people=n)  # fmt: skip
    action_log(actor=school, agreement_id=a1.pk, kind="skills", what="义诊",
               date=dt.date(2026, 1, 5), hours="1", people=2)  # fmt: skip
    clock.set("2026-04-02")
    assert pairing_flags_refresh() == 1  # the police agreement had nothing in Q1

    # then
    rows = pairing_figures(actor=officer, level="community")
    assert [(r.region, r.agreements, r.active, r.paper_only, r.actions, str(r.hours), r.people)
            for r in rows] == [
        ("站前社区", 2, 2, 1, 1, "1.0", 2),
        ("利民社区", 1, 1, 0, 2, "6.5", 8),
    ]  # fmt: skip
    (street,) = pairing_figures(actor=officer, level="street")
    assert (street.region, street.agreements, street.paper_only, street.actions, street.people) == (
        "站前街道", 3, 1, 3, 10,
    )  # fmt: skip
    (district,) = pairing_figures(actor=Actor.for_user(people.district_admin), level="district")
    assert (district.agreements, district.active, str(district.hours)) == (3, 3, "7.5")
    (own,) = pairing_figures(actor=school, level="district")
    assert (own.agreements, own.actions) == (2, 3)
