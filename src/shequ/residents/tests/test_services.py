import datetime as dt

import pytest

from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, RegionStat
from shequ.core.permissions import Role
from shequ.core.pii import blind_index, decrypt
from shequ.core.tests.factories import actor_for, user_with
from shequ.residents import services
from shequ.residents.models import Household, Relation, Resident, ResidentTag, Tag
from shequ.residents.tests import helpers

ID_A = helpers.id_number(11, dt.date(1958, 3, 9))  # a man (odd 17th digit)
ID_B = helpers.id_number(22, dt.date(1990, 12, 1))  # a woman


def stat(region) -> tuple[int, int]:
    row = RegionStat.objects.filter(region=region).first()
    return (row.residents, row.households) if row else (0, 0)


def register(actor, unit, **kw):
    fields = {"room": "101", "name": "王建国", "id_number": ID_A, "relation": Relation.HEAD}
    fields.update(kw)
    return services.resident_register(actor=actor, unit=unit, **fields)


def test_create_derives_gender_and_birth_and_encrypts(tree, people):
    # given a community worker
    actor = actor_for(people.worker)
    # when a resident is registered at a new door
    r = register(actor, tree.unit, phone="138 0013 8000", tags=[Tag.VETERAN, Tag.LOW_INCOME])
    # then gender and birth date come from the ID number, numbers are encrypted
    r.refresh_from_db()
    assert (r.gender, r.birth_date) == ("M", dt.date(1958, 3, 9))
    assert decrypt(r.id_number_enc) == ID_A
    assert decrypt(r.phone_enc) == "13800138000"
    assert r.id_number_index == blind_index(ID_A, purpose="id_number")
    assert (r.id_number_tail, r.id_region_code, r.phone_head, r.phone_tail) == (
        ID_A[-4:],
        "110101",
        "138",
        "8000",
    )
    assert sorted(r.tag_rows.values_list("tag", "community_id")) == [
        ("low_income", tree.community.pk),
        ("veteran", tree.community.pk),
    ]
    # and the household was created and both counted up the tree
    assert Household.objects.get().room == "101"
    assert stat(tree.unit) == (1, 1)
    assert stat(tree.community) == (1, 1)
    assert stat(tree.district) == (1, 1)
    assert stat(tree.other_community) == (0, 0)


def test_create_audit_holds_masked_numbers_only(tree, people):
    actor = actor_for(people.worker)
    r = register(actor, tree.unit, phone="13800138000")
    record = AuditRecord.objects.get(action="resident.create")
    assert record.object_id == str(r.pk)
    assert record.changes["id_number"] == "110101********" + ID_A[-4:]
    assert record.changes["phone"] == "138****8000"
    assert record.region_id == tree.unit.pk
    text = str(list(AuditRecord.objects.values_list("changes", "object_repr", "message")))
    assert ID_A not in text
    assert "13800138000" not in text
    assert AuditRecord.objects.filter(action="household.create").count() == 1


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (ID_A[:17] + ("0" if ID_A[17] != "0" else "1"), "身份证号校验位不正确，请核对号码。"),
        ("110101199902300014", "身份证号中的出生日期 1999-02-30 不存在。"),
        ("11010119800517001", "身份证号应为18位，当前为17位。"),
    ],
)
def test_bad_id_number_is_refused_and_nothing_written(tree, people, number, message):
    actor = actor_for(people.worker)
    home = helpers.household(tree.unit)
    with pytest.raises(ValidationError) as caught:
        services.resident_create(
            actor=actor, household=home, name="李四", id_number=number, relation=Relation.HEAD
        )
    assert caught.value.message == message
    assert caught.value.field == "id_number"
    assert Resident.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_duplicate_id_in_one_community_is_refused(tree, people):
    # given 张三丰 registered in the community
    helpers.resident(tree.unit, name="张三丰", number=ID_A)
    actor = actor_for(people.worker)
    home = helpers.household(tree.unit2, "202")
    # when the same ID number is registered again in another unit of that community
    with pytest.raises(ValidationError) as caught:
        services.resident_create(
            actor=actor, household=home, name="张三", id_number=ID_A, relation=Relation.HEAD
        )
    # then it is refused in Chinese and nothing is written
    assert caught.value.message == "该身份证号已在本社区登记（居民：张**）。"
    assert Resident.objects.count() == 1
    assert stat(tree.unit2) == (0, 1)


def test_same_id_in_another_community_is_allowed(tree, people):
    helpers.resident(tree.unit, number=ID_A)
    actor = actor_for(people.other_worker)
    home = helpers.household(tree.other_unit)
    r = services.resident_create(
        actor=actor, household=home, name="王五", id_number=ID_A, relation=Relation.HEAD
    )
    assert r.community_id == tree.other_community.pk
    assert Resident.objects.count() == 2


def test_duplicate_under_a_race_is_caught_from_the_constraint(tree, people, monkeypatch):
    # given the pre-check misses a row another clerk committed meanwhile
    helpers.resident(tree.unit, name="赵敏", number=ID_A)
    monkeypatch.setattr(services, "_check_duplicate", lambda *a, **k: None)
    actor = actor_for(people.worker)
    home = helpers.household(tree.unit, "102")
    # when the insert hits the unique constraint
    with pytest.raises(ValidationError) as caught:
        services.resident_create(
            actor=actor, household=home, name="赵四", id_number=ID_A, relation=Relation.HEAD
        )
    # then the same Chinese message, and nothing half-written
    assert caught.value.message == "该身份证号已在本社区登记（居民：赵*）。"
    assert Resident.objects.count() == 1
    assert stat(tree.unit) == (1, 2)  # the fixture's two doors, one resident


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "23800138000", "138001380001"])
def test_bad_phone_is_refused(tree, people, phone):
    actor = actor_for(people.worker)
    with pytest.raises(ValidationError) as caught:
        register(actor, tree.unit, phone=phone)
    assert caught.value.message == "手机号应为11位大陆手机号码（1开头，第二位为3至9）。"
    assert (Resident.objects.count(), Household.objects.count()) == (0, 0)


def test_only_one_head_per_household(tree, people):
    actor = actor_for(people.worker)
    register(actor, tree.unit, name="王建国")
    with pytest.raises(ValidationError) as caught:
        register(actor, tree.unit, name="刘芳", id_number=ID_B)
    assert caught.value.message == "该户已有户主（王**），一户只能有一位户主。"
    assert Resident.objects.count() == 1
    register(actor, tree.unit, name="刘芳", id_number=ID_B, relation=Relation.SPOUSE)
    assert Resident.objects.count() == 2


def test_sensitive_tags_need_the_permission(tree, people):
    # given a user who may register but not see sensitive tags (a custom grant)
    from shequ.core import permissions

    perms = set(permissions.ROLE_PERMISSIONS[Role.COMMUNITY_WORKER]) - {"resident.sensitive_tags"}
    actor = actor_for(people.worker)
    actor.grant.role = "limited"
    permissions.ROLE_PERMISSIONS["limited"] = frozenset(perms)
    try:
        with pytest.raises(PermissionDenied) as caught:
            register(actor, tree.unit, tags=[Tag.DISABLED])
        assert caught.value.message == "您没有设置敏感标签（低保、残疾、特殊家庭）的权限。"
        assert Resident.objects.count() == 0
        r = register(actor, tree.unit, tags=[Tag.VETERAN])
        assert list(r.tag_rows.values_list("tag", flat=True)) == ["veteran"]
    finally:
        del permissions.ROLE_PERMISSIONS["limited"]


def test_create_outside_scope_is_refused(tree, people):
    actor = actor_for(people.worker)
    home = helpers.household(tree.other_unit)
    with pytest.raises(PermissionDenied) as caught:
        services.resident_create(
            actor=actor, household=home, name="钱七", id_number=ID_A, relation=Relation.HEAD
        )
    assert caught.value.message == "该区划不在您的管辖范围内。"
    assert Resident.objects.count() == 0


@pytest.mark.parametrize("who", ["street_officer", "building_head", "inspector", "resident"])
def test_create_needs_the_permission(tree, people, who):
    actor = actor_for(getattr(people, who))
    with pytest.raises(PermissionDenied):
        register(actor, tree.unit)
    assert (Resident.objects.count(), Household.objects.count()) == (0, 0)


def test_update_changes_id_phone_tags_and_audits_masked(tree, people):
    actor = actor_for(people.worker)
    r = register(actor, tree.unit, phone="13800138000", tags=[Tag.LOW_INCOME, Tag.VETERAN])
    services.resident_update(
        actor=actor,
        resident=r,
        name="王建华",
        id_number=ID_B,
        phone="",
        tags=[Tag.LIVES_ALONE, Tag.LOW_INCOME],
    )
    r.refresh_from_db()
    assert (r.name, r.gender, r.birth_date) == ("王建华", "F", dt.date(1990, 12, 1))
    assert decrypt(r.id_number_enc) == ID_B
    assert (r.phone_enc, r.phone_index, r.phone_tail) == (None, "", "")
    assert sorted(r.tag_rows.values_list("tag", flat=True)) == ["lives_alone", "low_income"]
    record = AuditRecord.objects.get(action="resident.update")
    assert record.changes == {
        "name": ["王建国", "王建华"],
        "id_number": ["110101********" + ID_A[-4:], "110101********" + ID_B[-4:]],
        "phone": ["138****8000", ""],
        "tags": [["低保", "退役军人"], ["低保", "独居"]],
    }


def test_update_keeps_sensitive_tags_the_actor_cannot_see(tree, people):
    from shequ.core import permissions

    r = helpers.resident(tree.unit, tags=[Tag.DISABLED, Tag.VETERAN])
    actor = actor_for(people.worker)
    actor.grant.role = "limited"
    permissions.ROLE_PERMISSIONS["limited"] = frozenset(
        set(permissions.ROLE_PERMISSIONS[Role.COMMUNITY_WORKER]) - {"resident.sensitive_tags"}
    )
    try:
        services.resident_update(actor=actor, resident=r, tags=[Tag.PARTY_MEMBER])
    finally:
        del permissions.ROLE_PERMISSIONS["limited"]
    assert sorted(r.tag_rows.values_list("tag", flat=True)) == ["disabled", "party_member"]


def test_update_to_a_registered_id_is_refused(tree, people):
    helpers.resident(tree.unit, name="孙悟空", number=ID_A, room="101")
    r = helpers.resident(tree.unit, name="猪八戒", number=ID_B, room="102")
    with pytest.raises(ValidationError) as caught:
        services.resident_update(actor=actor_for(people.worker), resident=r, id_number=ID_A)
    assert caught.value.message == "该身份证号已在本社区登记（居民：孙**）。"
    r.refresh_from_db()
    assert decrypt(r.id_number_enc) == ID_B
    assert AuditRecord.objects.filter(action="resident.update").count() == 0


def test_update_by_another_community_worker_is_refused(tree, people):
    r = helpers.resident(tree.unit, name="唐僧")
    with pytest.raises(PermissionDenied):
        services.resident_update(actor=actor_for(people.other_worker), resident=r, name="沙僧")
    r.refresh_from_db()
    assert r.name == "唐僧"


def test_unmask_returns_numbers_and_is_audited(tree, people):
    r = helpers.resident(tree.unit, number=ID_A, phone="13912345678")
    actor = actor_for(people.secretary)
    assert services.resident_unmask(actor=actor, resident=r) == (ID_A, "13912345678")
    record = AuditRecord.objects.get(action="resident.unmask")
    assert (record.user_id, record.object_id, record.success) == (
        people.secretary.pk,
        str(r.pk),
        True,
    )
    assert record.changes == {
        "fields": ["id_number", "phone"],
        "id_number": "110101********" + ID_A[-4:],
    }


@pytest.mark.parametrize("who", ["building_head", "street_officer", "inspector", "other_worker"])
def test_unmask_is_refused_without_permission_or_scope(tree, people, who):
    r = helpers.resident(tree.unit, number=ID_A)
    with pytest.raises(PermissionDenied):
        services.resident_unmask(actor=actor_for(getattr(people, who)), resident=r)
    assert AuditRecord.objects.filter(action="resident.unmask").count() == 0


def test_household_create_and_duplicate_door(tree, people):
    actor = actor_for(people.worker)
    services.household_create(actor=actor, unit=tree.unit, room="301")
    with pytest.raises(ValidationError) as caught:
        services.household_create(actor=actor, unit=tree.unit, room="301")
    assert caught.value.message == "1单元301室已有住户。"
    with pytest.raises(ValidationError) as caught:
        services.household_create(actor=actor, unit=tree.building, room="302")
    assert caught.value.message == "住户只能设在单元下，请选择单元。"
    assert Household.objects.count() == 1
    assert stat(tree.unit) == (0, 1)


def test_move_within_community_updates_counts(tree, people):
    a = helpers.resident(tree.unit, seq=1, room="101")
    helpers.resident(tree.unit, seq=2, room="101")
    home = a.household
    services.household_move(
        actor=actor_for(people.worker), household=home, unit=tree.unit2, room="502"
    )
    home.refresh_from_db()
    assert (home.unit_id, home.room, home.community_id) == (tree.unit2.pk, "502", tree.community.pk)
    assert stat(tree.unit) == (0, 0)
    assert stat(tree.unit2) == (2, 1)
    assert stat(tree.community) == (2, 1)
    record = AuditRecord.objects.get(action="household.move")
    assert record.changes == {
        "address": ["化机小区1号楼1单元101室", "化机小区1号楼2单元502室"],
        "members": 2,
    }


def test_move_into_another_community_moves_members_and_tags(tree, people):
    # given a worker whose grant covers the whole street
    mover = actor_for(user_with(Role.COMMUNITY_WORKER, tree.street, "street_worker"))
    a = helpers.resident(tree.unit, seq=1, tags=[Tag.LIVES_ALONE])
    helpers.resident(tree.unit, seq=2)
    # when the household moves to 利民社区
    services.household_move(actor=mover, household=a.household, unit=tree.other_unit, room="101")
    # then every denormalised community column follows
    assert set(Resident.objects.values_list("community_id", flat=True)) == {tree.other_community.pk}
    assert list(ResidentTag.objects.values_list("community_id", flat=True)) == [
        tree.other_community.pk
    ]
    assert stat(tree.community) == (0, 0)
    assert stat(tree.other_community) == (2, 1)
    assert stat(tree.street) == (2, 1)


def test_move_refused_when_target_community_has_the_id(tree, people):
    mover = actor_for(user_with(Role.COMMUNITY_WORKER, tree.street, "street_worker"))
    a = helpers.resident(tree.unit, number=ID_A, name="周芷若")
    helpers.resident(tree.other_unit, number=ID_A, name="周芷若")
    with pytest.raises(ValidationError) as caught:
        services.household_move(
            actor=mover, household=a.household, unit=tree.other_unit, room="909"
        )
    assert caught.value.message == "迁入社区已登记了本户成员的身份证号（居民：周**），不能迁移。"
    a.refresh_from_db()
    assert a.community_id == tree.community.pk
    assert stat(tree.community) == (1, 1)


def test_move_out_of_scope_is_refused(tree, people):
    a = helpers.resident(tree.unit)
    with pytest.raises(PermissionDenied):
        services.household_move(
            actor=actor_for(people.worker), household=a.household, unit=tree.far_unit, room="101"
        )
    with pytest.raises(PermissionDenied):
        services.household_move(
            actor=actor_for(people.building_head),
            household=a.household,
            unit=tree.unit2,
            room="101",
        )
    a.household.refresh_from_db()
    assert (a.household.unit_id, a.household.room) == (tree.unit.pk, "101")


def test_move_onto_an_occupied_door_is_refused(tree, people):
    a = helpers.resident(tree.unit, seq=1, room="101")
    helpers.resident(tree.unit, seq=2, room="102")
    with pytest.raises(ValidationError) as caught:
        services.household_move(
            actor=actor_for(people.worker), household=a.household, unit=tree.unit, room="102"
        )
    assert caught.value.message == "1单元102室已有住户，不能迁入。"


def test_notfound_is_a_domain_error():
    # the selectors' NotFound carries a status the pages and API turn into 404
    assert NotFound("x").status == 404


def test_tags_carry_their_district_like_every_scoped_row(tree, people):
    # given a resident registered through the service with two tags
    household = services.household_ensure(
        actor=actor_for(people.worker), unit=tree.unit, room="301"
    )
    services.resident_create(
        actor=actor_for(people.worker),
        household=household,
        name="孙丽",
        id_number=helpers.id_number(41),
        relation="head",
        tags=[Tag.LIVES_ALONE, Tag.VETERAN],
    )
    # then each tag row names the district and the community (the sharding and scope keys)
    assert set(ResidentTag.objects.values_list("district_id", "community_id")) == {
        (tree.district.pk, tree.community.pk)
    }
