"""Every API operation, called with junk by an anonymous client and by a
logged-in worker, answers 4xx with a Chinese ``detail`` — never a 500."""

import json
import re

from shequ.api import api

JUNK_BODIES = [{}, {"name": "<b>x</b>", "id_number": "1" * 18, "region_id": -1, "role": "王"}]


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, path


def test_api_refuses_junk_with_a_4xx(client, people):
    seen = 0
    for who in (None, people.worker):
        client.logout()
        if who is not None:
            client.force_login(who)
        for method, path in _operations():
            for value in ("-1", "999999999", "abc"):
                url = re.sub(r"\{[^}]+\}", value, path) + "?page=-5&limit=abc&q=%25"
                for body in JUNK_BODIES:
                    if method in {"get", "delete"}:
                        response = getattr(client, method)(url)
                    else:
                        response = getattr(client, method)(
                            url, data=json.dumps(body), content_type="application/json"
                        )
                    seen += 1
                    assert response.status_code < 500, (method, url, body, response.status_code)
                    if response.status_code >= 400 and response.status_code != 405:
                        assert response["Content-Type"].startswith("application/json"), (
                            method,
                            url,
                            response.status_code,
                            response.content[:200],
                        )
                        assert "detail" in response.json(), (method, url)
    assert seen > 50


def test_unknown_addresses_answer_in_chinese(client):
    api_miss = client.get("/api/nowhere")
    assert (api_miss.status_code, api_miss.json()) == (404, {"detail": "接口地址不存在。"})
    page_miss = client.get("/nowhere/")
    assert page_miss.status_code == 404 and "页面不存在" in page_miss.content.decode()
