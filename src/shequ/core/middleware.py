"""Resolves ``request.actor`` from the session's active grant."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shequ.core.scope import SESSION_GRANT_KEY, Actor


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
        else:
            request.actor = Actor.anonymous(ip=ip)
        return self.get_response(request)
