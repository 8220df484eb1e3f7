"""Logins, failed logins and logouts go into the audit trail (等保 requires
them). Django announces them through its auth signals; these receivers only
record, they decide nothing."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from shequ.core.history import record
from shequ.core.middleware import client_ip
from shequ.core.scope import Actor


def _actor(request, user) -> Actor:
    ip = client_ip(request) if request is not None else None
    if user is None or not user.is_authenticated:
        return Actor.anonymous(ip=ip)
    return Actor.for_user(user, ip=ip)


@receiver(user_logged_in, dispatch_uid="shequ-audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    with transaction.atomic():
        record(actor=_actor(request, user), action="auth.login", obj=user)


@receiver(user_logged_out, dispatch_uid="shequ-audit-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        with transaction.atomic():
            record(actor=_actor(request, user), action="auth.logout", obj=user)


@receiver(user_login_failed, dispatch_uid="shequ-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted account name only: never the password.
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        record(
            actor=_actor(request, None),
            action="auth.login",
            success=False,
            message=f"登录失败：账号“{username}”",
            changes={"username": username},
        )
