"""The login: account and password, then, for an administrator, the second
factor (docs/security.md). Nobody is logged in before both steps passed."""

from __future__ import annotations

from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from shequ.core import account_policy, selectors, sessions
from shequ.core.forms import LoginForm
from shequ.core.http import refusal
from shequ.core.scope import Actor
from shequ.core.services import accounts, second_factor


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notice"] = sessions.pop_notice(self.request.session)
        return context

    def form_valid(self, form):
        user = form.get_user()
        if not account_policy.is_privileged(user.grants.all()):
            return super().form_valid(form)
        # An administrator: the password was right, the second factor comes next.
        second_factor.totp_enrolment(user=user)
        sessions.pending_begin(self.request.session, user, self.get_success_url(), timezone.now())
        return redirect("core:login_otp")


def _throttled(request: HttpRequest, username: str) -> str:
    """The refusal of a login the throttle stops (by name or by address), or ''."""
    ip = request.actor.ip
    if ip and not selectors.login_throttle_ip(ip=ip).allowed:
        return LoginForm.error_messages["ip_throttled"].format(minutes=selectors.LOGIN_LOCK_MINUTES)
    if not selectors.login_throttle(username=username).allowed:
        return LoginForm.error_messages["throttled"].format(minutes=selectors.LOGIN_LOCK_MINUTES)
    return ""


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step: the 6-digit code, or the enrolment of a first device."""
    if request.user.is_authenticated:
        return redirect("core:home")
    pending = sessions.pending_user(request.session, timezone.now())
    if pending is None:
        request.session[sessions.NOTICE] = "请重新输入账号和密码。"
        return redirect("core:login")
    user, next_url = pending
    device = second_factor.totp_enrolment(user=user)
    error = None
    if request.method == "POST":
        stop = _throttled(request, user.username)
        if stop:
            sessions.pending_clear(request.session)
            request.session[sessions.NOTICE] = stop
            return redirect("core:login")
        # A wrong code is a failed login: audited as one, counted by the throttle.
        with refusal(
            request,
            action="auth.login",
            changes={"username": user.username, "factor": "totp"},
        ) as refused:
            second_factor.totp_login_verify(
                actor=Actor.for_user(user, ip=request.actor.ip),
                user=user,
                code=request.POST.get("code", ""),
            )
            sessions.pending_clear(request.session)
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            accounts.user_session_claim(
                actor=Actor.for_user(user, ip=request.actor.ip),
                user=user,
                session_key=request.session.session_key or "",
            )
            return redirect(next_url or "core:home")
        error = refused.error
    enrol = not device.confirmed
    return render(
        request,
        "core/login_otp.html",
        {
            "username": user.username,
            "enrol": enrol,
            "secret": second_factor.secret_text(device) if enrol else "",
            # segno's own SVG markup, drawn from the device's otpauth:// URL.
            "qr": mark_safe(second_factor.qr_svg(device)) if enrol else "",  # noqa: S308
            "error": error,
        },
        status=error.status if error else 200,
    )
