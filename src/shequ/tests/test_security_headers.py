"""Response headers of 等保/ASVS: the Content-Security-Policy on every
response, HSTS once the site runs on HTTPS only, and templates that keep to the
policy (no inline event handler, no inline script without the nonce)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def _templates() -> list[Path]:
    return sorted(p for p in SRC.rglob("templates/**/*.html") if "vendor" not in p.parts)


def test_templates_have_no_inline_handlers_or_scripts():
    # given: every template of every app
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        # then: behaviour lives in static files (shequ.js: data-confirm, data-autosubmit …);
        # an inline script would need the response's nonce
        offenders += [
            f"{path.relative_to(SRC)}: {m.group(0)[:60]}" for m in INLINE_HANDLER.finditer(text)
        ]
        offenders += [
            f"{path.relative_to(SRC)}: {m.group(0)}"
            for m in INLINE_SCRIPT.finditer(text)
            if "csp_nonce" not in m.group(0)
        ]
    assert _templates(), "no templates found"
    assert offenders == []


@pytest.mark.parametrize("url", ["/login/", "/api/openapi.json", "/healthz", "/no-such-page/"])
def test_every_response_carries_the_policy(client, db, url):
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no nonce was asked for: none offered
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]


def test_a_nonce_is_sent_only_to_the_page_that_uses_it(rf, db):
    # given: a response whose template asked for the nonce
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    request = rf.get("/")
    response = CSPMiddleware(view)(request)

    # then: the header allows exactly that nonce
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]


def _settings_with(env: dict[str, str]) -> str:
    code = "from shequ import settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHEQU_HSTS")}
    clean.pop("SHEQU_SECURE_COOKIES", None)
    result = subprocess.run(  # noqa: S603 - the test's own interpreter on fixed code
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_hsts_follows_secure_cookies():
    assert _settings_with({}) == "0 False"
    assert _settings_with({"SHEQU_SECURE_COOKIES": "1"}) == "31536000 True"
    assert _settings_with({"SHEQU_SECURE_COOKIES": "1", "SHEQU_HSTS_SECONDS": "600"}) == "600 True"


def test_hsts_header_on_https(client, db, settings):
    # given: the site on HTTPS with HSTS on
    settings.SECURE_HSTS_SECONDS = 31536000
    # when / then: an HTTPS response says so, a plain one cannot (browsers ignore it there)
    assert client.get("/login/", secure=True).headers["Strict-Transport-Security"] == (
        "max-age=31536000"
    )
    assert "Strict-Transport-Security" not in client.get("/login/").headers
