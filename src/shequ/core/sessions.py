"""Session lifetimes (等保 超时退出, docs/security.md).

A session keeps two moments: its login and its last request. ``ActorMiddleware``
asks ``expiry_reason`` on every request and ends the session when

- it is older than ``SESSION_COOKIE_AGE`` since its login (absolute: busy or
  not; Django itself would renew the cookie on every write),
- a staff account's session saw no request for ``SHEQU_SESSION_IDLE_MINUTES``
  (residents on their phones keep theirs until the absolute limit), or
- an administrator logged in elsewhere since (one session per account: the
  account's ``session_key`` names the one that counts).

The last request is written back at most once a minute, so a page's
requests do not each rewrite the session.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils import timezone

from shequ.core import account_policy
from shequ.core.history import record
from shequ.core.models import User
from shequ.core.scope import Actor

LOGIN_AT = "shequ_login_at"
SEEN_AT = "shequ_seen_at"
# A message for the login page, left in the fresh session of a visitor whose
# session was ended (the login view shows it once).
NOTICE = "shequ_login_notice"
TOUCH_EVERY = 60  # seconds

IDLE, ABSOLUTE, REPLACED = "idle", "absolute", "replaced"
IDLE_MESSAGE = "长时间未操作，已自动退出，请重新登录。"
REPLACED_MESSAGE = "您的账号已在其他地方登录，本次会话已结束，请重新登录。"


def message(reason: str) -> str:
    if reason == IDLE:
        return IDLE_MESSAGE
    if reason == REPLACED:
        return REPLACED_MESSAGE
    hours = settings.SESSION_COOKIE_AGE // 3600
    return f"登录已满 {hours} 小时，已自动退出，请重新登录。"


def _seconds(now: dt.datetime) -> int:
    return int(now.timestamp())


def session_begin(session: SessionBase, now: dt.datetime) -> None:
    session[LOGIN_AT] = session[SEEN_AT] = _seconds(now)


@receiver(user_logged_in, dispatch_uid="shequ-session-begin")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_begin(request.session, timezone.now())


def expiry_reason(session: SessionBase, actor: Actor, now: dt.datetime) -> str | None:
    """Why this signed-in session must end now, or None. Reads only what the
    request has loaded already (the session, the user and its grants)."""
    login_at = session.get(LOGIN_AT)
    if login_at is None:
        # Signed in before these stamps existed: its lifetime starts now.
        session_begin(session, now)
        return None
    at = _seconds(now)
    if at - login_at >= account_policy.absolute_timeout().total_seconds():
        return ABSOLUTE
    seen_at = session.get(SEEN_AT, login_at)
    idle = account_policy.idle_timeout().total_seconds()
    if at - seen_at >= idle and account_policy.is_staff(actor.grants):
        return IDLE
    user = actor.user
    if (
        user is not None
        and user.session_key
        and session.session_key != user.session_key
        and account_policy.is_privileged(actor.grants)
    ):
        return REPLACED
    return None


def touch(session: SessionBase, now: dt.datetime) -> None:
    """Remember this request, unless the last one remembered is under a minute old."""
    at = _seconds(now)
    if at - session.get(SEEN_AT, 0) >= TOUCH_EVERY:
        session[SEEN_AT] = at


def end(request: HttpRequest, actor: Actor, reason: str) -> HttpResponse:
    """Log ``actor``'s session out (audited; its data goes, the cookie gets a
    fresh key) and send the visitor to the login page with the reason: a
    redirect, for htmx an ``HX-Redirect`` (a swap would put the login page
    inside the page), for the API a 401 in JSON."""
    with transaction.atomic():
        record(
            actor=actor,
            action="auth.session_expired",
            obj=actor.user,
            message=message(reason),
            changes={"reason": reason},
        )
    request.session.flush()
    request.user = AnonymousUser()
    text = message(reason)
    request.session[NOTICE] = text
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": text}, status=401)
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
        return response
    return redirect_to_login(request.get_full_path())


def pop_notice(session: SessionBase) -> str:
    return session.pop(NOTICE, "")


def end_stored(session_key: str) -> bool:
    """End a session kept in the session store (an administrator's earlier
    one): its sign-in goes, a notice for its holder stays. False when it had
    ended already (logged out, expired)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    if not session_key or not store.exists(session_key):
        return False
    store.clear()
    store[NOTICE] = REPLACED_MESSAGE
    store.save()
    return True


# -- the login between its two steps -------------------------------------------------------
# An administrator's password was right; the session remembers who, not yet
# logged in, until the second factor is given (or a few minutes pass).

PENDING = "shequ_pending_login"
PENDING_SECONDS = 300


def pending_begin(session: SessionBase, user: User, next_url: str, now: dt.datetime) -> None:
    session[PENDING] = {
        "user": user.pk,
        "hash": user.get_session_auth_hash(),
        "next": next_url,
        "at": _seconds(now),
    }


def pending_user(session: SessionBase, now: dt.datetime) -> tuple[User, str] | None:
    """(user, next URL) of the login waiting for its second step, or None
    (none, too old, or the account changed its password or was disabled)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if _seconds(now) - int(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending.get("hash"):
        session.pop(PENDING, None)
        return None
    return user, str(pending.get("next") or "")


def pending_clear(session: SessionBase) -> None:
    session.pop(PENDING, None)
