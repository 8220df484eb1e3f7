"""Huge and negative page numbers and ids on every list and detail endpoint
and every page (issue 16): a 4xx or the page, never a 500. Ids past the
database's integer range must not reach PostgreSQL as an overflow."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from shequ.tests import matrix

pytestmark = pytest.mark.django_db
HUGE = 10**20  # past a PostgreSQL bigint
NUMBERS = ("200000000000000000", str(HUGE), "-1", "0")


def _filled(path: str, value: str) -> str:
    # Keep non-numeric parameters (a quarter, an action) as the matrix fills them.
    return re.sub(r"\{([^}]+)\}", lambda m: value if m.group(1).endswith("id") else "x", path)


@pytest.mark.parametrize("who", ["secretary", "district_admin", "resident"])
def test_no_get_endpoint_or_page_answers_500_to_out_of_range_numbers(people, who):
    client = Client()
    client.force_login(getattr(people, who))
    seen: dict[str, int] = {}
    for method, path in matrix.operations():
        if method != "GET":
            continue
        for value in NUMBERS:
            url = _filled(path, value)
            seen[url] = client.get(url).status_code
            listing = f"{path.split('{')[0]}?page={value}&region_id={value}&org_id={value}"
            seen[listing] = client.get(listing).status_code
    for name, route, _view in matrix.routes():
        if "<" in route:
            continue
        for value in NUMBERS:
            url = f"{reverse(name)}?page={value}&region={value}&org={value}&station={value}"
            seen[url] = client.get(url).status_code
    assert len(seen) > 400
    assert {url: status for url, status in seen.items() if status >= 500} == {}
