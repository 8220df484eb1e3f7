"""The query-count check the list tests share: measured with two rows,
asserted again with twelve."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.models import User


def assert_flat(client, url: str, fill: Callable[[int], None], shown: Callable, assert_num) -> None:
    """Given two rows, the count measured; when twelve, the same count asserted;
    ``shown(page, n)`` checks the rows are there (an HTML page's text, or an
    endpoint's JSON)."""

    def get():
        response = client.get(url)
        assert response.status_code == 200
        return response.json() if url.startswith("/api/") else response.content.decode()

    def fresh_session() -> None:
        # fill() moves the clock by hours: past the staff idle timeout
        # (core/sessions.py), so sign in again and warm the session.
        client.force_login(User.objects.get(pk=client.session["_auth_user_id"]))
        client.get(url)

    fill(2)
    fresh_session()
    with CaptureQueriesContext(connection) as small:
        page = get()
    measured = len(small.captured_queries)  # the next request resets the log
    shown(page, 2)
    fill(10)
    fresh_session()
    with assert_num(measured):
        page = get()
    shown(page, 12)
