"""Fixtures of the case tests: a desk ready to accept, and a settable clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from shequ.core.models import Region, User
from shequ.core.scope import Actor
from shequ.services.cases import Applicant
from shequ.services.models import ServiceItem, Window
from shequ.services.tests.helpers import adopt, make_item, make_window, qualify

BEIJING = ZoneInfo("Asia/Shanghai")
# A valid GB 11643 number (checksum right) and a phone, used as the applicant.
ID_NUMBER = "210302195003150014"
PHONE = "13840001234"


class Clock:
    """``django.utils.timezone.now`` pinned to a Beijing wall-clock time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._now = dt.datetime(2026, 9, 29, 9, 30, tzinfo=BEIJING)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self._now)

    def set(self, day: dt.date | str, hour: int = 9, minute: int = 30) -> None:
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        self._now = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)

    @property
    def today(self) -> dt.date:
        return self._now.date()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


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
