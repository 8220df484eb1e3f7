"""One-time form tokens: a creating form submitted twice (a double click, two
tabs, the back button, a retry on a slow line) creates one thing.

The page renders ``{% once %}`` (templatetags/once.py) inside the form: a
hidden ``_once`` field with a fresh random token. The view that receives the
form is decorated with ``@once``; a POST that carries a token claims it by
inserting an ``IdempotencyKey`` row (caller, ``form:<view name>``, token) in
the same transaction as the view's write, exactly as the API's
``Idempotency-Key`` does (core/idempotency.py):

- the first POST inserts the row, runs the view and, when the view answers
  with a redirect (the write succeeded), keeps the redirect's target;
- a second POST of the same token waits on the unique index until the first
  commits (PostgreSQL; SQLite serialises writers anyway), fails to insert,
  and is sent to the first one's result with a message instead of writing;
- a view that answers with the form again (a refusal, a form error) gives the
  token back (the row is deleted), so the corrected form can be sent;
- an exception rolls the row back with everything else.

A POST without a token (an old page, a script) is served as before: the
token protects browsers, the API has its header. Tokens expire with the other
idempotency keys after 24 hours (``idempotency_keys_expire``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shequ.core.errors import Conflict, DomainError
from shequ.core.models import IdempotencyKey

FIELD = "_once"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_PENDING = 0
ALREADY_DONE = "这张表单已经提交过，没有重复办理；下面是上次提交的结果。"

View = Callable[..., HttpResponse]


def new_token() -> str:
    return secrets.token_urlsafe(18)


class _Taken(Exception):
    pass


def _caller(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"


def _scope(request: HttpRequest, view: View) -> str:
    match = request.resolver_match
    name = match.view_name if match is not None else f"{view.__module__}.{view.__name__}"
    return f"form:{name}"[:64]


def once(view: View) -> View:
    """Claim the form's one-time token in the view's transaction (see above)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = request.POST.get(FIELD) if request.method == "POST" else None
        if not token:
            return view(request, *args, **kwargs)
        if not _TOKEN.match(token):
            return _refused(request, DomainError("表单已失效，请刷新页面后重新填写。"))
        ident = {"caller": _caller(request), "scope": _scope(request, view), "key": token}
        try:
            return _claim_and_run(ident, view, request, *args, **kwargs)
        except _Taken:
            return _replay(request, ident)

    wrapped.once = True  # type: ignore[attr-defined]
    return wrapped


def _claim_and_run(ident: dict[str, str], view: View, request, *args, **kwargs) -> HttpResponse:
    with transaction.atomic():
        try:
            # No savepoint of its own: a taken token leaves the whole block,
            # which rolls back to before the INSERT.
            row = IdempotencyKey.objects.create(
                **ident, fingerprint="", status=_PENDING, response={}
            )
        except IntegrityError:
            raise _Taken from None
        response = view(request, *args, **kwargs)
        location = response.get("Location") if 300 <= response.status_code < 400 else None
        if location:
            IdempotencyKey.objects.filter(pk=row.pk).update(
                status=response.status_code, response={"location": location}
            )
        else:
            # The form came back (refused or incomplete): the token may be used again.
            IdempotencyKey.objects.filter(pk=row.pk).delete()
        return response


def _replay(request: HttpRequest, ident: dict[str, str]) -> HttpResponse:
    row = IdempotencyKey.objects.filter(**ident).first()
    if row is None:
        # Its holder gave it back in the meantime: this copy of the form is
        # not the one that counts, and must be looked at again.
        return _refused(request, Conflict("表单已提交过，请刷新页面查看结果后再操作。"))
    location = (row.response or {}).get("location")
    if row.status == _PENDING or not location:
        return _refused(request, Conflict("这张表单正在提交，请稍候刷新页面查看结果。"))
    messages.info(request, ALREADY_DONE)
    return redirect(location)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"error": error}, status=error.status)
