"""The permission matrix of every page and API operation: what to call, with
which arguments, and the expected status of each call for each role.

The pages come from the URL conf and the operations from the OpenAPI
schema, so a new page or endpoint joins the matrix by itself. Each role's
expected statuses are kept in ``matrix/<role>.json`` (generated, reviewed,
committed): a test run compares every call with its file exactly, and
``SHEQU_WRITE_MATRIX=1 pytest src/shequ/tests/test_every_page.py`` rewrites
the files from what the code answers now, so the change shows as a diff to
review. Two rules hold whatever the files say: an anonymous visitor of a page
is sent to the login page (or refused the method), and a role without a
page's declared permission never gets a 2xx/3xx from it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

MATRIX_DIR = Path(__file__).resolve().parent / "matrix"
WRITE = os.environ.get("SHEQU_WRITE_MATRIX") == "1"

# The accounts of the root conftest's ``people``, one per role (and two
# out-of-scope ones), and the anonymous visitor.
ROLES = [
    "anonymous", "district_admin", "street_officer", "other_street_officer", "secretary",
    "worker", "other_worker", "building_head", "inspector", "resident", "system_admin",
    "security_admin", "audit_admin", "department_liaison", "unit_liaison", "party_secretary",
]  # fmt: skip

JUNK_QUERY = (
    "?page=abc&building=x&tag=zzz&year=99999&level=9&success=maybe&date_from=2026-13-01"
    "&date_to=x&region=%25&user=%00&action=%27&q=%25%25&parent=-1&age=old"
)
JUNK_POST = {"name": "<script>", "code": "x" * 300, "date": "2026-02-30", "grant": "abc",
             "role": "king", "q": "%", "page": "-1", "room": "", "file": ""}  # fmt: skip
JUNK_BODY = {"name": "<b>x</b>", "id_number": "1" * 18, "region_id": -1, "role": "王"}


def routes(
    patterns=None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str, object]]:
    """(namespaced name, full route, view) of every page outside the API."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith("api/"):
                continue  # the API's operations come from its schema
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from routes(p.url_patterns, ns, route)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", route, p.callback


def operations() -> Iterator[tuple[str, str]]:
    """(method, path) of every API operation, from the OpenAPI schema."""
    from shequ.api import api

    for path, methods in api.get_openapi_schema()["paths"].items():
        for method in methods:
            yield method.upper(), path


def fill(path: str, args: dict[str, object]) -> str:
    """The API path with its ``{name}`` parameters taken from ``args``."""
    return re.sub(r"\{([^}]+)\}", lambda m: str(args[m.group(1)]), path)


# -- nothing changed -------------------------------------------------------------------------


def _tables() -> list[tuple[str, bool]]:
    out = []
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue  # test-only tables exist only where their test made them
        table = model._meta.db_table
        if table in {"django_session"}:
            continue  # a login writes a session; that is not the refused write
        has_status = any(f.column == "status" for f in model._meta.concrete_fields)
        out.append((table, has_status))
    return sorted(set(out))


def fingerprint() -> tuple:
    """Row counts of every table (and of each status in tables with one), in
    one query: a refused write must leave it as it was. Refusals are audited
    (``success = false``): those records are the one thing a refusal adds."""
    parts = []
    for table, has_status in _tables():
        q = connection.ops.quote_name(table)
        if table == "core_auditrecord":
            parts.append(
                f"SELECT '{table}', CAST('' AS VARCHAR(40)), COUNT(*) FROM {q} WHERE success"
            )  # noqa: S608
        elif has_status:
            parts.append(
                f"SELECT '{table}', CAST(status AS VARCHAR(40)), COUNT(*) FROM {q} GROUP BY status"  # noqa: S608
            )
        else:
            parts.append(f"SELECT '{table}', CAST('' AS VARCHAR(40)), COUNT(*) FROM {q}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted((t, str(s), n) for t, s, n in cursor.fetchall()))


# -- the expected statuses ---------------------------------------------------------------------


def load(role: str) -> dict[str, int]:
    path = MATRIX_DIR / f"{role}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def save(role: str, seen: dict[str, int]) -> None:
    MATRIX_DIR.mkdir(exist_ok=True)
    text = json.dumps(dict(sorted(seen.items())), ensure_ascii=False, indent=0)
    (MATRIX_DIR / f"{role}.json").write_text(text + "\n")
