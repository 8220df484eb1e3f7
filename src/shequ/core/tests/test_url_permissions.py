"""Every page declares the permission it needs (pretix-style), so none can be
added to the URL conf and forgotten by the permission matrix."""

from django.urls import URLPattern, URLResolver, get_resolver

from shequ.core.permissions import PERMISSIONS

# Pages open to anyone or to any logged-in account, on purpose.
PUBLIC = {
    "core:login",
    "core:login_otp",  # the second step of an administrator's login
    "core:logout",
    "core:switch_grant",
    "core:password_change",
    "healthz",
    "favicon",
    # 办事查询: a resident with a receipt number and phone digits, no account.
    "services:public_lookup",
    "services:public_case",
    "services:public_notice_pdf",
    # Open311 GeoReport v2: the spec's GETs are public; POST checks its api_key.
    "open311:services",
    "open311:service",
    "open311:requests",
    "open311:request",
    "open311:token",
    # 社区协商公开栏: decisions under publicity and outcome progress, for anyone.
    "deliberation:public",
}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.urlconf_name and getattr(p, "app_name", None) == "api":
                continue  # ninja endpoints check with require() — see the API tests
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}", p.callback


def test_every_page_declares_a_known_permission():
    missing = []
    for name, view in _walk(get_resolver().url_patterns):
        if name in PUBLIC or name.startswith("api") or name.endswith("None"):
            continue
        permission = getattr(view, "permission", None)
        if permission not in PERMISSIONS:
            missing.append(name)
    assert missing == []
