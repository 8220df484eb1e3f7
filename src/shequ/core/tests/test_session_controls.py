"""Session lifetimes (等保 超时退出): the idle timeout of staff sessions, the
absolute lifetime from login, one session per administrator."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shequ.core.models import AuditRecord, User
from shequ.core.tests.factories import PASSWORD
from shequ.core.tests.otp import OtpTime, login_with_code

IDLE = "长时间未操作，已自动退出，请重新登录。"


@pytest.fixture
def otp_time(monkeypatch) -> OtpTime:
    return OtpTime(monkeypatch)


def expired(reason: str) -> list[tuple[str, str, dict]]:
    """The audit records of sessions ended for ``reason``."""
    rows = AuditRecord.objects.filter(action="auth.session_expired", changes__reason=reason)
    return list(rows.order_by("id").values_list("username", "message", "changes"))


def test_a_staff_session_ends_after_thirty_idle_minutes(client, people, clock):
    client.force_login(people.worker)
    # requests 29 minutes apart keep the session
    for _ in range(3):
        clock.advance(minutes=29)
        assert client.get("/").status_code == 200
    # when 30 minutes pass without a request
    clock.advance(minutes=30)
    response = client.get("/residents/")
    # then the session is over and the login page says why, once
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/residents/")
    assert "_auth_user_id" not in client.session
    assert expired("idle") == [("worker", IDLE, {"reason": "idle"})]
    assert IDLE in client.get(response["Location"]).content.decode()
    assert IDLE not in client.get("/login/").content.decode()
    assert client.get("/").status_code == 302


def test_the_idle_timeout_is_configurable(client, people, clock, settings):
    settings.SHEQU_SESSION_IDLE_MINUTES = 5
    client.force_login(people.street_officer)
    clock.advance(minutes=4, seconds=59)
    assert client.get("/").status_code == 200
    clock.advance(minutes=5)
    assert client.get("/").status_code == 302


def test_a_residents_phone_session_has_no_idle_timeout(client, people, clock):
    client.force_login(people.resident)
    clock.advance(hours=3)
    assert client.get("/").status_code == 200


def test_every_session_ends_eight_hours_after_its_login(client, people, clock):
    client.force_login(people.worker)
    # a busy day: a request every 25 minutes for 7 h 55 min
    for _ in range(19):
        clock.advance(minutes=25)
        assert client.get("/").status_code == 200
    # when the eighth hour is full, activity or not
    clock.advance(minutes=5)
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/")
    assert expired("absolute") == [
        ("worker", "登录已满 8 小时，已自动退出，请重新登录。", {"reason": "absolute"})
    ]


def test_the_session_is_written_back_at_most_once_a_minute(client, people, clock):
    client.force_login(people.worker)

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return sum(
            1
            for q in queries.captured_queries
            if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
        )

    clock.advance(seconds=59)
    assert session_writes() == 0
    clock.advance(seconds=2)
    assert session_writes() == 1
    clock.advance(seconds=30)
    assert session_writes() == 0


def test_htmx_and_the_api_are_told_in_their_own_way(client, people, clock):
    client.force_login(people.worker)
    clock.advance(minutes=31)
    partial = client.get("/", headers={"HX-Request": "true"})
    assert (partial.status_code, partial["HX-Redirect"]) == (204, "/login/")
    client.force_login(people.worker)
    clock.advance(minutes=31)
    api = client.get("/api/me")
    assert (api.status_code, api.json()) == (401, {"detail": IDLE})


def test_a_new_login_ends_an_administrators_earlier_session(people, otp_time):
    admin = people.district_admin
    office, laptop = Client(), Client()
    assert login_with_code(office, admin, otp_time, PASSWORD)["Location"] == "/"
    assert office.get("/").status_code == 200
    # when the same account logs in elsewhere (the next 30 seconds' code)
    otp_time.advance(30)
    assert login_with_code(laptop, admin, otp_time, PASSWORD)["Location"] == "/"
    # then the first session is over, with a word for its holder, audited
    response = office.get("/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/")
    notice = "您的账号已在其他地方登录，本次会话已结束，请重新登录。"
    assert notice in office.get("/login/").content.decode()
    assert laptop.get("/").status_code == 200
    replaced = AuditRecord.objects.get(action="auth.session_replaced")
    assert (replaced.username, replaced.object_id) == ("district_admin", str(admin.pk))
    assert User.objects.get(pk=admin.pk).session_key == laptop.session.session_key


def test_a_session_resurrected_by_a_late_write_is_still_refused(people, otp_time):
    """An old session that a request in flight wrote back after the new login
    keeps its sign-in in the store: the account's session key refuses it."""
    admin = people.system_admin
    office, laptop = Client(), Client()
    login_with_code(office, admin, otp_time, PASSWORD)
    saved = dict(office.session.items())
    otp_time.advance(30)
    login_with_code(laptop, admin, otp_time, PASSWORD)
    session = office.session
    session.update(saved)
    session.save()
    response = office.get("/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/")
    assert expired("replaced")[0][2] == {"reason": "replaced"}
    assert laptop.get("/").status_code == 200


def test_other_staff_may_keep_two_sessions(people):
    a, b = Client(), Client()
    for c in (a, b):
        c.post("/login/", {"username": "worker", "password": PASSWORD})
    assert (a.get("/").status_code, b.get("/").status_code) == (200, 200)


def test_a_password_change_keeps_the_administrators_session(client, people, otp_time):
    admin = people.audit_admin
    login_with_code(client, admin, otp_time, PASSWORD)
    new = "Neuer-Pass-2026x"
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    assert User.objects.get(pk=admin.pk).session_key == client.session.session_key
    assert not AuditRecord.objects.filter(action="auth.session_replaced").exists()
