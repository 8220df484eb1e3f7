import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.models import RegionLevel
from shequ.core.tests.factories import actor_for, make_region
from shequ.residents import selectors, services
from shequ.residents.models import Relation, Tag
from shequ.residents.tests import helpers

TODAY = dt.date(2026, 6, 15)


def names(qs) -> list[str]:
    return sorted(r.name for r in qs)


def test_worker_sees_own_community_only(tree, people):
    helpers.resident(tree.unit, name="甲", seq=1)
    helpers.resident(tree.other_unit, name="乙", seq=2)
    helpers.resident(tree.far_unit, name="丙", seq=3)
    assert names(selectors.resident_list(actor=actor_for(people.worker))) == ["甲"]
    assert names(selectors.resident_list(actor=actor_for(people.street_officer))) == ["乙", "甲"]
    assert names(selectors.resident_list(actor=actor_for(people.district_admin))) == [
        "丙",
        "乙",
        "甲",
    ]
    with pytest.raises(PermissionDenied):
        selectors.resident_list(actor=actor_for(people.inspector))


def test_building_head_sees_own_building_only(tree, people):
    # given a second building in the same compound
    b2 = make_region(
        name="2号楼", code="210302001001001002", level=RegionLevel.BUILDING, parent=tree.compound
    )
    u = make_region(name="1单元", code="21030200100100100201", level=RegionLevel.UNIT, parent=b2)
    helpers.resident(tree.unit, name="一号楼住户", seq=1)
    other = helpers.resident(u, name="二号楼住户", seq=2)
    actor = actor_for(people.building_head)
    assert names(selectors.resident_list(actor=actor)) == ["一号楼住户"]
    with pytest.raises(NotFound):
        selectors.resident_get(actor=actor, resident_id=other.pk)
    with pytest.raises(NotFound):
        selectors.household_get(actor=actor, household_id=other.household_id)


def test_search_by_name_full_id_and_full_phone(tree, people):
    number = helpers.id_number(7, dt.date(1975, 1, 2))
    helpers.resident(tree.unit, name="欧阳修", number=number, phone="13711112222")
    helpers.resident(tree.unit, name="欧阳锋", seq=8, room="102")
    helpers.resident(tree.unit, name="李白", seq=9, room="103")
    actor = actor_for(people.worker)
    assert names(selectors.resident_list(actor=actor, q="欧阳")) == ["欧阳修", "欧阳锋"]
    assert names(selectors.resident_list(actor=actor, q="阳锋")) == ["欧阳锋"]
    assert names(selectors.resident_list(actor=actor, q=number)) == ["欧阳修"]
    assert names(selectors.resident_list(actor=actor, q=number.lower())) == ["欧阳修"]
    assert names(selectors.resident_list(actor=actor, q="137 1111 2222")) == ["欧阳修"]
    # a partial number matches nothing: numbers are found only whole
    assert names(selectors.resident_list(actor=actor, q=number[:10])) == []
    assert names(selectors.resident_list(actor=actor, q="1371111")) == []


def test_blind_index_does_not_cross_communities(tree, people):
    number = helpers.id_number(7)
    helpers.resident(tree.other_unit, name="外社区", number=number)
    assert names(selectors.resident_list(actor=actor_for(people.worker), q=number)) == []


def test_building_and_tag_filters(tree, people):
    helpers.resident(tree.unit, name="独居老人", seq=1, tags=[Tag.LIVES_ALONE])
    helpers.resident(tree.unit2, name="低保户", seq=2, tags=[Tag.LOW_INCOME])
    actor = actor_for(people.worker)
    assert names(selectors.resident_list(actor=actor, tag=Tag.LIVES_ALONE)) == ["独居老人"]
    assert names(selectors.resident_list(actor=actor, tag=Tag.LOW_INCOME)) == ["低保户"]
    assert names(selectors.resident_list(actor=actor, building=tree.building)) == [
        "低保户",
        "独居老人",
    ]


def test_sensitive_tags_hidden_from_building_head(tree, people):
    helpers.resident(tree.unit, name="甲", tags=[Tag.LOW_INCOME, Tag.VETERAN])
    head = actor_for(people.building_head)
    (row,) = selectors.resident_list(actor=head)
    assert [t.tag for t in row.visible_tags] == ["veteran"]
    with pytest.raises(PermissionDenied):
        selectors.resident_list(actor=head, tag=Tag.LOW_INCOME)
    (row,) = selectors.resident_list(actor=actor_for(people.worker))
    assert [t.tag for t in row.visible_tags] == ["low_income", "veteran"]
    assert ("low_income", "低保") not in selectors.tag_filter_choices(head)
    assert ("low_income", "低保") in selectors.tag_filter_choices(actor_for(people.worker))


def test_derived_age_tags_on_a_fixed_date(tree, people):
    # given residents turning 60 and 80 around 2026-06-15
    helpers.resident(tree.unit, name="刚满六十", seq=1, birth=dt.date(1966, 6, 15))
    helpers.resident(tree.unit, name="明天六十", seq=2, birth=dt.date(1966, 6, 16))
    helpers.resident(tree.unit, name="八十整", seq=3, birth=dt.date(1946, 6, 15))
    helpers.resident(tree.unit, name="年轻人", seq=4, birth=dt.date(1990, 1, 1))
    actor = actor_for(people.worker)
    assert names(selectors.resident_list(actor=actor, tag="60+", today=TODAY)) == [
        "八十整",
        "刚满六十",
    ]
    assert names(selectors.resident_list(actor=actor, tag="80+", today=TODAY)) == ["八十整"]
    assert selectors.age_tag(dt.date(1966, 6, 16), TODAY) is None
    assert selectors.age_tag(dt.date(1966, 6, 15), TODAY) == "60+"
    assert selectors.age_tag(dt.date(1946, 6, 15), TODAY) == "80+"


def test_derived_tags_use_the_shanghai_date(tree, people, monkeypatch):
    # given the Shanghai calendar is on 2026-06-15 (UTC may still be the 14th)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    helpers.resident(tree.unit, name="刚满六十", seq=1, birth=dt.date(1966, 6, 15))
    actor = actor_for(people.worker)
    assert names(selectors.resident_list(actor=actor, tag="60+")) == ["刚满六十"]
    assert selectors.local_today() == TODAY


def test_leap_day_birthdays(tree, people):
    assert selectors.years_before(dt.date(2028, 2, 29), 60) == dt.date(1968, 2, 29)
    assert selectors.years_before(dt.date(2028, 2, 29), 61) == dt.date(1967, 2, 28)


def test_raw_sql_holds_no_plaintext_numbers(tree, people):
    # given residents registered through the service
    actor = actor_for(people.worker)
    numbers = [helpers.id_number(i, dt.date(1960 + i, 2, 3)) for i in range(1, 4)]
    phones = ["13800000001", "15912345678", "18698765432"]
    for i, (n, p) in enumerate(zip(numbers, phones, strict=True)):
        services.resident_register(
            actor=actor,
            unit=tree.unit,
            room=f"10{i}",
            name=f"居民{i}",
            id_number=n,
            phone=p,
            relation=Relation.HEAD,
        )
    # when the table is read behind the application's back
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM residents_resident")
        rows = cursor.fetchall()
    dump = repr(rows)
    decoded = " ".join(
        bytes(v).decode("latin-1") for row in rows for v in row if isinstance(v, bytes | memoryview)
    )
    # then no ID or phone number, nor its birth-date part, appears anywhere
    assert len(rows) == 3
    for n in numbers:
        assert n not in dump and n not in decoded
        assert n[6:14] not in dump
    for p in phones:
        assert p not in dump and p not in decoded


def test_blind_index_finds_by_full_id(tree, people):
    number = helpers.id_number(5, dt.date(1950, 10, 1))
    r = helpers.resident(tree.unit, number=number)
    found = selectors.resident_list(actor=actor_for(people.worker), q=number)
    assert [x.pk for x in found] == [r.pk]


def test_community_counts_from_rollup(tree, people):
    helpers.resident(tree.unit, seq=1, room="101")
    helpers.resident(tree.unit, seq=2, room="101")
    helpers.resident(tree.other_unit, seq=3, room="101")
    counts = selectors.community_counts(actor=actor_for(people.street_officer))
    assert [(c.community.name, c.residents, c.households) for c in counts] == [
        ("站前社区", 2, 1),
        ("利民社区", 1, 1),
    ]
    assert selectors.community_counts(actor=actor_for(people.building_head)) == []
