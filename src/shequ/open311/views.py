"""Open311 GeoReport v2 endpoints (``/open311/v2/…``) and the district
admin's page of API clients (``/open311/clients/``).

The endpoints answer in the spec's own shapes and error format, not the
house ``{"detail": …}``: GETs are public, ``POST requests`` needs an
api_key (403 without a valid one), is rate-limited per client (429) and
honours ``Idempotency-Key``. No Django CSRF: the api_key authenticates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError
from shequ.core.http import refusal, refuse, requires
from shequ.core.idempotency import HEADER, idempotent
from shequ.core.middleware import client_ip
from shequ.core.scope import Actor
from shequ.open311 import params, selectors, services
from shequ.open311.forms import ClientForm
from shequ.open311.models import Open311Client
from shequ.open311.wire import Open311Error, respond, respond_error

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Open311-Token"  # noqa: S105 - a header name, not a secret


def _status(error: DomainError) -> int:
    # The spec: 403 for the api_key, 404 for what does not exist, 400 for the rest.
    return error.status if error.status in {403, 404} else 400


def _answer(request: HttpRequest, fmt: str, produce: Callable[[str], HttpResponse]) -> HttpResponse:
    """Run ``produce(fmt)``; refusals in the spec's error format (XML when
    the format itself is what is wrong)."""
    try:
        fmt = params.response_format(fmt)
        return produce(fmt)
    except Open311Error as error:
        return respond_error(fmt if fmt in {"json", "xml"} else "xml", error)
    except DomainError as error:
        return respond_error(fmt, Open311Error(_status(error), error.message))


def _district(request: HttpRequest):
    return selectors.jurisdiction(params.text(request.GET, "jurisdiction_id", limit=24))


@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return _answer(
        request,
        fmt,
        lambda f: respond(f, "services", selectors.service_list(district=_district(request))),
    )


@require_GET
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    def produce(f: str) -> HttpResponse:
        definition = selectors.service_definition(district=_district(request), code=service_code)
        return respond(f, "service_definition", definition)

    return _answer(request, fmt, produce)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _answer(request, fmt, lambda f: _post(request, f))

    def produce(f: str) -> HttpResponse:
        district = _district(request)
        filters = params.request_filters(request.GET)
        rows = selectors.request_search(district=district, filters=filters)
        return respond(f, "service_requests", rows)

    return _answer(request, fmt, produce)


@require_GET
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    def produce(f: str) -> HttpResponse:
        row = selectors.request_get(
            district=_district(request), service_request_id=service_request_id
        )
        return respond(f, "service_requests", [row])

    return _answer(request, fmt, produce)


@require_GET
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    def produce(f: str) -> HttpResponse:
        row = selectors.token_get(district=_district(request), token=token)
        return respond(f, "service_requests", [row])

    return _answer(request, fmt, produce)


def _client(request: HttpRequest) -> Open311Client:
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw:
        raise Open311Error(403, "缺少 api_key，无法提交诉求或申请。")
    client = selectors.client_by_key(raw)
    if client is None:
        logger.warning("open311: invalid api_key from %s", client_ip(request))
        raise Open311Error(403, "api_key 无效，无法提交诉求或申请。")
    if client.revoked_at is not None:
        raise Open311Error(403, "该 api_key 已被收回，请联系区民政局重新申请。")
    jurisdiction_id = params.text(request.POST, "jurisdiction_id", limit=24)
    if jurisdiction_id and jurisdiction_id != client.district.code:
        raise Open311Error(403, "该 api_key 不能向此 jurisdiction_id 提交。")
    return client


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    retry = services.rate_take(client=client)
    if retry is not None:
        raise Open311Error(
            429,
            f"请求过于频繁：每分钟最多{client.rate_per_minute}次，请{retry}秒后重试。",
            headers={"Retry-After": str(retry)},
        )
    actor = Actor(user=None, grant=None, ip=client_ip(request), system=services.source_of(client))
    body = {k: request.POST.getlist(k) for k in sorted(request.POST) if k != "api_key"}
    try:
        data = params.submission(request.POST)
        status, answer = idempotent(
            caller=f"client:{client.pk}",
            scope="open311.request",
            key=request.headers.get(HEADER),
            body=body,
            run=lambda: (200, services.request_submit(client=client, data=data)),
        )
    except Open311Error as error:
        audit_refused(actor=actor, action="open311.request", message=error.description)
        raise
    except DomainError as error:
        audit_refused(actor=actor, action="open311.request", message=error.message)
        raise Open311Error(_status(error), error.message) from error
    response = respond(fmt, "service_requests", [answer["request"]], status=status)
    response[TOKEN_HEADER] = answer["token"]
    return response


# -- the client page (open311.manage) ---------------------------------------------------------


@requires("open311.manage")
def client_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    raw = None
    status = 200
    form = ClientForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with refusal(request, action="open311.client_create", form=form) as refused:
                _client_row, raw = services.client_create(
                    actor=actor,
                    name=form.cleaned_data["name"],
                    rate_per_minute=form.cleaned_data["rate_per_minute"],
                )
                form = ClientForm()
            if refused:
                status = refused.status
        else:
            status = 422
    return render(
        request,
        "open311/client_list.html",
        {"form": form, "raw": raw, "clients": selectors.client_list(actor=actor)},
        status=status,
    )


@requires("open311.manage")
@require_POST
def client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = request.actor
    client = selectors.client_get(actor=actor, client_id=client_id)
    try:
        services.client_revoke(actor=actor, client=client)
    except DomainError as error:
        status = refuse(request, error, action="open311.client_revoke", obj=client)
        return render(request, "core/error.html", {"error": error}, status=status)
    messages.success(request, f"已收回“{client.name}”的密钥。")
    return redirect("open311:clients")


FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})$"

urlpatterns = [
    re_path(r"^v2/services" + FMT, service_list, name="services"),
    re_path(r"^v2/services/(?P<service_code>[^/]{1,80})" + FMT, service_definition, name="service"),
    re_path(r"^v2/requests" + FMT, requests, name="requests"),
    re_path(
        r"^v2/requests/(?P<service_request_id>[^/]{1,40})" + FMT, request_detail, name="request"
    ),
    re_path(r"^v2/tokens/(?P<token>[^/]{1,40})" + FMT, token_detail, name="token"),
    path("clients/", client_list, name="clients"),
    path("clients/<int:client_id>/revoke/", client_revoke, name="client_revoke"),
]
