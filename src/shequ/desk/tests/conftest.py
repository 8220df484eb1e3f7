"""Fixtures of the case tests: a desk ready to accept, and a settable clock."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from shequ.core.models import Region, User
from shequ.core.scope import Actor
from shequ.desk.cases.services import Applicant
from shequ.desk.models import ServiceItem, Window
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify

BEIJING = ZoneInfo("Asia/Shanghai")
# A valid GB 11643 number (checksum right) and a phone, used as the applicant.
ID_NUMBER = "210302195003150014"
PHONE = "13840001234"


@dataclass
class Desk:
    community: Region
    other_community: Region
    item: ServiceItem  # 高龄津贴申领: 5 promised working days, 2 key + 1 other material
    window: Window
    other_window: Window
    worker: User
    secretary: User
    worker_actor: Actor
    secretary_actor: Actor


@pytest.fixture
def desk(tree, people) -> Desk:
    item = make_item(tree.district)
    adopt(tree.community, item)
    adopt(tree.other_community, item)
    window = make_window(tree.community)
    other_window = make_window(tree.other_community)
    qualify(people.worker, tree.community)
    qualify(people.secretary, tree.community)
    qualify(people.other_worker, tree.other_community)
    return Desk(
        community=tree.community,
        other_community=tree.other_community,
        item=item,
        window=window,
        other_window=other_window,
        worker=people.worker,
        secretary=people.secretary,
        worker_actor=Actor.for_user(people.worker),
        secretary_actor=Actor.for_user(people.secretary),
    )


def applicant(name: str = "王秀兰", id_number: str = ID_NUMBER, phone: str = PHONE) -> Applicant:
    return Applicant(name=name, id_number=id_number, phone=phone)


ALL_MATERIALS = ["居民身份证", "户口簿", "近期一寸免冠照片"]
