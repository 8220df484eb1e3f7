"""Test data for the resident register, written straight to the tables (the
services are what the tests examine, so fixtures do not go through them)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from openpyxl import Workbook

from shequ.core.idcard import make_id_number, parse_id_number
from shequ.core.models import Region
from shequ.residents.models import Household, Relation, Resident, ResidentTag
from shequ.residents.rollups import region_stats_bump
from shequ.residents.services import id_columns, phone_columns

REGION6 = "110101"


def id_number(seq: int, birth: dt.date = dt.date(1980, 5, 17), region: str = REGION6) -> str:
    return make_id_number(region, birth, seq)


def household(unit: Region, room: str = "101") -> Household:
    found = Household.objects.filter(unit=unit, room=room).first()
    if found:
        return found
    region_stats_bump(unit=unit, households=1)
    return Household.objects.create(
        district_id=unit.district_id,
        community_id=unit.community_id,
        building_id=unit.building_id,
        unit=unit,
        room=room,
    )


def resident(
    unit: Region,
    *,
    name: str = "张伟",
    number: str | None = None,
    seq: int = 1,
    birth: dt.date = dt.date(1980, 5, 17),
    phone: str = "",
    room: str = "101",
    relation: str = Relation.OTHER,
    tags: Iterable[str] = (),
) -> Resident:
    home = household(unit, room)
    parsed = parse_id_number(number or id_number(seq, birth))
    r = Resident.objects.create(
        district_id=unit.district_id,
        community_id=unit.community_id,
        household=home,
        name=name,
        relation=relation,
        **id_columns(parsed),
        **phone_columns(phone),
    )
    for tag in tags:
        ResidentTag.objects.create(
            resident=r, tag=tag, community_id=unit.community_id, district_id=unit.district_id
        )
    region_stats_bump(unit=unit, residents=1)
    return r


def xlsx(
    rows: list[list], *, header: list[str] | None = None, sheet: str = "居民信息"
) -> io.BytesIO:
    from shequ.residents.excel import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(COLUMNS if header is None else header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer
