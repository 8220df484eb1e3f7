"""The navigation: the menu sections every app registers (``core.registry``).

A section appears when the active grant holds its permission and its URL
resolves (an app left out of INSTALLED_APPS or the URL conf drops out).
"""

from django.urls import NoReverseMatch, reverse

from shequ.core import registry
from shequ.core.registry import Section
from shequ.core.scope import Actor

# Core's own sections: the system pages at the end of the menu.
CORE_SECTIONS = [
    Section("区划", "core:regions", "region.view", "系统", order=900),
    Section("工作日历", "core:calendar", "calendar.view", "系统", order=910),
    Section("用户账号", "core:users", "user.manage", "系统", order=920),
    Section("角色授权", "core:grants", "grant.manage", "系统", order=930),
    Section("账号安全", "core:account_review", "account.review", "系统", order=935),
    Section("审计记录", "core:audit", "audit.view", "系统", order=940),
    Section("接口令牌", "core:tokens", "api.token", "系统", order=950),
]


def visible_sections(actor: Actor) -> list[tuple[Section, str]]:
    out = []
    for section in registry.sections():
        if section.permission not in actor.permissions:
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue  # registered, but its URLs are not mounted
        out.append((section, url))
    return out


def active_url(path: str, urls: list[str]) -> str | None:
    """The one menu entry a page belongs to: the section whose URL is the
    longest prefix of ``path`` (the home page only for itself), so that
    /whistles/pairing/ lights 结对共建 and not 吹哨报到 as well."""
    best = None
    for url in urls:
        if (path == url or (url != "/" and path.startswith(url))) and len(url) > len(best or ""):
            best = url
    return best
