"""A client cannot choose the address the lookup throttle and the audit
trail record by sending its own X-Forwarded-For (issue 16): the header is
believed only from ``SHEQU_TRUSTED_PROXIES``."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from shequ.core.middleware import client_ip
from shequ.core.models import AuditRecord

pytestmark = pytest.mark.django_db
LOOKUP = "/services/banshi/"


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_the_header_is_ignored_unless_a_trusted_proxy_sent_it(settings):
    settings.SHEQU_TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.9", "10.9.9.9")) == "203.0.113.9"
    settings.SHEQU_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # nginx on the host appended the client; a forged first hop is skipped past
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # two proxies (10.0.0.5 in front of nginx): the nearest untrusted hop
    assert client_ip(_request("127.0.0.1", "198.51.100.7, 10.0.0.5")) == "198.51.100.7"
    # a direct client is not a proxy: its header counts for nothing
    assert client_ip(_request("203.0.113.9", "127.0.0.1")) == "203.0.113.9"
    # a malformed hop: the proxy's own address, never the junk
    assert client_ip(_request("127.0.0.1", "<script>")) == "127.0.0.1"
    assert client_ip(_request("127.0.0.1", "")) == "127.0.0.1"


def test_forged_headers_neither_escape_the_lookup_limit_nor_reach_the_audit(client, settings):
    settings.SHEQU_TRUSTED_PROXIES = []
    statuses = [
        client.post(
            LOOKUP,
            {"receipt_no": f"21030200100120990101{n:05d}", "phone_tail": "1234"},
            HTTP_X_FORWARDED_FOR=f"10.0.{n}.1",
        ).status_code
        for n in range(21)
    ]
    # twenty failures from one address, whatever the header said: the 21st is refused
    assert statuses == [404] * 20 + [429]
    assert set(AuditRecord.objects.filter(action="case.lookup").values_list("ip", flat=True)) == {
        "127.0.0.1"
    }
