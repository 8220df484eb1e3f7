"""Region services and pages: add, edit, move a subtree, the tree page."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.idcard import make_id_number
from shequ.core.models import AuditRecord, Region, RegionLevel, RegionStat
from shequ.core.permissions import Role
from shequ.core.pii import blind_index, encrypt
from shequ.core.services.regions import region_create, region_move, region_update
from shequ.core.tests.factories import actor_for, make_region, user_with
from shequ.residents.models import Gender, Household, Relation, Resident, ResidentTag, Tag
from shequ.residents.rollups import region_stats_rebuild


def make_household(unit: Region, room: str) -> Household:
    return Household.objects.create(
        district_id=unit.district_id,
        community_id=unit.community_id,
        building_id=unit.building_id,
        unit=unit,
        room=room,
    )


def make_resident(
    household: Household, name: str, seq: int, tags: tuple[str, ...] = ()
) -> Resident:
    id_number = make_id_number("210302", dt.date(1960, 1, 1) + dt.timedelta(days=seq), seq)
    resident = Resident.objects.create(
        district_id=household.district_id,
        community_id=household.community_id,
        household=household,
        name=name,
        id_number_enc=encrypt(id_number),
        id_number_index=blind_index(id_number, purpose="id_number"),
        id_number_tail=id_number[-4:],
        id_region_code=id_number[:6],
        gender=Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE,
        birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=seq),
        relation=Relation.HEAD,
    )
    for tag in tags:
        ResidentTag.objects.create(
            resident=resident,
            tag=tag,
            community_id=resident.community_id,
            district_id=resident.district_id,
        )
    return resident


def snapshot() -> list[tuple]:
    """Everything a refused region write must leave as it was."""
    return [
        list(
            Region.objects.order_by("pk").values_list(
                "pk",
                "code",
                "name",
                "parent_id",
                "district_id",
                "street_id",
                "community_id",
                "compound_id",
                "building_id",
                "population_served",
                "households_served",
            )
        ),
        list(
            Household.objects.order_by("pk").values_list(
                "pk", "district_id", "community_id", "building_id", "unit_id"
            )
        ),
        list(Resident.objects.order_by("pk").values_list("pk", "district_id", "community_id")),
        list(ResidentTag.objects.order_by("pk").values_list("pk", "community_id")),
        list(RegionStat.objects.order_by("pk").values_list("pk", "residents", "households")),
    ]


def stat(region: Region) -> tuple[int, int]:
    row = RegionStat.objects.get(region=region)
    return row.residents, row.households


# -- region_create -------------------------------------------------------------------


def test_create_community_fills_ancestors_stat_and_audit(tree, people):
    # given the district admin
    actor = actor_for(people.district_admin)
    # when a community is added under 站前街道
    region = region_create(
        actor=actor,
        parent=tree.street,
        name="新时代社区",
        code="210302001003",
        population_served=5000,
        households_served=1800,
    )
    # then it sits one level down with every ancestor column, itself included
    region.refresh_from_db()
    assert region.level == RegionLevel.COMMUNITY
    assert (region.district_id, region.street_id, region.community_id) == (
        tree.district.pk,
        tree.street.pk,
        region.pk,
    )
    assert (region.compound_id, region.building_id) == (None, None)
    assert (region.population_served, region.households_served) == (5000, 1800)
    assert stat(region) == (0, 0)
    record = AuditRecord.objects.get(action="region.create")
    assert record.object_id == str(region.pk)
    assert record.changes["code"] == "210302001003"


def test_create_unit_under_building_uses_two_digit_segment(tree, people):
    # given a building
    actor = actor_for(people.district_admin)
    # when a unit is added with building code + 2 digits
    unit = region_create(
        actor=actor, parent=tree.building, name="3单元", code="21030200100100100103"
    )
    # then it carries the building and compound of its parent
    unit.refresh_from_db()
    assert unit.level == RegionLevel.UNIT
    assert (unit.building_id, unit.compound_id, unit.community_id) == (
        tree.building.pk,
        tree.compound.pk,
        tree.community.pk,
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("21030200100", "社区的区划代码应为 12 位数字，例如 210302001001。"),
        ("21030200100a", "社区的区划代码应为 12 位数字，例如 210302001001。"),
        ("210302002009", "区划代码应以上级“站前街道”的代码 210302001 开头。"),
        ("210302001000", "区划代码的本级部分不能全为 0。"),
        ("210302001002", "区划代码 210302001002 已被“利民社区”使用。"),
    ],
)
def test_create_with_bad_code_is_refused_and_changes_nothing(tree, people, code, message):
    # given the district admin and the tree as it is
    actor = actor_for(people.district_admin)
    before = snapshot()
    # when a community with a malformed or taken code is added
    with pytest.raises(ValidationError) as refused:
        region_create(actor=actor, parent=tree.street, name="新社区", code=code)
    # then the message names the problem and nothing changed
    assert refused.value.message == message
    assert refused.value.field == "code"
    assert snapshot() == before


def test_create_refuses_duplicate_sibling_name_unit_child_and_served_below_community(tree, people):
    actor = actor_for(people.district_admin)
    before = snapshot()
    with pytest.raises(ValidationError) as dup:
        region_create(actor=actor, parent=tree.street, name="利民社区", code="210302001009")
    assert dup.value.message == "“站前街道”下已有名为“利民社区”的社区。"
    with pytest.raises(ValidationError) as leaf:
        region_create(actor=actor, parent=tree.unit, name="x", code="2103020010010010010101")
    assert leaf.value.message == "单元之下不能再设下级区划。"
    with pytest.raises(ValidationError) as served:
        region_create(
            actor=actor,
            parent=tree.community,
            name="新小区",
            code="210302001001002",
            population_served=10,
        )
    assert served.value.message == "只有社区填写服务人口和服务户数。"
    assert snapshot() == before


def test_create_needs_region_manage_and_scope(tree, people):
    # given a street officer (no region.manage) and an admin of another district
    other = make_region(name="城西区", code="210303", level=RegionLevel.DISTRICT)
    other_admin = user_with(Role.DISTRICT_ADMIN, other, "other_admin")
    before = snapshot()
    # when each adds a community under 站前街道
    with pytest.raises(PermissionDenied) as no_perm:
        region_create(
            actor=actor_for(people.street_officer),
            parent=tree.street,
            name="新社区",
            code="210302001003",
        )
    with pytest.raises(PermissionDenied) as no_scope:
        region_create(
            actor=actor_for(other_admin), parent=tree.street, name="新社区", code="210302001003"
        )
    # then both are refused and nothing changed
    assert no_perm.value.message == "您没有“维护区划”的权限。"
    assert no_scope.value.message == "该区划不在您的管辖范围内。"
    assert snapshot() == before


# -- region_update -------------------------------------------------------------------


def test_update_renames_sets_served_and_recodes_the_subtree(tree, people):
    actor = actor_for(people.district_admin)
    # when 站前社区 gets a new code and served figures
    region_update(
        actor=actor,
        region=tree.community,
        name="站前新社区",
        code="210302001007",
        population_served=9000,
        households_served=3100,
    )
    # then its descendants' codes follow the new prefix
    tree.community.refresh_from_db()
    assert (tree.community.name, tree.community.code) == ("站前新社区", "210302001007")
    assert (tree.community.population_served, tree.community.households_served) == (9000, 3100)
    assert Region.objects.get(pk=tree.compound.pk).code == "210302001007001"
    assert Region.objects.get(pk=tree.unit2.pk).code == "21030200100700100102"
    record = AuditRecord.objects.get(action="region.update")
    assert record.changes["code"] == ["210302001001", "210302001007"]
    assert record.changes["population_served"] == [8000, 9000]


def test_update_refuses_more_households_than_people(tree, people):
    actor = actor_for(people.district_admin)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        region_update(
            actor=actor,
            region=tree.community,
            name="站前社区",
            code="210302001001",
            population_served=100,
            households_served=101,
        )
    assert refused.value.message == "服务户数不能多于服务人口。"
    assert snapshot() == before


# -- region_move ---------------------------------------------------------------------


@pytest.fixture
def register(tree):
    """Two households with residents in 化机小区, one in 利民小区, stats rebuilt."""
    h1 = make_household(tree.unit, "101")
    h2 = make_household(tree.unit2, "201")
    h3 = make_household(tree.other_unit, "301")
    make_resident(h1, "张伟", 1, tags=(Tag.LIVES_ALONE,))
    make_resident(h1, "王芳", 2)
    make_resident(h2, "李娜", 3, tags=(Tag.VETERAN,))
    make_resident(h3, "刘洋", 4)
    region_stats_rebuild()
    return h1, h2, h3


def test_move_compound_to_another_community_moves_subtree_register_and_stats(
    tree, people, register
):
    # given 化机小区 (2 households, 3 residents) in 站前社区
    actor = actor_for(people.district_admin)
    assert stat(tree.community) == (3, 2) and stat(tree.other_community) == (1, 1)
    # when it moves to 利民社区 with a free code
    region_move(
        actor=actor,
        region=tree.compound,
        new_parent=tree.other_community,
        new_code="210302001002002",
    )
    # then the compound, its building and units belong to 利民社区, codes re-prefixed
    moved = Region.objects.filter(
        pk__in=[tree.compound.pk, tree.building.pk, tree.unit.pk, tree.unit2.pk]
    ).order_by("level", "code")
    assert [(r.code, r.community_id, r.street_id) for r in moved] == [
        ("210302001002002", tree.other_community.pk, tree.street.pk),
        ("210302001002002001", tree.other_community.pk, tree.street.pk),
        ("21030200100200200101", tree.other_community.pk, tree.street.pk),
        ("21030200100200200102", tree.other_community.pk, tree.street.pk),
    ]
    assert Region.objects.get(pk=tree.compound.pk).parent_id == tree.other_community.pk
    # and the households, residents and tags went with it
    h1, h2, h3 = register
    assert set(Household.objects.values_list("community_id", flat=True)) == {
        tree.other_community.pk
    }
    assert set(Resident.objects.values_list("community_id", flat=True)) == {tree.other_community.pk}
    assert set(ResidentTag.objects.values_list("community_id", flat=True)) == {
        tree.other_community.pk
    }
    # and the rollups of both communities (and the unchanged street) are exact
    assert stat(tree.community) == (0, 0)
    assert stat(tree.other_community) == (4, 3)
    assert stat(tree.street) == (4, 3)
    assert stat(tree.district) == (4, 3)
    record = AuditRecord.objects.get(action="region.move")
    assert record.changes["parent"] == ["站前社区", "利民社区"]
    assert record.changes["households"] == 2 and record.changes["residents"] == 3


def test_move_keeps_own_code_segment_by_default_and_refuses_a_clash(tree, people):
    actor = actor_for(people.district_admin)
    before = snapshot()
    # 化机小区 (…001) under 利民社区 would become 210302001002001: 利民小区 holds it
    with pytest.raises(ValidationError) as clash:
        region_move(actor=actor, region=tree.compound, new_parent=tree.other_community)
    assert clash.value.message == "区划代码 210302001002001 已被“利民小区”使用。"
    assert snapshot() == before
    # 站前社区 (…001001) under 铁塔街道 becomes …002 + 001: also taken (铁塔社区)
    # 利民社区 (…001002) under 铁塔街道 becomes 210302002002: free
    region_move(actor=actor, region=tree.other_community, new_parent=tree.other_street)
    moved = Region.objects.get(pk=tree.other_community.pk)
    assert (moved.code, moved.street_id) == ("210302002002", tree.other_street.pk)
    assert Region.objects.get(pk=tree.other_unit.pk).street_id == tree.other_street.pk
    assert Region.objects.get(pk=tree.other_unit.pk).code == "21030200200200100101"


def test_move_unit_to_another_building_moves_household_building(tree, people, register):
    actor = actor_for(people.district_admin)
    _, h2, _ = register
    far_building = Region.objects.get(code="210302002001001001")
    # when 化机小区 1号楼 2单元 moves to 铁塔社区's building, keeping its segment
    region_move(actor=actor, region=tree.unit2, new_parent=far_building)
    # then the unit has the new code and its household lives in that building
    assert Region.objects.get(pk=tree.unit2.pk).code == "21030200200100100102"
    h2.refresh_from_db()
    assert (h2.building_id, h2.community_id) == (far_building.pk, tree.far_community.pk)
    assert set(Resident.objects.filter(household=h2).values_list("community_id", flat=True)) == {
        tree.far_community.pk
    }
    assert stat(tree.community) == (2, 1)
    assert stat(tree.far_community) == (1, 1)
    assert stat(tree.other_street) == (1, 1)
    assert stat(tree.street) == (3, 2)
    assert stat(tree.district) == (4, 3)


def test_move_under_own_child_is_refused_and_changes_nothing(tree, people, register):
    actor = actor_for(people.district_admin)
    before = snapshot()
    for target in (tree.compound, tree.building, tree.community):
        with pytest.raises(ValidationError) as refused:
            region_move(actor=actor, region=tree.community, new_parent=target)
        assert refused.value.message == "不能把区划移到它自己或它的下级之下。"
    assert snapshot() == before


def test_move_refuses_wrong_level_same_parent_and_the_district(tree, people):
    actor = actor_for(people.district_admin)
    before = snapshot()
    with pytest.raises(ValidationError) as level:
        region_move(actor=actor, region=tree.compound, new_parent=tree.street)
    assert level.value.message == "小区只能迁移到社区之下。"
    with pytest.raises(ValidationError) as same:
        region_move(actor=actor, region=tree.compound, new_parent=tree.community)
    assert same.value.message == "“化机小区”已在“站前社区”之下。"
    with pytest.raises(ValidationError) as root:
        region_move(actor=actor, region=tree.district, new_parent=tree.street)
    assert root.value.message == "区是区划树的根，不能迁移。"
    assert snapshot() == before


def test_move_outside_scope_is_refused(tree, people):
    # given an admin of another district with a street of its own
    other = make_region(name="城西区", code="210303", level=RegionLevel.DISTRICT)
    other_street = make_region(
        name="西街道", code="210303001", level=RegionLevel.STREET, parent=other
    )
    other_admin = user_with(Role.DISTRICT_ADMIN, other, "other_admin")
    before = snapshot()
    # when he moves 城东区's community under his street, and 城东区's admin the reverse
    with pytest.raises(PermissionDenied) as theirs:
        region_move(actor=actor_for(other_admin), region=tree.community, new_parent=other_street)
    with pytest.raises(PermissionDenied) as ours:
        region_move(
            actor=actor_for(people.district_admin), region=tree.community, new_parent=other_street
        )
    # then both are refused: old and new parent must both be in scope
    assert (
        theirs.value.message == ours.value.message == "迁移的原上级和新上级都必须在您的管辖范围内。"
    )
    assert snapshot() == before


_SEQ = itertools.count(100)


def _grow(unit_parent: Region, n_units: int, start: int) -> None:
    for i in range(n_units):
        unit = make_region(
            name=f"{start + i}单元",
            code=f"{unit_parent.code}{start + i:02d}",
            level=RegionLevel.UNIT,
            parent=unit_parent,
        )
        for room in range(3):
            make_resident(make_household(unit, f"{room + 1}01"), f"居民{i}{room}", next(_SEQ))


def test_move_query_count_does_not_grow_with_the_subtree(tree, people):
    actor = actor_for(people.district_admin)
    target_a = make_region(
        name="新社区甲", code="210302001005", level=RegionLevel.COMMUNITY, parent=tree.street
    )
    target_b = make_region(
        name="新社区乙", code="210302001006", level=RegionLevel.COMMUNITY, parent=tree.street
    )
    # a small compound and a big one
    small = make_region(
        name="小小区", code="210302001001005", level=RegionLevel.COMPOUND, parent=tree.community
    )
    small_b = make_region(
        name="1号楼", code="210302001001005001", level=RegionLevel.BUILDING, parent=small
    )
    _grow(small_b, 1, 1)
    big = make_region(
        name="大小区", code="210302001001006", level=RegionLevel.COMPOUND, parent=tree.community
    )
    for b in range(3):
        building = make_region(
            name=f"{b + 1}号楼",
            code=f"210302001001006{b + 1:03d}",
            level=RegionLevel.BUILDING,
            parent=big,
        )
        _grow(building, 4, 1)
    region_stats_rebuild()
    with CaptureQueriesContext(connection) as small_move:
        region_move(actor=actor, region=small, new_parent=target_a)
    with CaptureQueriesContext(connection) as big_move:
        region_move(actor=actor, region=big, new_parent=target_b)
    assert len(big_move) == len(small_move)
    assert stat(target_b) == (36, 36)
    assert Household.objects.filter(community=target_b).count() == 36


# -- pages ---------------------------------------------------------------------------


def test_tree_page_shows_scope_root_children_and_rolled_up_counts(client, tree, people, register):
    # given the street officer of 站前街道
    client.force_login(people.street_officer)
    # when he opens the tree
    response = client.get(reverse("core:regions"))
    # then his street is the root and its two communities are listed with counts
    assert response.status_code == 200
    html = response.content.decode()
    assert "站前街道" in html and "站前社区" in html and "利民社区" in html
    assert "铁塔" not in html
    assert response.context["root"].n_residents == 4
    rows = {
        r.name: (r.n_residents, r.n_households, r.population_served)
        for r in response.context["rows"]
    }
    assert rows == {"站前社区": (3, 2, 8000), "利民社区": (1, 1, 6000)}


def test_tree_children_load_with_htmx_and_stay_in_scope(client, tree, people):
    client.force_login(people.street_officer)
    url = reverse("core:regions")
    children = client.get(url, {"parent": tree.community.pk}, HTTP_HX_REQUEST="true")
    assert children.status_code == 200
    assert [r.name for r in children.context["rows"]] == ["化机小区"]
    assert "<html" not in children.content.decode()
    outside = client.get(url, {"parent": tree.far_community.pk}, HTTP_HX_REQUEST="true")
    assert outside.status_code == 404
    assert "区划不存在或不在您的管辖范围内。" in outside.content.decode()


def test_tree_page_query_count_does_not_grow_with_children(
    client, tree, people, django_assert_num_queries
):
    client.force_login(people.district_admin)
    url = reverse("core:regions")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"parent": tree.street.pk}, HTTP_HX_REQUEST="true")
    for i in range(3, 13):
        make_region(
            name=f"社区{i}",
            code=f"210302001{i:03d}",
            level=RegionLevel.COMMUNITY,
            parent=tree.street,
        )
    with django_assert_num_queries(len(few)):
        response = client.get(url, {"parent": tree.street.pk}, HTTP_HX_REQUEST="true")
    assert len(response.context["rows"]) == 12


def test_detail_page_query_count_does_not_grow(client, tree, people, django_assert_num_queries):
    client.force_login(people.district_admin)
    url = reverse("core:region_detail", args=[tree.building.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(3, 9):
        make_region(
            name=f"{i}单元",
            code=f"{tree.building.code}{i:02d}",
            level=RegionLevel.UNIT,
            parent=tree.building,
        )
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["rows"]) == 8


def test_add_page_creates_a_community(client, tree, people):
    client.force_login(people.district_admin)
    url = reverse("core:region_add", args=[tree.street.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["code"] == "210302001003"
    response = client.post(
        url,
        {
            "name": "新时代社区",
            "code": "210302001003",
            "population_served": "5000",
            "households_served": "1800",
        },
    )
    region = Region.objects.get(code="210302001003")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:region_detail", args=[region.pk])
    assert (region.name, region.population_served, region.street_id) == (
        "新时代社区",
        5000,
        tree.street.pk,
    )


def test_add_page_shows_code_error_and_audits_the_refusal(client, tree, people):
    client.force_login(people.district_admin)
    before = snapshot()
    response = client.post(
        reverse("core:region_add", args=[tree.street.pk]), {"name": "新社区", "code": "2103020010"}
    )
    assert response.status_code == 422
    assert "社区的区划代码应为 12 位数字，例如 210302001001。" in response.content.decode()
    assert snapshot() == before
    refusal = AuditRecord.objects.get(action="region.create")
    assert (refusal.success, refusal.message) == (
        False,
        "社区的区划代码应为 12 位数字，例如 210302001001。",
    )


def test_edit_page_saves(client, tree, people):
    client.force_login(people.district_admin)
    url = reverse("core:region_edit", args=[tree.community.pk])
    assert client.get(url).context["form"].initial["population_served"] == 8000
    response = client.post(
        url,
        {
            "name": "站前社区",
            "code": "210302001001",
            "population_served": "8100",
            "households_served": "3000",
        },
    )
    assert response.status_code == 302
    assert Region.objects.get(pk=tree.community.pk).population_served == 8100


def test_move_page_lists_valid_parents_and_moves(client, tree, people, register):
    client.force_login(people.district_admin)
    url = reverse("core:region_move", args=[tree.other_community.pk])
    page = client.get(url)
    # the select offers the other street only (not the current parent)
    assert [t.name for t in page.context["targets"]] == ["铁塔街道"]
    response = client.post(url, {"new_parent": tree.other_street.pk, "new_code": ""})
    assert response.status_code == 302
    assert Region.objects.get(pk=tree.other_community.pk).parent_id == tree.other_street.pk
    assert stat(tree.other_street) == (1, 1)


def test_move_page_under_own_child_shows_message_and_changes_nothing(
    client, tree, people, register
):
    client.force_login(people.district_admin)
    before = snapshot()
    response = client.post(
        reverse("core:region_move", args=[tree.community.pk]), {"new_parent": tree.compound.pk}
    )
    assert response.status_code == 422
    assert "不能把区划移到它自己或它的下级之下。" in response.content.decode()
    assert snapshot() == before
    assert AuditRecord.objects.get(action="region.move").success is False


# -- permission matrix over the region pages ------------------------------------------

PAGES = [
    ("get", "core:regions", "tree"),
    ("get", "core:region_detail", "community"),
    ("get", "core:region_add", "street"),
    ("post", "core:region_add", "street"),
    ("get", "core:region_edit", "community"),
    ("post", "core:region_edit", "community"),
    ("get", "core:region_move", "other_community"),
    ("post", "core:region_move", "other_community"),
]


def _request(client, tree, method, name, target):
    args = [] if target == "tree" else [getattr(tree, target).pk]
    url = reverse(name, args=args)
    data = {
        "core:region_add": {"name": "新社区", "code": "210302001003"},
        "core:region_edit": {"name": "改名社区", "code": "210302001001"},
        "core:region_move": {"new_parent": tree.other_street.pk},
    }.get(name, {})
    return getattr(client, method)(url, data if method == "post" else None)


# Read pages: anyone with region.view sees his own scope; a region outside it
# is 404. Write pages need region.manage (district admin).
EXPECTED = {
    "anonymous": {"read": 302, "tree": 302, "write": 302},
    "resident": {"read": 403, "tree": 403, "write": 403},
    "audit_admin": {"read": 403, "tree": 403, "write": 403},
    "other_worker": {"read": 404, "tree": 200, "write": 403},
    "other_street_officer": {"read": 404, "tree": 200, "write": 403},
    "district_admin": {"read": 200, "tree": 200, "write": None},
}


@pytest.mark.parametrize(("method", "name", "target"), PAGES)
@pytest.mark.parametrize("who", list(EXPECTED))
def test_region_pages_permission_matrix(client, tree, people, method, name, target, who):
    # given a caller of each kind
    if who != "anonymous":
        client.force_login(getattr(people, who))
    before = snapshot()
    # when it requests the page
    response = _request(client, tree, method, name, target)
    # then only the right role passes, and a refused request changed nothing
    kind = {"core:regions": "tree", "core:region_detail": "read"}.get(name, "write")
    expected = EXPECTED[who][kind]
    if expected is None:  # the right role
        assert response.status_code == (302 if method == "post" else 200)
        return
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("core:login"))
    assert snapshot() == before


def test_worker_sees_only_his_community_in_the_tree(client, tree, people):
    client.force_login(people.other_worker)
    response = client.get(reverse("core:regions"))
    assert response.context["root"].pk == tree.other_community.pk
    assert [r.name for r in response.context["rows"]] == ["利民小区"]


def test_pages_refuse_a_region_outside_the_scope_and_audit_the_post(client, tree, people):
    # given the admin of another district
    other = make_region(name="城西区", code="210303", level=RegionLevel.DISTRICT)
    client.force_login(user_with(Role.DISTRICT_ADMIN, other, "other_admin"))
    before = snapshot()
    # when he posts a move of 城东区's community and opens its edit page
    moved = client.post(
        reverse("core:region_move", args=[tree.other_community.pk]),
        {"new_parent": tree.other_street.pk},
    )
    edit = client.get(reverse("core:region_edit", args=[tree.community.pk]))
    # then both are refused with the scope message; the POST is audited
    assert (moved.status_code, edit.status_code) == (403, 403)
    assert "该区划不在您的管辖范围内。" in moved.content.decode()
    assert snapshot() == before
    refusal = AuditRecord.objects.get(action="region.move")
    assert (refusal.success, refusal.username) == (False, "other_admin")
