"""Passwords (等保 定期更换, 口令复杂度): administrators change theirs every 90
days, warned from 7 days before; nobody reuses one of their last five."""

from __future__ import annotations

import datetime as dt

from shequ.core.models import AuditRecord, PasswordHistory, User
from shequ.core.tests.factories import PASSWORD

BANNER = 'id="password-expiry"'


def aged(user: User, clock, days: float) -> None:
    User.objects.filter(pk=user.pk).update(password_changed_at=clock.now - dt.timedelta(days=days))


def change(client, old: str, new: str):
    return client.post(
        "/password/", {"old_password": old, "new_password": new, "new_password_again": new}
    )


def test_every_page_warns_an_administrator_seven_days_before(client, people, clock):
    admin = people.district_admin
    client.force_login(admin)
    aged(admin, clock, days=82.9)  # 7.1 days left
    assert BANNER not in client.get("/").content.decode()
    aged(admin, clock, days=84)  # 6 days left
    html = client.get("/residents/").content.decode()
    assert "您的密码将在 6 天后到期" in html
    aged(admin, clock, days=89.5)  # half a day left: shown as 1
    assert "您的密码将在 1 天后到期" in client.get("/").content.decode()


def test_an_expired_password_must_be_changed_before_anything_else(client, people, clock):
    admin = people.security_admin
    client.force_login(admin)
    aged(admin, clock, days=90)
    # when it opens any page, then it is sent to the password page, which says why
    response = client.get("/accounts/grants/")
    assert (response.status_code, response["Location"]) == (302, "/password/")
    page = client.get("/password/").content.decode()
    assert "您的密码已使用满 90 天，须修改后才能继续使用。" in page
    # when it changes the password
    assert change(client, PASSWORD, "Frisch-Pass-2026y")["Location"] == "/"
    # then the pages open again, and the change is dated now
    assert client.get("/accounts/grants/").status_code == 200
    assert User.objects.get(pk=admin.pk).password_changed_at == clock.now
    assert BANNER not in client.get("/").content.decode()


def test_other_staff_passwords_do_not_expire(client, people, clock):
    aged(people.worker, clock, days=400)
    client.force_login(people.worker)
    html = client.get("/residents/").content.decode()
    assert BANNER not in html and "居民" in html


def test_the_rotation_period_is_configurable(client, people, clock, settings):
    settings.SHEQU_PASSWORD_MAX_AGE_DAYS = 30
    settings.SHEQU_PASSWORD_WARN_DAYS = 3
    client.force_login(people.audit_admin)
    aged(people.audit_admin, clock, days=28)
    assert "您的密码将在 2 天后到期" in client.get("/").content.decode()
    aged(people.audit_admin, clock, days=30)
    assert client.get("/")["Location"] == "/password/"


def test_none_of_the_last_five_passwords_comes_back(client, people):
    user = people.worker
    client.force_login(user)
    passwords = [PASSWORD] + [f"Wechsel-{n}-2026abc" for n in range(1, 6)]
    # given five changes: the account has had six passwords
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, old, new)["Location"] == "/"  # and still logged in
    current = passwords[-1]
    # when it tries one of the last five again
    refused = change(client, current, passwords[1])
    # then it is refused in Chinese, nothing changes, and the refusal is audited
    assert refused.status_code == 422
    assert "新密码不能与最近 5 次使用过的密码相同。" in refused.content.decode()
    assert User.objects.get(pk=user.pk).check_password(current)
    assert AuditRecord.objects.filter(action="user.password_change", success=False).count() == 1
    # the sixth-last is allowed again
    assert change(client, current, passwords[0]).status_code == 302
    # and only hashes are kept, five of them
    kept = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
    assert len(kept) == 5
    assert all(h.startswith("md5$") and not any(p in h for p in passwords) for h in kept)


def test_the_history_counts_a_password_set_before_it_existed(client, people):
    # the account's password predates the history (no row for it)
    assert not PasswordHistory.objects.filter(user=people.worker).exists()
    client.force_login(people.worker)
    change(client, PASSWORD, "Wechsel-1-2026abc")
    response = change(client, "Wechsel-1-2026abc", PASSWORD)
    assert response.status_code == 422
    assert "最近 5 次" in response.content.decode()


def test_a_reset_password_counts_from_the_change_that_follows(client, people, clock):
    from shequ.core.services.accounts import user_password_reset
    from shequ.core.tests.factories import actor_for

    aged(people.district_admin, clock, days=100)
    temporary = user_password_reset(
        actor=actor_for(people.system_admin), user=people.district_admin
    )
    client.force_login(User.objects.get(pk=people.district_admin.pk))
    assert client.get("/")["Location"] == "/password/"
    assert change(client, temporary, "Neu-Gesetzt-2026q")["Location"] == "/"
    admin = User.objects.get(pk=people.district_admin.pk)
    assert (admin.must_change_password, admin.password_changed_at) == (False, clock.now)
