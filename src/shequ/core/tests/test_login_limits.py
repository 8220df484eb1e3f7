"""Login failures are limited per address as well as per account name
(等保 登录失败处理): one client guessing across many names is slowed too."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from shequ.core.models import AuditRecord
from shequ.core.tests.factories import PASSWORD

TOO_MANY = "本机登录失败次数过多，请 15 分钟后再试。"


def test_110_failures_over_55_names_from_one_address_are_slowed(people, clock):
    guesser = Client(REMOTE_ADDR="10.8.0.66")
    answers = []
    # when one address tries two passwords on each of 55 account names
    for n in range(55):
        for guess in ("123456abc", "password1!"):
            page = guesser.post("/login/", {"username": f"staff{n:02d}", "password": guess})
            answers.append("ip" if TOO_MANY in page.content.decode() else page.status_code)
    # then the first 30 are answered as wrong, every later one is refused unheard
    assert answers == [200] * 30 + ["ip"] * 80
    assert AuditRecord.objects.filter(action="auth.login", success=False).count() == 30
    # the right password from that address is refused as well
    refused = guesser.post("/login/", {"username": "worker", "password": PASSWORD})
    assert TOO_MANY in refused.content.decode() and "_auth_user_id" not in guesser.session
    # another address is not affected
    office = Client(REMOTE_ADDR="10.8.0.7")
    office.post("/login/", {"username": "worker", "password": PASSWORD})
    assert office.session["_auth_user_id"] == str(people.worker.pk)
    # and once the window has passed, the address may try again
    clock.advance(minutes=15, seconds=1)
    guesser.post("/login/", {"username": "worker", "password": PASSWORD})
    assert guesser.session["_auth_user_id"] == str(people.worker.pk)


def test_the_address_limit_is_configurable(people, settings):
    settings.SHEQU_LOGIN_IP_MAX_FAILURES = 3
    guesser = Client(REMOTE_ADDR="10.8.0.66")
    for n in range(3):
        guesser.post("/login/", {"username": f"nobody{n}", "password": "x" * 10})
    page = guesser.post("/login/", {"username": "worker", "password": PASSWORD})
    assert TOO_MANY in page.content.decode()


def test_failures_of_the_second_factor_count_for_the_address(people, clock, settings):
    settings.SHEQU_LOGIN_IP_MAX_FAILURES = 3
    guesser = Client(REMOTE_ADDR="10.8.0.66")
    guesser.post("/login/", {"username": "district_admin", "password": PASSWORD})
    for _ in range(3):
        assert guesser.post("/login/otp/", {"code": "000001"}).status_code == 422
    stopped = guesser.post("/login/otp/", {"code": "000001"})
    assert stopped["Location"] == "/login/"
    assert TOO_MANY in guesser.get("/login/").content.decode()
    failed = AuditRecord.objects.filter(action="auth.login", success=False, ip="10.8.0.66")
    assert failed.count() == 3
    assert failed.first().at > clock.now - dt.timedelta(minutes=1)
