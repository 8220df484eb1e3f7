"""Fixtures of the appeal tests: a settable clock, a private media root, the
test resident linked to their account, and image bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from shequ.core.models import User
from shequ.core.scope import Actor
from shequ.residents.models import Relation, Resident
from shequ.residents.tests.helpers import resident as make_resident

BEIJING = ZoneInfo("Asia/Shanghai")
PHONE = "13840001234"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Folks:
    resident: Resident  # linked to people.resident, lives in tree.unit
    neighbour: Resident  # another resident of the community, with an account
    neighbour_user: User
    resident_actor: Actor
    neighbour_actor: Actor
    worker: Actor
    secretary: Actor
    other_worker: Actor
    building_head: Actor


@pytest.fixture
def folks(tree, people) -> Folks:
    from shequ.core.permissions import Role
    from shequ.core.tests.factories import user_with

    me = make_resident(tree.unit, name="王秀兰", seq=11, phone=PHONE, relation=Relation.HEAD)
    me.user = people.resident
    me.save(update_fields=["user"])
    neighbour_user = user_with(Role.RESIDENT, tree.community, "neighbour")
    neighbour = make_resident(tree.unit2, name="李强", seq=12, phone="13900005678", room="202")
    neighbour.user = neighbour_user
    neighbour.save(update_fields=["user"])
    return Folks(
        resident=me,
        neighbour=neighbour,
        neighbour_user=neighbour_user,
        resident_actor=Actor.for_user(people.resident),
        neighbour_actor=Actor.for_user(neighbour_user),
        worker=Actor.for_user(people.worker),
        secretary=Actor.for_user(people.secretary),
        other_worker=Actor.for_user(people.other_worker),
        building_head=Actor.for_user(people.building_head),
    )


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (8, 8), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()
