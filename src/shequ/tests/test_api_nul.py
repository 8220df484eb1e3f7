"""A NUL character (U+0000) in an API request is refused before any view
runs (issue 16, found by schemathesis on PostgreSQL, which can neither store
nor compare such text: a search for it was a 500, a region named with it
too). The pages never meet one: Django's form fields refuse it."""

import json

import pytest

from shequ.core.api_parser import MESSAGE
from shequ.core.models import AuditRecord, Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/residents/?q=%00",
        "/api/services/cases?q=a%00b",
        "/api/appeals/?q=%00&status=open",
        "/api/regions?x%00=1",
    ],
)
def test_a_nul_in_the_query_string_is_refused(client, people, url):
    client.force_login(people.district_admin)
    response = client.get(url)
    assert (response.status_code, response.json()) == (422, {"detail": MESSAGE})


def test_a_nul_in_the_body_is_refused_and_nothing_is_written(client, tree, people):
    client.force_login(people.district_admin)
    regions, audited = Region.objects.count(), AuditRecord.objects.count()
    body = {"parent_id": tree.community.pk, "name": "新\u0000小区", "code": "210302001001009"}
    response = client.post("/api/regions", json.dumps(body), content_type="application/json")
    nested = client.post(
        "/api/regions",
        json.dumps({**body, "name": "新小区", "extra": [{"\u0000": 1}]}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (422, {"detail": MESSAGE})
    assert (nested.status_code, nested.json()) == (422, {"detail": MESSAGE})
    assert (Region.objects.count(), AuditRecord.objects.count()) == (regions, audited)


def test_text_without_a_nul_goes_through(client, tree, people):
    client.force_login(people.district_admin)
    body = {"parent_id": tree.community.pk, "name": "新小区", "code": "210302001001009"}
    response = client.post("/api/regions", json.dumps(body), content_type="application/json")
    assert (response.status_code, response.json()["name"]) == (201, "新小区")
