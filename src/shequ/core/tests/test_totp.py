"""The administrators' second factor (等保 双因子): the login is two steps,
nobody is logged in after the password alone; enrolment, wrong codes,
replayed codes, the throttle, the security administrator's reset."""

from __future__ import annotations

from base64 import b32encode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core.models import AuditRecord
from shequ.core.tests.factories import PASSWORD
from shequ.core.tests.otp import OtpTime, code_at, device_of, login_with_code


@pytest.fixture
def otp_time(monkeypatch) -> OtpTime:
    return OtpTime(monkeypatch)


def password_step(client, user, next_url: str = ""):
    url = "/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize(
    "role", ["district_admin", "system_admin", "security_admin", "audit_admin"]
)
def test_an_administrators_password_alone_logs_nobody_in(client, people, role):
    # when an administrator gives the right password
    response = password_step(client, getattr(people, role))
    # then the code page comes next, and nobody is logged in yet
    assert (response.status_code, response["Location"]) == (302, "/login/otp/")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    assert not AuditRecord.objects.filter(action="auth.login", success=True).exists()


def test_other_staff_log_in_with_the_password(client, people):
    response = password_step(client, people.street_officer)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(people.street_officer.pk)
    assert not TOTPDevice.objects.exists()


def test_first_login_enrols_a_device_shown_as_qr_and_secret(client, people, otp_time):
    admin = people.district_admin
    password_step(client, admin)
    # when the code page opens
    page = client.get("/login/otp/")
    html = page.content.decode()
    # then it shows the new device's secret, as text and as an inline QR code
    device = device_of(admin)
    assert device.confirmed is False
    secret = b32encode(device.bin_key).decode().rstrip("=")
    shown = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert page.status_code == 200 and "绑定动态口令" in html
    assert f'<code id="otp-secret" class="user-select-all">{shown}</code>' in html
    assert '<svg width="' in html and "<img" not in html
    # a reload shows the same secret (one device while enrolling)
    client.get("/login/otp/")
    assert TOTPDevice.objects.filter(user=admin).count() == 1

    # when the first code from the app is given
    response = client.post("/login/otp/", {"code": code_at(device, otp_time.at)})

    # then the device is confirmed and the administrator logged in, both audited
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(admin.pk)
    device.refresh_from_db()
    assert device.confirmed is True
    actions = list(
        AuditRecord.objects.filter(user=admin).order_by("id").values_list("action", "success")
    )
    assert actions == [("auth.otp_enrol", True), ("auth.login", True)]
    # and the secret is never shown again
    client.post("/logout/")
    password_step(client, admin)
    html = client.get("/login/otp/").content.decode()
    assert "输入动态口令" in html and shown not in html and "<svg" not in html


def test_a_wrong_code_is_a_failed_login(client, people, otp_time):
    admin = people.security_admin
    password_step(client, admin)
    device = device_of(admin)
    wrong = "000000" if code_at(device, otp_time.at) != "000000" else "111111"

    response = client.post("/login/otp/", {"code": wrong})

    assert response.status_code == 422
    assert "动态验证码不正确或已使用过" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AuditRecord.objects.get(action="auth.login", success=False)
    assert (failed.changes, failed.ip) == (
        {"username": "security_admin", "factor": "totp"},
        "127.0.0.1",
    )
    device.refresh_from_db()
    assert device.confirmed is False
    # junk is refused the same way, without a 500
    junk = client.post("/login/otp/", {"code": "12ab56"})
    assert junk.status_code == 422 and "6 位数字" in junk.content.decode()


def test_a_code_works_once(client, people, otp_time):
    admin = people.audit_admin
    assert login_with_code(client, admin, otp_time, PASSWORD).status_code == 302
    client.post("/logout/")
    # when the same code is given again in the same 30 seconds
    password_step(client, admin)
    replay = client.post("/login/otp/", {"code": code_at(device_of(admin), otp_time.at)})
    # then it is refused; the next one the app shows is taken
    assert replay.status_code == 422 and "_auth_user_id" not in client.session
    otp_time.advance(30)
    fresh = client.post("/login/otp/", {"code": code_at(device_of(admin), otp_time.at)})
    assert fresh.status_code == 302 and client.session["_auth_user_id"] == str(admin.pk)


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, people, otp_time):
    admin = people.district_admin
    password_step(client, admin)
    right = code_at(device_of(admin), otp_time.at)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert client.post("/login/otp/", {"code": wrong}).status_code == 422
    # when the right code comes after five wrong ones
    response = client.post("/login/otp/", {"code": right})
    # then the login is stopped, and the password form refuses the name too
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert "_auth_user_id" not in client.session
    page = client.get("/login/").content.decode()
    assert "该账号登录失败次数过多，请 15 分钟后再试。" in page
    again = password_step(client, admin)
    assert again.status_code == 200
    assert "该账号登录失败次数过多" in again.content.decode()


def test_the_code_page_needs_a_password_step_first(client, people, clock, otp_time):
    assert client.get("/login/otp/")["Location"] == "/login/"
    assert client.post("/login/otp/", {"code": "123456"})["Location"] == "/login/"
    # and a password step waits five minutes at most
    password_step(client, people.district_admin)
    clock.advance(seconds=301)
    response = client.post(
        "/login/otp/", {"code": code_at(device_of(people.district_admin), otp_time.at)}
    )
    assert response["Location"] == "/login/" and "_auth_user_id" not in client.session
    assert "请重新输入账号和密码。" in client.get("/login/").content.decode()


def test_the_next_page_survives_the_second_step(client, people, otp_time):
    password_step(client, people.district_admin, next_url="/residents/")
    response = client.post(
        "/login/otp/", {"code": code_at(device_of(people.district_admin), otp_time.at)}
    )
    assert response["Location"] == "/residents/"


def test_an_outside_next_page_is_not_followed(client, people, otp_time):
    password_step(client, people.district_admin, next_url="https://evil.example/")
    response = client.post(
        "/login/otp/", {"code": code_at(device_of(people.district_admin), otp_time.at)}
    )
    assert response["Location"] == "/"


def test_the_security_admin_resets_a_lost_device(client, people, otp_time):
    admin = people.district_admin
    login_with_code(client, admin, otp_time, PASSWORD)
    client.post("/logout/")
    client.force_login(people.security_admin)
    # when the security administrator resets the district admin's device
    response = client.post(f"/accounts/review/{admin.pk}/", {"action": "reset_totp"})
    # then it is gone, audited, and the next login enrols again
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin).exists()
    reset = AuditRecord.objects.get(action="auth.otp_reset")
    assert (reset.username, reset.object_id, reset.changes) == (
        "security_admin",
        str(admin.pk),
        {"devices": 1},
    )
    client.post("/logout/")
    password_step(client, admin)
    assert "绑定动态口令" in client.get("/login/otp/").content.decode()


def test_a_reset_of_nothing_or_of_oneself_is_refused(client, people):
    client.force_login(people.security_admin)
    none = client.post(f"/accounts/review/{people.district_admin.pk}/", {"action": "reset_totp"})
    assert none.status_code == 422 and "尚未绑定动态口令" in none.content.decode()
    TOTPDevice.objects.create(user=people.security_admin, name="x", confirmed=True)
    own = client.post(f"/accounts/review/{people.security_admin.pk}/", {"action": "reset_totp"})
    assert own.status_code == 403 and "不能重置您本人的动态口令" in own.content.decode()
    assert TOTPDevice.objects.filter(user=people.security_admin).count() == 1
    assert AuditRecord.objects.filter(action="auth.otp_reset", success=False).count() == 2
