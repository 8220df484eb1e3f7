"""Shell views: home, scope switcher, health check."""

from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from shequ.core import selectors
from shequ.core.http import requires
from shequ.core.scope import SESSION_GRANT_KEY


@requires("home.view")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"counts": selectors.home_counts(actor=request.actor)})


@require_POST
def switch_grant(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not actor.is_authenticated:
        return redirect("core:login")
    try:
        grant_id = int(request.POST.get("grant", ""))
    except ValueError:
        grant_id = 0
    chosen = next((g for g in actor.grants if g.id == grant_id), None)
    if chosen is None:
        messages.error(request, "只能切换到您本人持有的授权。")
    else:
        request.session[SESSION_GRANT_KEY] = chosen.id
        messages.success(request, f"已切换到：{chosen.get_role_display()}·{chosen.region.name}")
    return redirect("core:home")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": connection.vendor})
    except Exception as error:  # noqa: BLE001 - a health check reports, never raises
        return JsonResponse({"status": "error", "detail": str(error)[:200]}, status=503)
