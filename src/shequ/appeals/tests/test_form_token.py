"""The phone page's appeal form submitted twice makes one appeal (the
one-time form token, core/formtokens.py): one after the other, and two at the
same moment on PostgreSQL."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from shequ.appeals import services
from shequ.appeals.models import Appeal
from shequ.core.formtokens import ALREADY_DONE
from shequ.core.models import AuditRecord, IdempotencyKey

NEW = reverse("appeals:new")


def _token(client: Client) -> str:
    page = client.get(NEW).content.decode()
    found = re.search(r'name="_once" value="([^"]+)"', page)
    assert found, "the appeal form carries no one-time token"
    return found.group(1)


def _form(tree, token: str, **changes) -> dict:
    return {
        "kind": "complaint",
        "category": "sanitation",
        "description": "3单元门口垃圾堆放多日",
        "place": tree.building.pk,
        "_once": token,
    } | changes


def test_the_same_form_twice_makes_one_appeal(client, tree, people, folks):
    # given: the resident's appeal form, once sent
    client.force_login(people.resident)
    token = _token(client)
    first = client.post(NEW, _form(tree, token))
    assert first.status_code == 302

    # when: the same form (the same token) is sent again
    again = client.post(NEW, _form(tree, token), follow=True)

    # then: still one appeal, and the page says the form was already handled
    assert Appeal.objects.count() == 1
    assert again.redirect_chain[0] == (first["Location"], 302)
    assert ALREADY_DONE in again.content.decode()
    # a fresh form makes a second appeal
    assert client.post(NEW, _form(tree, _token(client))).status_code == 302
    assert Appeal.objects.count() == 2


def test_a_refused_form_gives_its_token_back(client, tree, people, folks):
    # given: a form refused for a missing description
    client.force_login(people.resident)
    token = _token(client)
    refused = client.post(NEW, _form(tree, token, description=""))
    assert refused.status_code == 422 and Appeal.objects.count() == 0

    # when: the corrected form is sent with the same token
    fixed = client.post(NEW, _form(tree, token))

    # then: it is accepted once
    assert fixed.status_code == 302 and Appeal.objects.count() == 1
    assert IdempotencyKey.objects.filter(key=token, scope="form:appeals:new").count() == 1


@pytest.mark.parametrize(
    "token", ["short", "x" * 65, "不是令牌不是令牌不是令牌", "a b c d e f g h i j"]
)
def test_a_malformed_token_is_refused_and_nothing_written(client, tree, people, folks, token):
    client.force_login(people.resident)
    audits = AuditRecord.objects.count()
    response = client.post(NEW, _form(tree, token))
    assert response.status_code == 400
    assert "表单已失效" in response.content.decode()
    assert Appeal.objects.count() == 0 and AuditRecord.objects.count() == audits


def test_a_form_without_a_token_is_served_as_before(client, tree, people, folks):
    client.force_login(people.resident)
    form = _form(tree, "")
    del form["_once"]
    assert client.post(NEW, form).status_code == 302
    assert client.post(NEW, form).status_code == 302  # no token, no protection
    assert Appeal.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_the_same_moment_make_one_appeal(tree, people, folks, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is a PostgreSQL test")
    # given: two tabs of one phone holding the same form; the first one's
    # write is slow, so the second arrives while the first is inside it
    inside = threading.Event()
    original = services.appeal_create

    def slow_create(**kwargs):
        appeal = original(**kwargs)
        inside.set()
        time.sleep(0.5)
        return appeal

    monkeypatch.setattr(services, "appeal_create", slow_create)
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(people.resident)
    token = _token(tabs[0])
    answers: list = [None, None]

    def send(i: int) -> None:
        try:
            answers[i] = tabs[i].post(NEW, _form(tree, token))
        finally:
            connection.close()

    first = threading.Thread(target=send, args=(0,))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=send, args=(1,))
    second.start()
    first.join(20)
    second.join(20)

    # then: one appeal; both tabs were sent to the same result
    assert Appeal.objects.count() == 1
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
