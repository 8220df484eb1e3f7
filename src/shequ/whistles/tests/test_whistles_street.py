"""A street raises a whistle for a place in one of its communities: the
whistle is then that place's community's, numbered from its counter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import Region
from shequ.core.numbering import receipt_next
from shequ.core.scope import Actor
from shequ.whistles.models import Whistle
from shequ.whistles.tests.whistle_helpers import police
from shequ.whistles.whistle.services import whistle_raise

pytestmark = pytest.mark.django_db


def _data(people) -> dict:
    return {
        "title": "背街小巷积水",
        "description": "雨后积水严重，需排水。",
        "category": "sanitation",
        "lead_department_id": police(people).pk,
        "urgency": "normal",
    }


def test_street_raises_for_a_place_the_community_follows(tree, people):
    officer = Actor.for_user(people.street_officer)
    place = Region.objects.get(name="利民小区")
    whistle = whistle_raise(actor=officer, place=place, **_data(people))
    assert whistle.community_id == tree.other_community.pk
    assert whistle.street_id == tree.street.pk
    assert whistle.place_id == place.pk
    assert whistle.raised_by == people.street_officer
    # Numbered from that community's counter: its code, and the next number follows.
    assert whistle.number.startswith("W" + tree.other_community.code)
    assert "W" + receipt_next(community=tree.other_community) > whistle.number
    # A building works too; the community named alongside must match.
    whistle = whistle_raise(actor=officer, place=tree.building, **_data(people))
    assert whistle.community_id == tree.community.pk
    with pytest.raises(ValidationError):
        whistle_raise(
            actor=officer, community=tree.other_community, place=tree.building, **_data(people)
        )


def test_street_cannot_raise_outside_its_communities(tree, people):
    officer = Actor.for_user(people.street_officer)
    far = Region.objects.get(name="老城里小区")
    with pytest.raises(PermissionDenied):
        whistle_raise(actor=officer, place=far, **_data(people))
    worker = Actor.for_user(people.worker)
    with pytest.raises(PermissionDenied):
        whistle_raise(actor=worker, place=Region.objects.get(name="利民小区"), **_data(people))
    assert not Whistle.objects.exists()


def test_street_raise_form_by_place(client, tree, people):
    client.force_login(people.street_officer)
    page = client.get(reverse("whistles:whistle_new")).content.decode()
    assert "利民小区" in page and "老城里小区" not in page
    place = Region.objects.get(name="利民小区")
    response = client.post(
        reverse("whistles:whistle_new"), {"community": "", "place": place.pk, **_data(people)}
    )
    assert response.status_code == 302
    whistle = Whistle.objects.get()
    assert (whistle.community_id, whistle.place_id) == (tree.other_community.pk, place.pk)
    far = Region.objects.get(name="老城里小区")
    response = client.post(
        reverse("whistles:whistle_new"), {"community": "", "place": far.pk, **_data(people)}
    )
    assert response.status_code == 422
    assert "不在您的管辖范围内" in response.content.decode()
    response = client.post(reverse("whistles:whistle_new"), {"community": "", **_data(people)})
    assert response.status_code == 422
    assert Whistle.objects.count() == 1


def test_street_raises_by_place_over_the_api(client, tree, people):
    client.force_login(people.street_officer)
    base = "/api/whistles/whistles/"
    place = Region.objects.get(name="利民小区")
    far = Region.objects.get(name="老城里小区")
    body = {"place_id": place.pk, **_data(people)}
    response = client.post(base, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["community_id"] == tree.other_community.pk
    bad = client.post(base, {**body, "place_id": far.pk}, content_type="application/json")
    assert bad.status_code == 422 and "管辖范围" in bad.json()["detail"]
    assert Whistle.objects.count() == 1
