"""View plumbing shared by every app: permission declaration and error pages.

A view declares what it needs with ``@requires("resident.view")``. The
decorator refuses anonymous users (to the login page) and actors whose active
grant lacks the permission (a 403 page in Chinese). Domain errors raised by a
service become a message on the form or a 4xx page: never a 500.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError
from shequ.core.permissions import PERMISSIONS

View = Callable[..., HttpResponse]


def error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"error": error}, status=error.status)


def requires(permission: str) -> Callable[[View], View]:
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            actor = request.actor
            if not actor.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not actor.can(permission):
                return render(
                    request,
                    "core/error.html",
                    {"error": DomainError(f"您当前的角色没有“{PERMISSIONS[permission]}”的权限。")},
                    status=403,
                )
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                return error_page(request, error)

        wrapped.permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def refuse(
    request: HttpRequest,
    error: DomainError,
    *,
    action: str,
    form: forms.Form | None = None,
    obj: models.Model | None = None,
    flash: bool = False,
    changes: dict[str, Any] | None = None,
) -> int:
    """A service refused a write: keep an audit record of the refusal, show
    its Chinese message on ``form`` (on the field it names, if the form has
    it) or, with ``flash``, as a message on the next page. Returns the HTTP
    status to answer with."""
    audit_refused(
        actor=request.actor, action=action, message=error.message, obj=obj, changes=changes
    )
    if form is not None:
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif flash:
        messages.error(request, error.message)
    return error.status


class Refused:
    """What ``refusal`` saw: falsy while the service went through."""

    def __init__(self) -> None:
        self.error: DomainError | None = None
        self.status = 200

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def refusal(
    request: HttpRequest,
    *,
    action: str,
    form: forms.Form | None = None,
    obj: models.Model | None = None,
    flash: bool = False,
    changes: dict[str, Any] | None = None,
) -> Iterator[Refused]:
    """The request edge of a page's write: a ``DomainError`` raised by the
    service inside the block becomes the page's refusal (audited, shown on
    ``form`` or flashed, with ``changes`` in its audit record; see ``refuse``)
    instead of propagating, and the
    block's remaining statements are skipped::

        with refusal(request, action="window.create", form=form) as refused:
            window = services.window_create(actor=actor, **form.cleaned_data)
            messages.success(request, f"已设置“{window.name}”。")
            return redirect("services:window", window_id=window.pk)
        if refused:
            status = refused.status   # the form again, with the reason, as 4xx

    A view without a form lets a ``DomainError`` of a read propagate to
    ``requires``, which renders the error page with its status.
    """
    outcome = Refused()
    try:
        yield outcome
    except DomainError as error:
        outcome.error = error
        outcome.status = refuse(
            request, error, action=action, form=form, obj=obj, flash=flash, changes=changes
        )


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def form_status(request: HttpRequest, form: Any, status: int = 200) -> int:
    """422 for a POST whose form did not validate (the page shows why), else ``status``."""
    if request.method == "POST" and form.errors and status == 200:
        return 422
    return status
