"""The second factor in tests: the code an authenticator app would show.

django-otp reads the time from ``time.time()``, not from ``timezone.now``
(the ``clock`` fixture): ``OtpTime`` pins it for a test; ``fresh_code``
serves the browser tests, which run against the real time.
"""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core.models import User

START = 1_790_000_000.0  # a fixed moment (2026-09-22): the first step of each test


class OtpTime:
    """The time django-otp verifies codes at, for one test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: float = START):
        self.at = at
        monkeypatch.setattr("django_otp.plugins.otp_totp.models.time", self)

    def time(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


def device_of(user: User | str) -> TOTPDevice:
    """The account's one device (confirmed or being enrolled)."""
    query = {"user__username": user} if isinstance(user, str) else {"user": user}
    return TOTPDevice.objects.get(**query)


def code_at(device: TOTPDevice, at: float, steps: int = 0) -> str:
    """The code for the moment ``at`` (``steps`` later, for the next ones)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def fresh_code(user: User | str) -> str:
    """A code the device takes now in real time and has not taken yet: the
    current step's, else the next step's (inside the one step of tolerance
    django-otp allows), else — both used — the one after the next wait."""
    device = device_of(user)
    now = time.time()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now
    current = totp.t()
    if current > device.last_t:
        return code_at(device, now)
    ahead = device.last_t + 1 - current
    if ahead <= device.tolerance:
        return code_at(device, now, steps=ahead)
    time.sleep(device.step - now % device.step + 0.1)
    return fresh_code(user)


def login_with_code(client, user: User, otp_time: OtpTime, password: str) -> object:
    """Both steps of an administrator's login through the forms (the code of
    the moment ``otp_time`` shows); returns the answer to the code."""
    first = client.post("/login/", {"username": user.username, "password": password})
    assert (first.status_code, first["Location"]) == (302, "/login/otp/"), first
    return client.post("/login/otp/", {"code": code_at(device_of(user), otp_time.at)})
