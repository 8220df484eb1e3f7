"""The security administrator's view of accounts (等保: locked, expiring,
dormant), its actions, and the tick that disables dormant staff accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.models import AuditRecord, Grant, User
from shequ.core.permissions import Role
from shequ.core.tests.factories import PASSWORD, user_with
from shequ.core.tick import run_job

DORMANT_JOB = "shequ.core.services.accounts.users_disable_dormant"
ROLES = [
    "district_admin", "street_officer", "other_street_officer", "secretary", "worker",
    "other_worker", "building_head", "inspector", "resident", "system_admin",
    "security_admin", "audit_admin", "department_liaison", "unit_liaison", "party_secretary",
]  # fmt: skip


def days_ago(clock, days: float) -> dt.datetime:
    return clock.now - dt.timedelta(days=days)


def listed(client, **query) -> list[str]:
    response = client.get("/accounts/review/", query)
    assert response.status_code == 200
    html = response.content.decode()
    return sorted(u.username for u in User.objects.all() if f'id="account-{u.pk}"' in html)


def lock(client, username: str) -> None:
    for _ in range(5):
        client.post("/login/", {"username": username, "password": "wrong-guess-1"})


@pytest.fixture
def states(client, people, clock):
    """One account in each state the review shows; the rest are fine."""
    lock(client, "secretary")
    User.objects.filter(pk=people.district_admin.pk).update(password_changed_at=days_ago(clock, 85))
    User.objects.filter(pk=people.audit_admin.pk).update(password_changed_at=days_ago(clock, 91))
    User.objects.filter(pk=people.worker.pk).update(last_login=days_ago(clock, 91))
    User.objects.filter(pk=people.inspector.pk).update(date_joined=days_ago(clock, 120))
    User.objects.filter(pk=people.other_worker.pk).update(is_active=False)
    # a resident not seen for a year is not dormant staff
    User.objects.filter(pk=people.resident.pk).update(last_login=days_ago(clock, 365))
    for user in User.objects.exclude(pk__in=[people.worker.pk, people.inspector.pk]):
        if user.last_login is None:
            User.objects.filter(pk=user.pk).update(last_login=days_ago(clock, 1))
    client.force_login(people.security_admin)
    return people


def test_the_review_lists_each_state_and_filters_by_it(client, states):
    assert listed(client) == [
        "audit_admin", "district_admin", "inspector", "other_worker", "secretary", "worker"
    ]  # fmt: skip
    assert listed(client, status="locked") == ["secretary"]
    assert listed(client, status="expiring") == ["district_admin"]
    assert listed(client, status="expired") == ["audit_admin"]
    assert listed(client, status="dormant") == ["inspector", "worker"]
    assert listed(client, status="inactive") == ["other_worker"]
    assert listed(client, status="dormant", q="insp") == ["inspector"]
    # an unknown filter shows everything that needs a look
    assert len(listed(client, status="bogus")) == 6


def test_the_review_shows_why_and_the_locked_addresses(client, states, settings):
    settings.SHEQU_LOGIN_IP_MAX_FAILURES = 5
    html = client.get("/accounts/review/").content.decode()
    assert "登录已锁定" in html and "密码 5 天后到期" in html and "密码已过期" in html
    assert "从未（开户" in html
    # the two administrators listed have not bound a device: nothing to reset
    assert html.count("未绑定动态口令") == 2 and 'value="reset_totp"' not in html
    assert '<span class="badge text-bg-light border me-1">127.0.0.1（5 次）</span>' in html


@pytest.mark.parametrize("role", ROLES)
def test_only_the_security_admin_reviews_accounts(client, people, role):
    client.force_login(getattr(people, role))
    target = people.worker
    page = client.get("/accounts/review/")
    action = client.post(f"/accounts/review/{target.pk}/", {"action": "deactivate"})
    if role == "security_admin":
        assert (page.status_code, action.status_code) == (200, 302)
        assert User.objects.get(pk=target.pk).is_active is False
    else:
        assert (page.status_code, action.status_code) == (403, 403)
        assert User.objects.get(pk=target.pk).is_active is True
        assert not AuditRecord.objects.filter(action="user.deactivate").exists()


def test_anonymous_is_sent_to_login(client, people):
    assert client.get("/accounts/review/")["Location"] == "/login/?next=/accounts/review/"
    response = client.post(f"/accounts/review/{people.worker.pk}/", {"action": "deactivate"})
    assert response["Location"].startswith("/login/")
    assert User.objects.get(pk=people.worker.pk).is_active is True


def test_disable_and_enable_from_the_review(client, states, clock):
    worker = states.worker
    response = client.post(
        f"/accounts/review/{worker.pk}/", {"action": "deactivate", "back": "status=dormant"}
    )
    assert response["Location"] == "/accounts/review/?q=&status=dormant"
    assert User.objects.get(pk=worker.pk).is_active is False
    client.post(f"/accounts/review/{worker.pk}/", {"action": "activate"})
    user = User.objects.get(pk=worker.pk)
    assert (user.is_active, user.reactivated_at) == (True, clock.now)
    done = AuditRecord.objects.filter(object_id=str(worker.pk), username="security_admin")
    assert list(done.order_by("id").values_list("action", flat=True)) == [
        "user.deactivate",
        "user.activate",
    ]
    # enabled again, it is no longer dormant until another 90 days pass
    assert "worker" not in listed(client, status="dormant")
    assert run_job(DORMANT_JOB).result == 1  # the inspector only
    assert User.objects.get(pk=worker.pk).is_active is True


def test_bad_actions_are_refused_with_a_reason(client, states):
    unknown = client.post(f"/accounts/review/{states.worker.pk}/", {"action": "delete"})
    assert unknown.status_code == 422 and "未知的操作" in unknown.content.decode()
    twice = client.post(f"/accounts/review/{states.other_worker.pk}/", {"action": "deactivate"})
    assert twice.status_code == 422 and "该账号已是停用状态" in twice.content.decode()
    me = client.post(f"/accounts/review/{states.security_admin.pk}/", {"action": "deactivate"})
    assert me.status_code == 422 and "不能停用您本人的账号" in me.content.decode()
    assert client.post("/accounts/review/999999/", {"action": "activate"}).status_code == 404
    assert User.objects.filter(is_active=False).count() == 1


def test_the_tick_disables_dormant_staff_accounts(people, clock):
    User.objects.update(last_login=days_ago(clock, 10))
    User.objects.filter(pk=people.worker.pk).update(last_login=days_ago(clock, 90.01))
    User.objects.filter(pk=people.secretary.pk).update(last_login=days_ago(clock, 89.9))
    User.objects.filter(pk=people.resident.pk).update(last_login=days_ago(clock, 400))
    never = user_with(Role.STREET_OFFICER, people.street_officer.grants.get().region, "never")
    User.objects.filter(pk=never.pk).update(last_login=None, date_joined=days_ago(clock, 91))
    fresh = user_with(Role.STREET_OFFICER, people.street_officer.grants.get().region, "fresh")
    User.objects.filter(pk=fresh.pk).update(last_login=None, date_joined=days_ago(clock, 30))

    result = run_job(DORMANT_JOB)

    assert (result.ok, result.result) == (True, 2)
    disabled = set(User.objects.filter(is_active=False).values_list("username", flat=True))
    assert disabled == {"worker", "never"}
    records = AuditRecord.objects.filter(action="user.disable_dormant").order_by("id")
    assert [(r.username, r.object_id, r.message) for r in records] == [
        ("系统:shequ tick", str(people.worker.pk), "90 天未登录，自动停用"),
        ("系统:shequ tick", str(never.pk), "90 天未登录，自动停用"),
    ]
    # the grants stay for the record; a second run finds nothing
    assert Grant.objects.filter(user=people.worker).count() == 1
    assert run_job(DORMANT_JOB).result == 0


def test_a_disabled_account_can_no_longer_log_in(client, people, clock):
    User.objects.filter(pk=people.worker.pk).update(last_login=days_ago(clock, 100))
    run_job(DORMANT_JOB)
    response = client.post("/login/", {"username": "worker", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_review_page_query_count_does_not_grow(client, people, tree, clock):
    client.force_login(people.security_admin)

    def dormant(n: int, start: int) -> None:
        for i in range(start, start + n):
            user = user_with(Role.COMMUNITY_WORKER, tree.community, f"old{i:02d}")
            User.objects.filter(pk=user.pk).update(date_joined=days_ago(clock, 200))

    dormant(2, 0)
    client.get("/accounts/review/")  # warm the session
    with CaptureQueriesContext(connection) as small:
        response = client.get("/accounts/review/")
    assert response.content.decode().count('id="account-') == 2
    dormant(10, 2)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/accounts/review/")
    assert response.content.decode().count('id="account-') == 12
    assert len(large.captured_queries) == len(small.captured_queries)
