"""等保 level-3 account rules, said once: who counts as an administrator, how
long a session, a password and an unused account last (docs/security.md).

Pure functions over a user and its grants (already loaded by the actor): no
query, no write. The middleware, the login views, the services and the
security administrator's account review all read them from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from shequ.core.models import Grant, User
from shequ.core.permissions import SEPARATED_ADMIN_ROLES, Role

# The district administrators and the three separated administrators: a
# second factor at login, one session at a time, a password that expires.
PRIVILEGED_ROLES = frozenset({Role.DISTRICT_ADMIN}) | SEPARATED_ADMIN_ROLES


def idle_timeout() -> dt.timedelta:
    """A staff session ends after this long without a request."""
    return dt.timedelta(minutes=settings.SHEQU_SESSION_IDLE_MINUTES)


def absolute_timeout() -> dt.timedelta:
    """Any session ends this long after its login, however busy."""
    return dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def password_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.SHEQU_PASSWORD_MAX_AGE_DAYS)


def password_warn_before() -> dt.timedelta:
    return dt.timedelta(days=settings.SHEQU_PASSWORD_WARN_DAYS)


def dormant_after() -> dt.timedelta:
    return dt.timedelta(days=settings.SHEQU_DORMANT_DAYS)


def is_privileged(grants: Iterable[Grant]) -> bool:
    """Whether any of the account's grants is an administrator's."""
    return any(g.role in PRIVILEGED_ROLES for g in grants)


def is_staff(grants: Iterable[Grant]) -> bool:
    """Whether the account works for the district (any grant but a
    resident's). An account without any grant counts as staff: it was opened
    by the system administrator for someone who is to get one."""
    return {g.role for g in grants} != {Role.RESIDENT}


def password_expires_at(user: User) -> dt.datetime:
    return user.password_changed_at + password_max_age()


def password_expired(user: User, grants: Iterable[Grant], now: dt.datetime) -> bool:
    """An administrator's password older than the rotation period."""
    return is_privileged(grants) and now >= password_expires_at(user)


def password_days_left(user: User, grants: Iterable[Grant], now: dt.datetime) -> int | None:
    """Whole days (rounded up) before an administrator's password expires,
    once that is within the warning period; None otherwise (not an
    administrator, not yet due, or already expired)."""
    if not is_privileged(grants):
        return None
    left = password_expires_at(user) - now
    if left <= dt.timedelta(0) or left > password_warn_before():
        return None
    return -(-left // dt.timedelta(days=1))
