"""What every app's pages share: a write that re-renders its page with
the service's Chinese refusal (audited, with the refusal's 4xx status), and
small parsers for submitted values (the services check them again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from shequ.core.http import refusal

Page = Callable[..., HttpResponse]


def write(
    request: HttpRequest,
    *,
    action: str,
    call: Callable[[], Any],
    done: str | Callable[[Any], str],
    page: Page,
    page_args: tuple[Any, ...] = (),
    to: str | Callable[[Any], str],
    to_args: tuple[Any, ...] = (),
) -> HttpResponse:
    """Run one service call; on success flash ``done`` and redirect to ``to``,
    on a refusal render ``page(request, *page_args, status=, error=)``."""
    with refusal(request, action=action) as refused:
        result = call()
    if refused.error is not None:
        return page(request, *page_args, status=refused.status, error=refused.error.message)
    messages.success(request, done(result) if callable(done) else done)
    if callable(to):
        return redirect(to(result))
    return redirect(to, *to_args)


def local_datetime(raw: str | None) -> dt.datetime | None:
    """An ``<input type="datetime-local">`` value in Asia/Shanghai, or None."""
    try:
        naive = dt.datetime.fromisoformat((raw or "").strip()[:16])
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_current_timezone())


def local_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


def int_or_none(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def posted(request: HttpRequest, name: str, limit: int = 600) -> str:
    return request.POST.get(name, "")[:limit]
