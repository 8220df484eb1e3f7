"""Resident-register lists whose query count must not grow with their rows
(STYLE 7). The resident list page, the household page and the resident list
endpoint are covered in test_views.py and test_api.py; this adds the
household list endpoint."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.tests.factories import actor_for
from shequ.residents.services import household_create

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/residents/households"


def test_household_endpoint_query_count_does_not_grow(
    client, tree, people, django_assert_num_queries
):
    # given two households, one in each unit of 1号楼
    worker = actor_for(people.worker)

    def register(n: int, start: int) -> None:
        for i in range(start, start + n):
            unit = tree.unit if i % 2 == 0 else tree.unit2
            household_create(actor=worker, unit=unit, room=f"{100 + i}")

    register(2, 1)
    client.force_login(people.worker)
    client.get(HOUSEHOLDS)  # warm the session
    with CaptureQueriesContext(connection) as small:
        response = client.get(HOUSEHOLDS)
    assert response.status_code == 200
    assert [h["address"] for h in response.json()] == [
        "化机小区1号楼1单元102室",
        "化机小区1号楼2单元101室",
    ]

    # when ten more are registered
    register(10, 3)

    # then the endpoint takes exactly as many queries
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(HOUSEHOLDS)
    assert response.status_code == 200
    rooms = sorted(int(h["room"]) for h in response.json())
    assert rooms == list(range(101, 113))
    assert all(h["address"].startswith("化机小区1号楼") for h in response.json())
