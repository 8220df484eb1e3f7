"""Resolves ``request.actor`` from the session's active grant, and holds
the session to its limits (idle, absolute, one per administrator) and the
account to its password (forced change after a reset or past its expiry)."""

from collections.abc import Callable
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from shequ.core import account_policy, sessions
from shequ.core.scope import SESSION_GRANT_KEY, Actor

_OPEN_WHEN_FORCED = ("/password/", "/logout/", "/static/", "/healthz")


@lru_cache(maxsize=8)
def _trusted(spec: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(entry, strict=False) for entry in spec)


def _is_trusted(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. ``X-Forwarded-For`` counts only when the
    connection comes from one of ``SHEQU_TRUSTED_PROXIES`` (none by default):
    then the nearest hop that is not a trusted proxy is the client. Anyone
    else's header is ignored, so a client cannot choose the address that
    throttling and the audit trail record."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _trusted(tuple(settings.SHEQU_TRUSTED_PROXIES))
    if remote is None or not networks or not _is_trusted(remote, networks):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _is_trusted(hop, networks):
            try:
                return str(ip_address(hop))
            except ValueError:
                return remote  # a malformed hop: fall back to the proxy itself
    return remote


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        user = request.user
        request.password_days_left = None
        if not user.is_authenticated:
            request.actor = Actor.anonymous(ip=ip)
            return self.get_response(request)
        actor = Actor.for_user(user, grant_id=request.session.get(SESSION_GRANT_KEY), ip=ip)
        now = timezone.now()
        reason = sessions.expiry_reason(request.session, actor, now)
        if reason is not None:
            request.actor = Actor.anonymous(ip=ip)
            return sessions.end(request, actor, reason)
        sessions.touch(request.session, now)
        request.actor = actor
        if not request.path.startswith(_OPEN_WHEN_FORCED) and (
            # An account opened or reset by an administrator works only after
            # its holder has set a password nobody else knows; an
            # administrator's, once it is too old (等保 定期更换).
            user.must_change_password or account_policy.password_expired(user, actor.grants, now)
        ):
            return redirect("core:password_change")
        request.password_days_left = account_policy.password_days_left(user, actor.grants, now)
        return self.get_response(request)
