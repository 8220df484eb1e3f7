"""API authentication and the shared error format.

Clients send ``Authorization: Bearer <token>``; browsers use their session.
Either way the handler gets ``request.actor`` with the same scope rules as
the pages. ``X-Shequ-Grant: <id>`` picks one of several grants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from shequ.core.api_schema import CHOICE_ERROR
from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError, PermissionDenied
from shequ.core.keys import key_digest as token_digest
from shequ.core.keys import key_issue
from shequ.core.middleware import client_ip
from shequ.core.models import ApiToken, User
from shequ.core.scope import SESSION_GRANT_KEY, Actor

TOKEN_PREFIX = "sq_"  # noqa: S105 - a public prefix, not a secret


def token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """The token row and its raw value (shown once). The service that hands a
    token to a person, ``token_create``, audits it in the same transaction."""
    key = key_issue(TOKEN_PREFIX)
    token = ApiToken.objects.create(user=user, name=name, prefix=key.prefix, digest=key.digest)
    return token, key.raw


def _grant_header(request: HttpRequest) -> int | None:
    try:
        return int(request.headers.get("X-Shequ-Grant", ""))
    except ValueError:
        return None


T = TypeVar("T")


def audited(request: HttpRequest, action: str, call: Callable[[], T], obj=None) -> T:
    """Run one write of an endpoint; a refusal is audited (in its own
    transaction) and re-raised, and the shared handler turns it into its 4xx
    status and Chinese ``detail``."""
    try:
        return call()
    except DomainError as error:
        audit_refused(actor=request.actor, action=action, message=error.message, obj=obj)
        raise


class TokenAuth(HttpBearer):
    openapi_description = "Authorization: Bearer sq_…（在“接口令牌”页面申请）"

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        actor = Actor.for_user(row.user, grant_id=_grant_header(request), ip=client_ip(request))
        request.actor = actor
        return actor


class SessionActorAuth(APIKeyCookie):
    """The logged-in browser session (CSRF-checked for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        grant = _grant_header(request) or request.session.get(SESSION_GRANT_KEY)
        actor = Actor.for_user(user, grant_id=grant, ip=client_ip(request))
        request.actor = actor
        return actor


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        if exc.details:
            body["errors"] = exc.details
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(request, {"detail": "未登录或令牌无效。"}, status=401)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        if len(exc.errors) == 1 and exc.errors[0].get("type") == CHOICE_ERROR:
            # A value outside a fixed choice reads like the view's own refusal.
            error = exc.errors[0]
            body = {"detail": error["msg"], "field": str(error["loc"][-1])}
            return api.create_response(request, body, status=422)
        return api.create_response(
            request, {"detail": "请求数据格式不正确。", "errors": exc.errors}, status=422
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, DomainError):
            # A refusal raised while ninja parsed the body (core.api_parser).
            return domain_error(request, exc.__cause__)
        return api.create_response(
            request, {"detail": http_error_text(exc)}, status=exc.status_code
        )

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return api.create_response(request, {"detail": "未找到请求的内容。"}, status=404)


# django-ninja's own refusals, in the words every other API error uses.
_NINJA_MESSAGES = {
    "CSRF check Failed": "CSRF 校验失败：请刷新页面后重试；接口客户端请用令牌（Authorization: Bearer …）调用。",
    "Cannot parse request body": "请求体无法解析：请发送 UTF-8 编码的合法 JSON。",
}
_BY_STATUS = {
    400: "请求不正确。",
    401: "未登录或令牌无效。",
    403: "没有权限执行此操作。",
    404: "未找到请求的内容。",
    405: "不支持该请求方法。",
    413: "请求内容过大。",
    429: "请求过于频繁，请稍后再试。",
}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def http_error_text(exc: HttpError) -> str:
    """An ``HttpError``'s message in Chinese: ninja's known ones translated
    (its DEBUG detail in brackets dropped), a Chinese one kept, any other
    replaced by the status's wording."""
    message = str(exc)
    known = _NINJA_MESSAGES.get(message.split(" (", 1)[0])
    if known:
        return known
    if _CHINESE.search(message):
        return message
    return _BY_STATUS.get(exc.status_code, "请求未能完成。")


def require(request: HttpRequest, permission: str) -> Actor:
    """First line of every endpoint: the actor, if it holds ``permission``."""
    actor: Actor = request.actor
    if not actor.can(permission):
        raise PermissionDenied("当前角色无权执行此操作。")
    return actor
