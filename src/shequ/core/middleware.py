"""Resolves ``request.actor`` from the session's active grant."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from shequ.core.scope import SESSION_GRANT_KEY, Actor

_OPEN_WHEN_FORCED = ("/password/", "/logout/", "/static/", "/healthz")


def client_ip(request: HttpRequest) -> str | None:
    # Behind the intranet's reverse proxy the real address is the last hop it
    # appended; REMOTE_ADDR is the proxy. SHEQU trusts only that one hop.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        user = request.user
        if user.is_authenticated:
            request.actor = Actor.for_user(
                user, grant_id=request.session.get(SESSION_GRANT_KEY), ip=ip
            )
            if user.must_change_password and not request.path.startswith(_OPEN_WHEN_FORCED):
                # An account opened or reset by an administrator works only
                # after its holder has set a password nobody else knows.
                return redirect("core:password_change")
        else:
            request.actor = Actor.anonymous(ip=ip)
        return self.get_response(request)
