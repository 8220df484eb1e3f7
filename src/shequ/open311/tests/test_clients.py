"""The district admin's client page: a key is shown once and stored only as
its SM3 digest, revoking stops it, other roles are refused; the demo's
client is created once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shequ.core.models import AuditRecord
from shequ.core.pii import sm3_hex
from shequ.open311.models import Open311Client
from shequ.open311.services import client_ensure
from shequ.open311.tests.conftest import appeal_form, body, post

pytestmark = pytest.mark.django_db

URL = "/open311/clients/"


def test_district_admin_creates_a_client_and_sees_the_key_once(client, people, tree):
    client.force_login(people.district_admin)

    response = client.post(URL, {"name": "微信小程序", "rate_per_minute": "30"})

    assert response.status_code == 200
    raw = re.search(r"(o311_[A-Za-z0-9_\-]{40,})", response.content.decode()).group(1)
    row = Open311Client.objects.get()
    assert (row.name, row.district, row.rate_per_minute) == ("微信小程序", tree.district, 30)
    assert row.key_digest == sm3_hex(raw.encode())
    assert row.key_prefix == raw[:8]
    assert raw not in str(list(Open311Client.objects.values()))
    record = AuditRecord.objects.get(action="open311.client_create")
    assert record.changes == {"name": "微信小程序", "prefix": raw[:8], "rate_per_minute": 30}
    assert raw not in client.get(URL).content.decode()  # shown once only
    # and the key works
    assert post(client, appeal_form(api_key=raw)).status_code == 200


def test_revoke_stops_the_key(client, people, tree):
    client.force_login(people.district_admin)
    client.post(URL, {"name": "12345热线", "rate_per_minute": "60"})
    row = Open311Client.objects.get()

    response = client.post(reverse("open311:client_revoke", args=[row.pk]))

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == people.district_admin
    assert AuditRecord.objects.filter(action="open311.client_revoke").count() == 1
    again = client.post(reverse("open311:client_revoke", args=[row.pk]))
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "rate_per_minute": "60"}, "这个字段是必填项。"),
        ({"name": "<b>x</b>", "rate_per_minute": "60"}, "客户端名称不能包含尖括号。"),
        ({"name": "热线", "rate_per_minute": "0"}, "大于或等于"),
    ],
)
def test_bad_client_input_writes_nothing(client, people, data, message):
    client.force_login(people.district_admin)

    response = client.post(URL, data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Open311Client.objects.exists()


@pytest.mark.parametrize(
    "who", ["street_officer", "secretary", "worker", "resident", "system_admin"]
)
def test_other_roles_cannot_manage_clients(client, people, who):
    client.force_login(getattr(people, who))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "x", "rate_per_minute": "60"}).status_code == 403
    assert not Open311Client.objects.exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_client_ensure_creates_the_demo_client_once(tree):
    assert client_ensure(
        district=tree.district, name="演示客户端", raw_key="demo-open311-key", command="shequ demo"
    )
    assert not client_ensure(
        district=tree.district, name="演示客户端", raw_key="demo-open311-key", command="shequ demo"
    )
    row = Open311Client.objects.get()
    assert row.key_digest == sm3_hex(b"demo-open311-key")
    assert AuditRecord.objects.filter(action="open311.client_create").count() == 1


def test_demo_loads_the_open311_client(client, db):
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", residents=30, stdout=StringIO())

    row = Open311Client.objects.get()
    assert (row.name, row.district.code) == ("演示客户端", "210302")
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    answer = post(
        client,
        appeal_form(api_key="demo-open311-key", **{"attribute[community]": "210302001001"}),
    )
    assert answer.status_code == 200, answer.content
    assert body(answer)[0]["service_request_id"].startswith("210302001001")
