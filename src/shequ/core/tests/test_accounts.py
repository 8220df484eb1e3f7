"""Accounts, grants (三员分立) and API tokens: services and pages."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.api_auth import token_digest
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import ApiToken, AuditRecord, Grant, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.services.accounts import (
    grant_create,
    grant_revoke,
    token_create,
    token_revoke,
    user_create,
    user_password_reset,
    user_set_active,
)
from shequ.core.tests.factories import PASSWORD, UserFactory, actor_for, make_region, user_with


def accounts_snapshot() -> list:
    return [
        list(User.objects.order_by("pk").values_list("pk", "username", "is_active", "password")),
        list(Grant.objects.order_by("pk").values_list("pk", "user_id", "role", "region_id")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "user_id", "revoked_at")),
    ]


# -- users ---------------------------------------------------------------------------


def test_user_create_makes_an_account_without_roles(people):
    actor = actor_for(people.system_admin)
    user = user_create(
        actor=actor, username="zhangwei", full_name="张伟", password="Shequ-2026-strong"
    )
    user.refresh_from_db()
    assert (user.username, user.full_name, user.is_active, user.must_change_password) == (
        "zhangwei",
        "张伟",
        True,
        True,
    )
    assert user.check_password("Shequ-2026-strong")
    assert not Grant.objects.filter(user=user).exists()
    record = AuditRecord.objects.get(action="user.create")
    assert record.changes == {"username": "zhangwei", "full_name": "张伟"}
    assert "Shequ-2026-strong" not in str(record.changes)


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("zhangwei", "short", "密码太短，至少需要 10 个字符。"),
        ("zhangwei", "1234567890123", "这个密码太常见。 密码不能全是数字。"),
        ("zhangwei", "zhangwei2026", "密码与账号名或姓名太相近。"),
        ("zh", "Shequ-2026-strong", "账号名为 3–150 位英文字母、数字或 _ . @ + - 符号。"),
        ("张伟", "Shequ-2026-strong", "账号名为 3–150 位英文字母、数字或 _ . @ + - 符号。"),
        ("Worker", "Shequ-2026-strong", "账号名“Worker”已被使用。"),
    ],
)
def test_user_create_refuses_bad_input_in_chinese(people, username, password, message):
    actor = actor_for(people.system_admin)
    before = accounts_snapshot()
    with pytest.raises(ValidationError) as refused:
        user_create(actor=actor, username=username, full_name="张伟", password=password)
    assert refused.value.message == message
    assert accounts_snapshot() == before


def test_only_the_system_admin_manages_accounts(people):
    before = accounts_snapshot()
    for who in (people.security_admin, people.district_admin, people.worker):
        with pytest.raises(PermissionDenied) as refused:
            user_create(
                actor=actor_for(who),
                username="newuser",
                full_name="新用户",
                password="Shequ-2026-strong",
            )
        assert refused.value.message == "您没有“管理用户账号”的权限。"
    assert accounts_snapshot() == before


def test_deactivate_and_reset_password(people):
    actor = actor_for(people.system_admin)
    user_set_active(actor=actor, user=people.worker, active=False)
    people.worker.refresh_from_db()
    assert people.worker.is_active is False
    with pytest.raises(ValidationError) as twice:
        user_set_active(actor=actor, user=people.worker, active=False)
    assert twice.value.message == "该账号已是停用状态。"
    with pytest.raises(ValidationError) as self_off:
        user_set_active(actor=actor, user=people.system_admin, active=False)
    assert self_off.value.message == "不能停用您本人的账号。"
    password = user_password_reset(actor=actor, user=people.secretary)
    people.secretary.refresh_from_db()
    assert people.secretary.check_password(password)
    assert people.secretary.must_change_password is True
    assert len(password) == 16
    assert [r.action for r in AuditRecord.objects.order_by("id")] == [
        "user.deactivate",
        "user.password_reset",
    ]


# -- grants --------------------------------------------------------------------------


def test_grant_create_on_the_right_level(tree, people):
    # given the security admin and a fresh account
    actor = actor_for(people.security_admin)
    user = UserFactory(username="newworker")
    # when he grants community worker on 站前社区
    grant = grant_create(actor=actor, user=user, role=Role.COMMUNITY_WORKER, region=tree.community)
    # then the grant exists, records who granted it, and is audited
    assert (grant.user_id, grant.role, grant.region_id, grant.created_by_id) == (
        user.pk,
        "community_worker",
        tree.community.pk,
        people.security_admin.pk,
    )
    record = AuditRecord.objects.get(action="grant.create")
    assert record.changes == {"user": "newworker", "role": "社区工作者", "region": "站前社区"}
    assert record.region_id == tree.community.pk


@pytest.mark.parametrize(
    ("role", "target", "message"),
    [
        (Role.STREET_OFFICER, "community", "“街道干部”只能授予在街道一级，“站前社区”是社区。"),
        (Role.COMMUNITY_WORKER, "street", "“社区工作者”只能授予在社区一级，“站前街道”是街道。"),
        (Role.BUILDING_HEAD, "unit", "“楼栋长”只能授予在楼栋一级，“1单元”是单元。"),
        (Role.DISTRICT_ADMIN, "street", "“区民政管理员”只能授予在区一级，“站前街道”是街道。"),
        (Role.AUDIT_ADMIN, "community", "“审计管理员”只能授予在区一级，“站前社区”是社区。"),
        ("root", "district", "请选择有效的角色。"),
    ],
)
def test_grant_role_must_fit_the_region_level(tree, people, role, target, message):
    actor = actor_for(people.security_admin)
    user = UserFactory(username="newuser")
    before = accounts_snapshot()
    with pytest.raises(ValidationError) as refused:
        grant_create(actor=actor, user=user, role=role, region=getattr(tree, target))
    assert refused.value.message == message
    assert accounts_snapshot() == before


def test_grant_outside_the_granters_scope_is_refused(tree, people):
    # given a security admin whose district is 城西区
    other = make_region(name="城西区", code="210303", level=RegionLevel.DISTRICT)
    west_security = user_with(Role.SECURITY_ADMIN, other, "west_security")
    user = UserFactory(username="newuser")
    before = accounts_snapshot()
    # when he grants on 城东区's community
    with pytest.raises(PermissionDenied) as refused:
        grant_create(
            actor=actor_for(west_security),
            user=user,
            role=Role.COMMUNITY_WORKER,
            region=tree.community,
        )
    # then it is refused with the scope message and nothing changed
    assert refused.value.message == "授权范围超出您本人的管辖范围。"
    assert accounts_snapshot() == before


def test_two_separated_admin_roles_on_one_account_are_refused(tree, people):
    actor = actor_for(people.security_admin)
    before = accounts_snapshot()
    for holder, role, held in (
        (people.system_admin, Role.AUDIT_ADMIN, "系统管理员"),
        (people.audit_admin, Role.SECURITY_ADMIN, "审计管理员"),
        (people.audit_admin, Role.SYSTEM_ADMIN, "审计管理员"),
    ):
        with pytest.raises(ValidationError) as refused:
            grant_create(actor=actor, user=holder, role=role, region=tree.district)
        assert refused.value.message == (
            f"三员分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任（该账号已是{held}）。"
        )
    assert accounts_snapshot() == before


def test_security_admin_cannot_grant_to_himself_nor_revoke_his_own(tree, people):
    actor = actor_for(people.security_admin)
    before = accounts_snapshot()
    with pytest.raises(PermissionDenied) as to_self:
        grant_create(
            actor=actor, user=people.security_admin, role=Role.INSPECTOR, region=tree.district
        )
    assert to_self.value.message == "不能给您本人授权。"
    with pytest.raises(PermissionDenied) as own:
        grant_revoke(actor=actor, grant=people.security_admin.grants.get())
    assert own.value.message == "不能收回您本人的授权。"
    assert accounts_snapshot() == before


def test_grant_refuses_duplicates_and_disabled_accounts(tree, people):
    actor = actor_for(people.security_admin)
    with pytest.raises(ValidationError) as dup:
        grant_create(
            actor=actor, user=people.worker, role=Role.COMMUNITY_WORKER, region=tree.community
        )
    assert dup.value.message == "该账号已持有“社区工作者·站前社区”的授权。"
    people.other_worker.is_active = False
    people.other_worker.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as off:
        grant_create(
            actor=actor, user=people.other_worker, role=Role.COMMUNITY_WORKER, region=tree.community
        )
    assert off.value.message == "该账号已停用，不能授权。"


def test_grant_revoke_deletes_and_audits(tree, people):
    actor = actor_for(people.security_admin)
    grant = people.worker.grants.get()
    grant_revoke(actor=actor, grant=grant)
    assert not Grant.objects.filter(pk=grant.pk).exists()
    record = AuditRecord.objects.get(action="grant.revoke")
    assert record.changes == {"user": "worker", "role": "社区工作者", "region": "站前社区"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_separated_admin_grants_cannot_both_pass(tree, people):
    """Two security admins grant the same account two different admin roles at
    once: the row lock on the account lets exactly one through."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    from django.db import connections

    second = UserFactory(username="second_security")
    Grant.objects.create(user=second, role=Role.SECURITY_ADMIN, region=tree.district)
    target = UserFactory(username="target")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def grant(granter, role):
        try:
            barrier.wait()
            grant_create(actor=actor_for(granter), user=target, role=role, region=tree.district)
            results.append("ok")
        except ValidationError as error:
            results.append(error.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=grant, args=(people.security_admin, Role.SYSTEM_ADMIN)),
        threading.Thread(target=grant, args=(second, Role.AUDIT_ADMIN)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results)[0] == "ok"
    assert sorted(results)[1].startswith("三员分立：")
    assert Grant.objects.filter(user=target).count() == 1


# -- tokens --------------------------------------------------------------------------


def test_token_create_returns_the_raw_token_once_and_stores_its_digest(people):
    actor = actor_for(people.worker)
    token, raw = token_create(actor=actor, name="12345 热线对接")
    assert raw.startswith("sq_") and token.prefix == raw[:8]
    assert token.digest == token_digest(raw)
    assert not ApiToken.objects.filter(digest=raw).exists()
    record = AuditRecord.objects.get(action="token.create")
    assert raw not in str(record.changes)


def test_token_revoke_own_only(people):
    token, _ = token_create(actor=actor_for(people.worker), name="对接")
    with pytest.raises(PermissionDenied) as other:
        token_revoke(actor=actor_for(people.other_worker), token=token)
    assert other.value.message == "只能收回您本人的令牌。"
    token.refresh_from_db()
    assert token.revoked_at is None
    token_revoke(actor=actor_for(people.worker), token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(ValidationError) as again:
        token_revoke(actor=actor_for(people.worker), token=token)
    assert again.value.message == "该令牌已收回。"


def test_token_needs_the_api_token_permission_and_a_name(people):
    with pytest.raises(PermissionDenied) as refused:
        token_create(actor=actor_for(people.resident), name="x")
    assert refused.value.message == "您没有“申请接口令牌”的权限。"
    with pytest.raises(ValidationError) as blank:
        token_create(actor=actor_for(people.worker), name="  ")
    assert blank.value.message == "请填写令牌名称（例如使用它的系统）。"
    assert ApiToken.objects.count() == 0


# -- pages ---------------------------------------------------------------------------


def test_user_list_masks_resident_accounts_and_shows_no_register_data(client, tree, people):
    # given a resident account whose user name is a phone number
    phone_user = user_with(Role.RESIDENT, tree.community, "13812345678")
    phone_user.full_name = "王小明"
    phone_user.save(update_fields=["full_name"])
    client.force_login(people.system_admin)
    # when the system admin lists accounts
    html = client.get(reverse("core:users")).content.decode()
    # then the resident's name and phone-number user name are masked
    assert "王小明" not in html and "王**" in html
    assert "13812345678" not in html and "138****5678" in html
    # and staff accounts are shown as they are
    assert people.worker.full_name in html
    # and searching a resident's name finds nothing
    found = client.get(reverse("core:users"), {"q": "王小明"})
    assert list(found.context["page"].object_list) == []


def test_user_list_query_count_does_not_grow(client, tree, people, django_assert_num_queries):
    client.force_login(people.system_admin)
    url = reverse("core:users")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(15):
        user_with(Role.COMMUNITY_WORKER, tree.community, f"extra{i}")
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["rows"]) == 30  # 15 people (two liaisons, a party secretary) + 15


def test_user_create_page(client, people):
    client.force_login(people.system_admin)
    response = client.post(
        reverse("core:user_create"),
        {
            "username": "lina",
            "full_name": "李娜",
            "password": "Shequ-2026-strong",
            "password2": "Shequ-2026-strong",
        },
    )
    user = User.objects.get(username="lina")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:user_detail", args=[user.pk])
    mismatch = client.post(
        reverse("core:user_create"),
        {
            "username": "lina2",
            "full_name": "李娜",
            "password": "Shequ-2026-strong",
            "password2": "Shequ-2026-other",
        },
    )
    assert mismatch.status_code == 422
    assert "两次输入的密码不一致。" in mismatch.content.decode()
    weak = client.post(
        reverse("core:user_create"),
        {"username": "lina3", "full_name": "李娜", "password": "12345", "password2": "12345"},
    )
    assert weak.status_code == 422
    assert "密码太短，至少需要 10 个字符。" in weak.content.decode()
    assert not User.objects.filter(username__in=["lina2", "lina3"]).exists()
    assert AuditRecord.objects.filter(action="user.create", success=False).count() == 1


def test_user_detail_deactivates_and_resets(client, people):
    client.force_login(people.system_admin)
    url = reverse("core:user_detail", args=[people.worker.pk])
    assert client.post(url, {"action": "deactivate"}).status_code == 302
    people.worker.refresh_from_db()
    assert people.worker.is_active is False
    reset = client.post(url, {"action": "reset_password"})
    people.worker.refresh_from_db()
    assert people.worker.check_password(reset.context["new_password"])
    own = client.post(
        reverse("core:user_detail", args=[people.system_admin.pk]), {"action": "deactivate"}
    )
    assert own.status_code == 422
    assert "不能停用您本人的账号。" in own.content.decode()


def test_grant_pages_create_and_revoke(client, tree, people):
    user = UserFactory(username="newworker")
    client.force_login(people.security_admin)
    response = client.post(
        reverse("core:grant_create"),
        {"username": "newworker", "role": "community_worker", "region_code": "210302001002"},
    )
    assert response.status_code == 302
    grant = Grant.objects.get(user=user)
    assert (grant.role, grant.region_id) == ("community_worker", tree.other_community.pk)
    listed = client.get(reverse("core:grants"), {"role": "community_worker"})
    assert [g.user.username for g in listed.context["page"].object_list] == [
        "worker",
        "newworker",
        "other_worker",
    ]
    revoked = client.post(reverse("core:grant_revoke", args=[grant.pk]))
    assert revoked.status_code == 302
    assert not Grant.objects.filter(pk=grant.pk).exists()


def test_grant_page_shows_the_separation_message_and_changes_nothing(client, tree, people):
    client.force_login(people.security_admin)
    before = accounts_snapshot()
    response = client.post(
        reverse("core:grant_create"),
        {"username": "system_admin", "role": "audit_admin", "region_code": "210302"},
    )
    assert response.status_code == 422
    assert (
        "三员分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任（该账号已是系统管理员）。"
        in (response.content.decode())
    )
    unknown = client.post(
        reverse("core:grant_create"),
        {"username": "nobody", "role": "inspector", "region_code": "999999"},
    )
    assert "没有这个账号。" in unknown.content.decode()
    assert "没有这个区划代码。" in unknown.content.decode()
    assert accounts_snapshot() == before
    refusal = AuditRecord.objects.get(action="grant.create")
    assert refusal.success is False


def test_grant_list_query_count_does_not_grow(client, tree, people, django_assert_num_queries):
    client.force_login(people.security_admin)
    url = reverse("core:grants")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(10):
        user_with(Role.COMMUNITY_WORKER, tree.other_community, f"extra{i}")
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25  # 15 people's grants + 10


def test_token_page_shows_the_raw_token_once(client, people):
    client.force_login(people.worker)
    created = client.post(reverse("core:tokens"), {"name": "小程序"})
    raw = created.context["raw"]
    assert created.status_code == 200 and raw in created.content.decode()
    token = ApiToken.objects.get(user=people.worker)
    assert token.digest == token_digest(raw)
    listed = client.get(reverse("core:tokens"))
    assert raw not in listed.content.decode() and token.prefix in listed.content.decode()
    assert client.post(reverse("core:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_revoke_page_refuses_someone_elses_token(client, people):
    token, _ = token_create(actor=actor_for(people.worker), name="对接")
    client.force_login(people.other_worker)
    response = client.post(reverse("core:token_revoke", args=[token.pk]))
    assert response.status_code == 403
    assert "只能收回您本人的令牌。" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


# -- permission matrix over the account pages -----------------------------------------

ACCOUNT_PAGES = {
    # name: (method, permission holder, data)
    "users": ("get", "system_admin"),
    "user_create": ("post", "system_admin"),
    "user_detail": ("post", "system_admin"),
    "grants": ("get", "security_admin"),
    "grant_create": ("post", "security_admin"),
    "grant_revoke": ("post", "security_admin"),
    "tokens": ("post", "worker"),
    "token_revoke": ("post", "worker"),
}


def _account_request(client, people, tree, name):
    method, _ = ACCOUNT_PAGES[name]
    if name == "user_detail":
        return client.post(
            reverse("core:user_detail", args=[people.secretary.pk]), {"action": "deactivate"}
        )
    if name == "grant_revoke":
        grant = people.other_worker.grants.get()
        return client.post(reverse("core:grant_revoke", args=[grant.pk]))
    if name == "token_revoke":
        token = ApiToken.objects.get(name="worker-token")
        return client.post(reverse("core:token_revoke", args=[token.pk]))
    data = {
        "user_create": {
            "username": "newbie",
            "full_name": "新人",
            "password": "Shequ-2026-strong",
            "password2": "Shequ-2026-strong",
        },
        "grant_create": {
            "username": "resident",
            "role": "building_head",
            "region_code": tree.building.code,
        },
        "tokens": {"name": "新令牌"},
    }.get(name)
    return getattr(client, method)(reverse(f"core:{name}"), data)


@pytest.mark.parametrize("name", list(ACCOUNT_PAGES))
@pytest.mark.parametrize(
    "who", ["anonymous", "resident", "other_worker", "other_street_officer", "audit_admin", "right"]
)
def test_account_pages_permission_matrix(client, tree, people, name, who):
    # given a token of the worker's (for token_revoke) and a caller of each kind
    token_create(actor=actor_for(people.worker), name="worker-token")
    holder = getattr(people, ACCOUNT_PAGES[name][1])
    caller = holder if who == "right" else (None if who == "anonymous" else getattr(people, who))
    if caller is not None:
        client.force_login(caller)
    before = accounts_snapshot()
    # when it requests the page
    response = _account_request(client, people, tree, name)
    # then only the holder of the permission passes; refusals change nothing
    if who == "right":
        assert response.status_code in (200, 302)
        if ACCOUNT_PAGES[name][0] == "post":
            assert accounts_snapshot() != before
        return
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))
    elif name in {"tokens", "token_revoke"} and who in {"other_worker", "other_street_officer"}:
        # both may hold tokens; revoking the worker's token is refused by ownership
        expected = 200 if name == "tokens" else 403
        assert response.status_code == expected
        if name == "tokens":
            assert ApiToken.objects.filter(user=caller).count() == 1
            return
    else:
        assert response.status_code == 403
    assert accounts_snapshot() == before


def test_login_with_a_wrong_password_and_inactive_account(client, people):
    wrong = client.post(reverse("core:login"), {"username": "worker", "password": "nope"})
    assert "账号或密码不正确。" in wrong.content.decode()
    ok = client.post(reverse("core:login"), {"username": "worker", "password": PASSWORD})
    assert ok.status_code == 302


# -- shequ bootstrap ----------------------------------------------------------------

BOOTSTRAP = [
    "bootstrap",
    "--district-code",
    "210302",
    "--district-name",
    "城东区",
    "--system-admin",
    "sysadmin",
    "--security-admin",
    "secadmin",
    "--audit-admin",
    "audadmin",
]


def test_bootstrap_creates_the_district_and_three_admins_once(db):
    import io
    import re

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from shequ.core.models import Region, RegionStat

    # when the command runs on an empty database
    out = io.StringIO()
    call_command(*BOOTSTRAP, stdout=out)
    # then the district and the three separated admins exist, each with one role
    district = Region.objects.get()
    assert (district.code, district.name, district.level, district.district_id) == (
        "210302",
        "城东区",
        1,
        district.pk,
    )
    assert RegionStat.objects.filter(region=district).exists()
    roles = dict(Grant.objects.values_list("user__username", "role"))
    assert roles == {
        "sysadmin": "system_admin",
        "secadmin": "security_admin",
        "audadmin": "audit_admin",
    }
    # and the printed passwords (shown once) log them in
    printed = dict(re.findall(r"账号 (\S+)  密码 (\S+)", out.getvalue()))
    assert set(printed) == {"sysadmin", "secadmin", "audadmin"}
    for username, password in printed.items():
        user = User.objects.get(username=username)
        assert user.check_password(password) and user.must_change_password
    assert AuditRecord.objects.filter(action="grant.create").count() == 3
    # and a second run refuses and changes nothing
    before = accounts_snapshot()
    with pytest.raises(CommandError) as again:
        call_command(*BOOTSTRAP, stdout=io.StringIO())
    assert str(again.value) == "数据库中已有区划，不能重复初始化。"
    assert accounts_snapshot() == before and Region.objects.count() == 1


def test_bootstrap_refuses_one_account_for_two_admin_roles_and_a_bad_code(db):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from shequ.core.models import Region

    args = list(BOOTSTRAP)
    args[args.index("audadmin")] = "SysAdmin"
    with pytest.raises(CommandError) as same:
        call_command(*args, stdout=io.StringIO())
    assert str(same.value) == "三员分立：系统、安全、审计管理员必须是三个不同的账号。"
    args = list(BOOTSTRAP)
    args[args.index("210302")] = "21030"
    with pytest.raises(CommandError) as bad:
        call_command(*args, stdout=io.StringIO())
    assert str(bad.value) == "区的区划代码应为 6 位数字，例如 110101。"
    assert (Region.objects.count(), User.objects.count(), Grant.objects.count()) == (0, 0, 0)


def test_grant_list_masks_a_residents_phone_account(client, tree, people):
    user_with(Role.RESIDENT, tree.community, "13812345678")
    client.force_login(people.security_admin)
    html = client.get(reverse("core:grants")).content.decode()
    assert "13812345678" not in html and "138****5678" in html
    found = client.get(reverse("core:grants"), {"q": "1381234"})
    assert list(found.context["page"].object_list) == []
    api = client.get("/api/grants", {"role": "resident"}).json()
    assert sorted(g["username"] for g in api) == ["138****5678", "resident"]
