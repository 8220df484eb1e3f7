"""审计记录 pages: only the audit admin, search, paging, seal status, read only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from shequ.core.audit import audit_log
from shequ.core.audit_chain import audit_name_objects, seal_pending
from shequ.core.models import AuditRecord, Grant
from shequ.core.registry import audit_action_label
from shequ.core.scope import Actor
from shequ.core.tests.factories import actor_for

LIST = reverse("core:audit")


def _detail(pk):
    return reverse("core:audit_detail", args=[pk])


@pytest.fixture
def records(people, tree):
    """A handful of records of different users, actions, regions and outcomes."""
    worker, other = actor_for(people.worker), actor_for(people.other_street_officer)
    return {
        "create": audit_log(
            actor=worker, action="resident.create", obj=tree.unit, changes={"name": [None, "张*"]}
        ),
        "unmask": audit_log(actor=worker, action="resident.unmask", obj=tree.unit2),
        "refused": audit_log(
            actor=worker,
            action="resident.change",
            obj=tree.unit,
            success=False,
            message="身份证号校验位不正确。",
        ),
        "far": audit_log(actor=other, action="region.move", obj=tree.far_community),
        "anonymous": audit_log(
            actor=Actor.anonymous(ip="10.0.0.9"),
            action="login.failed",
            message="账号或密码不正确。",
        ),
    }


@pytest.mark.parametrize(
    "who",
    [
        None,
        "resident",
        "worker",
        "other_worker",
        "other_street_officer",
        "district_admin",
        "inspector",
        "system_admin",
        "security_admin",
    ],
)
def test_only_the_audit_admin_may_read(client, people, records, who):
    if who:
        client.force_login(getattr(people, who))
    count = AuditRecord.objects.count()
    list_response = client.get(LIST)
    detail_response = client.get(_detail(records["create"].pk))
    expected = 302 if who is None else 403
    assert (list_response.status_code, detail_response.status_code) == (expected, expected)
    assert AuditRecord.objects.count() == count


def test_audit_admin_sees_every_record_newest_first(client, people, records):
    client.force_login(people.audit_admin)
    response = client.get(LIST)
    assert response.status_code == 200
    # (the audit admin's own login is audited too, and listed first)
    ids = [r.pk for r in response.context["page"] if r.action != "auth.login"]
    assert ids == sorted((r.pk for r in records.values()), reverse=True)
    assert response.context["page"][0].action == "auth.login"
    html = response.content.decode()
    assert "（匿名）" in html and "被拒绝" in html and "待封存" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "work"}, ["create", "unmask", "refused"]),
        ({"action": "resident."}, ["create", "unmask", "refused"]),
        ({"action": "resident.unmask"}, ["unmask"]),
        ({"success": "0"}, ["refused"]),
        ({"region": "210302002"}, ["far"]),  # 铁塔街道's subtree
        ({"region": "21030200100100100102"}, ["unmask"]),  # one unit
        ({"object_type": "core.region", "object_id": "<far>"}, ["far"]),
    ],
)
def test_search_filters(client, people, tree, records, params, expected):
    client.force_login(people.audit_admin)
    if params.get("object_id") == "<far>":
        params = {**params, "object_id": str(tree.far_community.pk)}
    response = client.get(LIST, params)
    assert sorted(r.pk for r in response.context["page"]) == sorted(
        records[name].pk for name in expected
    )


def test_date_range_uses_beijing_days(client, people, records):
    # given: one record from three days ago
    old = AuditRecord.objects.create(at=timezone.now() - timedelta(days=3), action="test.old")
    client.force_login(people.audit_admin)
    day = timezone.localdate() - timedelta(days=3)
    response = client.get(LIST, {"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert [r.pk for r in response.context["page"]] == [old.pk]
    response = client.get(LIST, {"date_from": (day + timedelta(days=1)).isoformat()})
    assert old.pk not in [r.pk for r in response.context["page"]]


def test_unknown_region_code_is_a_form_error(client, people, records):
    client.force_login(people.audit_admin)
    response = client.get(LIST, {"region": "999"})
    assert response.status_code == 422
    assert "区划代码“999”不存在或不在您的范围内。" in response.content.decode()


def test_paginated(client, people):
    AuditRecord.objects.bulk_create(
        [AuditRecord(at=timezone.now(), action="test.page", username=f"u{i}") for i in range(120)]
    )
    client.force_login(people.audit_admin)
    first = client.get(LIST, {"action": "test."})
    third = client.get(LIST, {"action": "test.", "page": 3})
    assert len(first.context["page"]) == 50
    assert len(third.context["page"]) == 20
    assert first.context["page"].paginator.count == 120
    assert "action=test." in first.context["query"]


def test_list_query_count_does_not_grow_with_rows(client, people, django_assert_num_queries):
    def add(n):
        AuditRecord.objects.bulk_create(
            [
                AuditRecord(
                    at=timezone.now() - timedelta(minutes=1),
                    action="test.n",
                    username="x",
                    region=people.worker.grants.get().region,
                )
                for _ in range(n)
            ]
        )
        seal_pending(batch=7, settle=timedelta(0))

    client.force_login(people.audit_admin)
    add(3)
    client.get(LIST)
    # session, user, grants, count, page (records + region + seal + block in one join),
    # the name of the one object on the page (the audit admin's own login: a core.user),
    # the navigation bell's unread count
    with django_assert_num_queries(7):
        client.get(LIST)
    add(40)
    with django_assert_num_queries(7):
        response = client.get(LIST)
    assert len(response.context["page"]) == 44  # 43 + the audit admin's login


def test_detail_shows_the_record_and_its_seal(client, people, records):
    client.force_login(people.audit_admin)
    record = records["create"]
    # before sealing
    response = client.get(_detail(record.pk))
    assert response.status_code == 200
    assert response.context["seal"].sealed is False
    assert "尚未封存" in response.content.decode()
    # after sealing
    seal_pending(settle=timedelta(0))
    response = client.get(_detail(record.pk))
    seal = response.context["seal"]
    assert (seal.sealed, seal.block_seq, seal.intact) == (True, 1, True)
    html = response.content.decode()
    assert "复核一致" in html and "resident.create" in html and "张*" in html


def test_missing_record_is_a_404_page(client, people):
    client.force_login(people.audit_admin)
    response = client.get(_detail(999999))
    assert response.status_code == 404
    assert "该审计记录不存在或不在您的范围内。" in response.content.decode()


def test_no_write_through_the_pages(client, people, records):
    client.force_login(people.audit_admin)
    count = AuditRecord.objects.count()
    assert client.post(LIST, {"user": "x"}).status_code == 405
    assert client.post(_detail(records["create"].pk)).status_code == 405
    assert client.delete(_detail(records["create"].pk)).status_code == 405
    assert AuditRecord.objects.count() == count


# -- names instead of codes ---------------------------------------------------------------------


def _named_records(people, tree, n):
    """``n`` records about each of three kinds of object: a user, a unit, a grant."""
    people.worker.full_name = "王小明"
    people.worker.save(update_fields=["full_name"])
    admin = actor_for(people.district_admin)
    grant = Grant.objects.get(user=people.worker)
    return [
        audit_log(actor=admin, action=action, obj=obj)
        for _ in range(n)
        for action, obj in (
            ("user.create", people.worker),
            ("region.update", tree.unit2),
            ("grant.create", grant),
        )
    ]


def test_list_shows_role_action_and_object_by_name_with_the_codes_in_tooltips(client, people, tree):
    # given
    user_record, region_record, grant_record = _named_records(people, tree, 1)
    client.force_login(people.audit_admin)

    # when
    html = client.get(LIST, {"user": "district_admin"}).content.decode()

    # then
    assertInHTML('<td><span title="district_admin">区民政管理员</span></td>', html, count=3)
    assertInHTML('<td><span title="user.create">新建账号</span></td>', html)
    assertInHTML('<td><span title="region.update">修改区划</span></td>', html)
    assertInHTML('<td><span title="grant.create">授予角色</span></td>', html)
    assertInHTML(
        f'<td><span title="core.user#{people.worker.pk}">'
        '<small class="text-muted">用户</small> worker（王小明）</span></td>',
        html,
    )
    assertInHTML(
        f'<td><span title="core.region#{tree.unit2.pk}">'
        '<small class="text-muted">区划</small> 化机小区1号楼2单元</span></td>',
        html,
    )
    grant_id = grant_record.object_id
    assertInHTML(
        f'<td><span title="core.grant#{grant_id}">'
        '<small class="text-muted">授权</small> worker：社区工作者·站前社区</span></td>',
        html,
    )
    assert "<code>" not in html


def test_detail_shows_the_names_with_the_codes_in_tooltips(client, people, tree):
    # given
    user_record = _named_records(people, tree, 1)[0]
    client.force_login(people.audit_admin)

    # when
    html = client.get(_detail(user_record.pk)).content.decode()

    # then
    assertInHTML(
        '<tr><th>角色</th><td><span title="district_admin">区民政管理员</span></td></tr>', html
    )
    assertInHTML('<tr><th>操作</th><td><span title="user.create">新建账号</span></td></tr>', html)
    assertInHTML(
        f'<tr><th>对象</th><td><span title="core.user#{people.worker.pk}">'
        "用户 worker（王小明）</span></td></tr>",
        html,
    )


def test_an_object_that_is_gone_keeps_the_name_it_was_written_with(people, tree):
    # given: a grant revoked after its record was written
    grant_record = _named_records(people, tree, 1)[2]
    Grant.objects.filter(pk=grant_record.object_id).delete()
    record = AuditRecord.objects.get(pk=grant_record.pk)

    # when
    audit_name_objects([record])

    # then
    assert record.object_name == "社区工作者·站前社区"


def test_an_object_type_without_a_namer_and_a_record_without_object(people, tree):
    # given
    actor = actor_for(people.worker)
    records = [
        AuditRecord.objects.create(
            at=timezone.now(),
            action="test.x",
            object_type="core.holiday",
            object_id="7",
            object_repr="2026-10-01 放假 国庆节",
        ),
        audit_log(actor=actor, action="test.y"),
    ]

    # when
    audit_name_objects(records)

    # then
    assert [r.object_name for r in records] == ["2026-10-01 放假 国庆节", ""]
    assert [r.object_type_label for r in records] == ["节假日", ""]
    assert [r.role_label for r in records] == ["", "社区工作者"]


def test_an_action_without_a_label_shows_its_code():
    assert audit_action_label("auth.login") == "登录"
    assert audit_action_label("test.unknown") == "test.unknown"


def test_naming_takes_one_query_per_object_type_whatever_the_rows(
    people, tree, django_assert_num_queries
):
    # given
    few = list(AuditRecord.objects.filter(pk__in=[r.pk for r in _named_records(people, tree, 1)]))
    many = list(AuditRecord.objects.filter(pk__in=[r.pk for r in _named_records(people, tree, 20)]))

    # when / then: users, regions, grants
    with django_assert_num_queries(3):
        audit_name_objects(few)
    with django_assert_num_queries(3):
        audit_name_objects(many)
    assert {r.object_name for r in many} == {
        "worker（王小明）",
        "化机小区1号楼2单元",
        "worker：社区工作者·站前社区",
    }


def test_list_query_count_does_not_grow_with_named_rows(
    client, people, tree, django_assert_num_queries
):
    # given
    client.force_login(people.audit_admin)
    _named_records(people, tree, 1)
    client.get(LIST)
    with CaptureQueriesContext(connection) as three_rows:
        client.get(LIST)

    # when
    _named_records(people, tree, 15)

    # then
    with django_assert_num_queries(len(three_rows)):
        response = client.get(LIST)
    assert len(response.context["page"]) == 49  # 48 + the audit admin's login


def test_a_residents_account_is_named_with_the_name_masked(people):
    # given
    people.resident.full_name = "李秀英"
    people.resident.save(update_fields=["full_name"])
    record = audit_log(actor=actor_for(people.resident), action="auth.login", obj=people.resident)

    # when
    audit_name_objects([record])

    # then
    assert record.object_name == "resident（李**）"
