"""Every API list answers one page schema (django-ninja pagination with
``core.api_pages.Pages``): the same fields, ``page`` from 1, past the end the
last page, 0 or less refused in Chinese with 422."""

from __future__ import annotations

from shequ.api import api
from shequ.residents.tests import helpers

PAGE_FIELDS = {"count", "page", "pages", "page_size", "items"}


def _lists() -> list[str]:
    """The GET operations whose answer is a page (an object with ``items``)."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    out = []
    for path, methods in schema["paths"].items():
        get = methods.get("get")
        if get is None or "{" in path:
            continue
        ok = get["responses"].get(200) or get["responses"].get("200") or {}
        ref = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        body = components.get(ref.rsplit("/", 1)[-1], {})
        if "items" in body.get("properties", {}):
            out.append((path, set(body["properties"]), {p["name"] for p in get["parameters"]}))
    return out


def test_every_list_has_the_one_page_schema():
    lists = _lists()
    assert {path for path, _, _ in lists} >= {
        "/api/residents/",
        "/api/appeals/",
        "/api/services/items",
        "/api/services/cases",
        "/api/services/rectifications",
        "/api/whistles/agreements",
        "/api/whistles/whistles/",
    }
    for path, fields, params in lists:
        assert fields == PAGE_FIELDS, path
        assert "page" in params and not {"limit", "offset"} & params, path


def test_pages_count_from_one_and_stop_at_the_last(client, tree, people, settings):
    # given: five residents, two to a page
    settings.SHEQU_PAGE_SIZE = 2
    for i in range(5):
        helpers.resident(tree.unit, name=f"居民{i}", seq=70 + i, room=str(200 + i))
    client.force_login(people.worker)
    path = "/api/residents/"

    # then: three pages, the last one short; past the end is the last page
    first = client.get(path).json()
    assert (first["count"], first["page"], first["pages"], first["page_size"]) == (5, 1, 3, 2)
    assert len(first["items"]) == 2
    last = client.get(path, {"page": 999}).json()
    assert (last["page"], len(last["items"])) == (3, 1)
    # and a page before the first is refused, with the field named
    refused = client.get(path, {"page": 0})
    assert refused.status_code == 422
    body = refused.json()
    assert body["detail"] == "请求数据格式不正确。"
    assert [e["loc"] for e in body["errors"]] == [["query", "page"]]
