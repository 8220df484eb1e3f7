"""Account pages: users (系统管理员), grants and the account review (安全管理员),
my API tokens."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shequ.core import selectors
from shequ.core.errors import ValidationError
from shequ.core.forms import GrantForm, TokenForm, UserCreateForm
from shequ.core.formtokens import once
from shequ.core.http import error_page, refusal, requires
from shequ.core.permissions import Role
from shequ.core.services import accounts as services
from shequ.core.services import second_factor


def _page(request: HttpRequest, qs):
    return Paginator(qs, settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))


# -- users (user.manage) ------------------------------------------------------------


@requires("user.manage")
def user_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    page = _page(request, selectors.user_list(actor=request.actor, q=q))
    rows = [(u, selectors.account_display(u)) for u in page.object_list]
    return render(
        request,
        "core/accounts/user_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "query": urlencode({"q": q}) + "&",
        },
    )


@requires("user.manage")
@once
def user_create(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = UserCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with refusal(request, action="user.create", form=form) as refused:
                user = services.user_create(
                    actor=request.actor,
                    username=data["username"],
                    full_name=data["full_name"],
                    password=data["password"],
                )
                messages.success(
                    request, f"已创建账号“{user.username}”，请通知安全管理员为其授权。"
                )
                return redirect("core:user_detail", user_id=user.pk)
            if refused:
                status = refused.status
        else:
            status = 422
    else:
        form = UserCreateForm()
    return render(request, "core/accounts/user_form.html", {"form": form}, status=status)


_USER_ACTIONS = {
    "deactivate": "user.deactivate",
    "activate": "user.activate",
    "reset_password": "user.password_reset",
}


@requires("user.manage")
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = request.actor
    user = selectors.user_get(actor=actor, user_id=user_id)
    new_password = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        with refusal(
            request, action=_USER_ACTIONS.get(action, "user.change"), obj=user, flash=True
        ) as refused:
            if action not in _USER_ACTIONS:
                raise ValidationError("未知的操作。")
            if action == "reset_password":
                new_password = services.user_password_reset(actor=actor, user=user)
            else:
                services.user_set_active(actor=actor, user=user, active=action == "activate")
                messages.success(
                    request, "账号已启用。" if action == "activate" else "账号已停用。"
                )
                return redirect("core:user_detail", user_id=user.pk)
        if refused:
            status = refused.status
    return render(
        request,
        "core/accounts/user_detail.html",
        {
            "account": user,
            "display": selectors.account_display(user),
            "grants": list(user.grants.all()),
            "new_password": new_password,
            "is_self": user.pk == actor.user.pk,
        },
        status=status,
    )


# -- grants (grant.manage) ----------------------------------------------------------


@requires("grant.manage")
def grant_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    page = _page(request, selectors.grant_list(actor=request.actor, q=q, role=role))
    rows = [(g, selectors.grant_display_username(g)) for g in page.object_list]
    return render(
        request,
        "core/accounts/grant_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "role": role,
            "roles": Role.choices,
            "query": urlencode({"q": q, "role": role}) + "&",
        },
    )


@requires("grant.manage")
@once
def grant_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    status = 200
    if request.method == "POST":
        form = GrantForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            user = selectors.user_lookup_by_username(username=data["username"])
            region = selectors.region_lookup_by_code(code=data["region_code"])
            if user is None:
                form.add_error("username", "没有这个账号。")
            if region is None:
                form.add_error("region_code", "没有这个区划代码。")
            if user is not None and region is not None:
                with refusal(request, action="grant.create", form=form, obj=user) as refused:
                    grant = services.grant_create(
                        actor=actor, user=user, role=data["role"], region=region
                    )
                    messages.success(
                        request,
                        f"已授予“{grant.user.username}”："
                        f"{grant.get_role_display()}·{region.name}。",
                    )
                    return redirect("core:grants")
                if refused:
                    status = refused.status
            else:
                status = 422
        else:
            status = 422
    else:
        form = GrantForm(initial={"username": request.GET.get("user", "")})
    return render(request, "core/accounts/grant_form.html", {"form": form}, status=status)


@requires("grant.manage")
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    actor = request.actor
    grant = selectors.grant_lookup(grant_id=grant_id)
    label = f"{grant.user.username}：{grant.get_role_display()}·{grant.region.name}"
    with refusal(request, action="grant.revoke", obj=grant) as refused:
        services.grant_revoke(actor=actor, grant=grant)
    if refused.error is not None:
        return error_page(request, refused.error)
    messages.success(request, f"已收回授权（{label}）。")
    return redirect("core:grants")


# -- the account review (account.review) ------------------------------------------------


@requires("account.review")
def account_review(request: HttpRequest) -> HttpResponse:
    """Locked, expiring, expired, dormant and disabled accounts (等保 账号审查)."""
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    if status not in selectors.REVIEW_STATUSES:
        status = ""
    page = _page(request, selectors.account_review(actor=request.actor, status=status, q=q))
    return render(
        request,
        "core/accounts/review.html",
        {
            "page": page,
            "rows": selectors.account_review_rows(users=list(page.object_list)),
            "addresses": selectors.locked_addresses(now=timezone.now()),
            "q": q,
            "status": status,
            "statuses": selectors.REVIEW_STATUSES.items(),
            "query": urlencode({"q": q, "status": status}) + "&",
            "dormant_days": settings.SHEQU_DORMANT_DAYS,
            "max_age_days": settings.SHEQU_PASSWORD_MAX_AGE_DAYS,
        },
    )


_REVIEW_ACTIONS = {
    "deactivate": "user.deactivate",
    "activate": "user.activate",
    "reset_totp": "auth.otp_reset",
}
_REVIEW_DONE = {
    "deactivate": "账号已停用。",
    "activate": "账号已启用。",
    "reset_totp": "已重置动态口令，该账号下次登录时重新绑定。",
}


@requires("account.review")
@require_POST
def account_review_action(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = request.actor
    user = selectors.user_get(actor=actor, user_id=user_id)
    action = request.POST.get("action", "")
    with refusal(request, action=_REVIEW_ACTIONS.get(action, "user.change"), obj=user) as refused:
        if action not in _REVIEW_ACTIONS:
            raise ValidationError("未知的操作。")
        if action == "reset_totp":
            second_factor.totp_reset(actor=actor, user=user)
        else:
            services.user_set_active(actor=actor, user=user, active=action == "activate")
    if refused.error is not None:
        return error_page(request, refused.error)
    name = selectors.account_display(user)["username"]
    messages.success(request, f"{name}：{_REVIEW_DONE[action]}")
    # Back to the list as it was filtered (only its own two filters).
    kept = QueryDict(request.POST.get("back", ""))
    query = urlencode({"q": kept.get("q", ""), "status": kept.get("status", "")})
    return redirect(f"{reverse('core:account_review')}?{query}")


# -- my API tokens (api.token) --------------------------------------------------------


@requires("api.token")
@once
def token_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    raw = None
    status = 200
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with refusal(request, action="token.create", form=form) as refused:
                token, raw = services.token_create(actor=actor, name=form.cleaned_data["name"])
                form = TokenForm()
            if refused:
                status = refused.status
        else:
            status = 422
    return render(
        request,
        "core/accounts/token_list.html",
        {
            "form": form,
            "raw": raw,
            "tokens": selectors.token_list(actor=actor),
        },
        status=status,
    )


@requires("api.token")
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = request.actor
    token = selectors.token_lookup(token_id=token_id)
    with refusal(request, action="token.revoke", obj=token) as refused:
        services.token_revoke(actor=actor, token=token)
    if refused.error is not None:
        return error_page(request, refused.error)
    messages.success(request, f"已收回令牌“{token.name}”。")
    return redirect("core:tokens")
