"""The second factor of the administrators' login (等保 双因子, docs/security.md):
a TOTP code (RFC 6238, django-otp) from an authenticator app.

An administrator without a confirmed device enrols at the first login: the
password step leaves an unconfirmed device (``totp_enrolment``), the code
page shows its secret as a QR code and as text, and the first right code
confirms it (``totp_login_verify``). A code works once (django-otp keeps the
time step of the last one used). Wrong codes are failed logins: the view
audits each refusal as ``auth.login``, so the login throttle counts them
with the wrong passwords. The security administrator resets a lost device
(``totp_reset``); the account then enrols again at its next login.
"""

from __future__ import annotations

import re
from base64 import b32encode

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.history import record
from shequ.core.models import User
from shequ.core.scope import Actor

CODE_RE = re.compile(r"^\d{6}$")
DEVICE_NAME = "验证器应用"


def totp_device(*, user: User) -> TOTPDevice | None:
    """The account's confirmed device, if it has one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def totp_enrolment(*, user: User) -> TOTPDevice:
    """The device the next code is checked against: the confirmed one, or the
    unconfirmed one an enrolment shows (made once, so a reload of the code
    page shows the same secret until a code confirms it)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    device = totp_device(user=user)
    if device is not None:
        return device
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return pending


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret as an authenticator app takes it, in groups of four."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG (drawn here: no image service)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, title="动态口令二维码", dark="#000", light="#fff"
    )


@transaction.atomic
def totp_login_verify(*, actor: Actor, user: User, code: str) -> TOTPDevice:
    """Check the second step of ``user``'s login (``actor``: that user, not
    yet logged in). The first right code confirms an enrolment (audited)."""
    code = (code or "").strip().replace(" ", "")
    if not CODE_RE.match(code):
        raise ValidationError("请输入验证器应用上显示的 6 位数字。", field="code")
    locked = TOTPDevice.objects.select_for_update().filter(user=user).order_by("-confirmed", "pk")
    device = next(iter(locked), None)
    if device is None:
        raise ValidationError("该账号还没有动态口令，请重新登录以绑定。", field="code")
    if not device.verify_token(code):
        raise ValidationError(
            "动态验证码不正确或已使用过，请输入验证器上当前的数字。", field="code"
        )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        record(actor=actor, action="auth.otp_enrol", obj=user, changes={"device": device.name})
    return device


@transaction.atomic
def totp_reset(*, actor: Actor, user: User) -> int:
    """The security administrator removes an account's devices (a phone
    lost or replaced): its next login enrols a new one. Returns how many."""
    actor.require("account.review")
    if user.pk == actor.require_user().pk:
        raise PermissionDenied("不能重置您本人的动态口令。")
    User.objects.select_for_update().filter(pk=user.pk).first()
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if not removed:
        raise ValidationError("该账号尚未绑定动态口令，无需重置。")
    record(actor=actor, action="auth.otp_reset", obj=user, changes={"devices": removed})
    return removed


@transaction.atomic
def totp_issue(*, actor: Actor, user: User, key: str) -> TOTPDevice:
    """A confirmed device with the given hex ``key`` for an account that has
    none (the demo's administrators, whose secret ``shequ demo`` prints);
    an account that has one keeps it."""
    device = totp_device(user=user)
    if device is not None:
        return device
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    record(actor=actor, action="auth.otp_enrol", obj=user, changes={"device": device.name})
    return device
