"""`shequ generate`: the benchmark data set, checked at the small scale."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from shequ.core.idcard import parse_id_number
from shequ.core.models import AuditRecord, Grant, Region, RegionLevel, RegionStat
from shequ.core.permissions import Role
from shequ.core.pii import blind_index, decrypt
from shequ.core.tests.factories import UserFactory
from shequ.demo.scale import SCALES, generate
from shequ.residents.models import Household, Resident, ResidentTag

pytestmark = pytest.mark.django_db

BENCH = "210399"


def run_generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def bench_counts() -> dict[str, int]:
    counts = {
        RegionLevel(lv).label: Region.objects.filter(district__code=BENCH, level=lv).count()
        for lv in RegionLevel.values
    }
    counts["住户"] = Household.objects.filter(district__code=BENCH).count()
    counts["居民"] = Resident.objects.filter(district__code=BENCH).count()
    return counts


SMALL = {
    "区": 1,
    "街道": 1,
    "社区": 3,
    "小区": 6,
    "楼栋": 30,
    "单元": 60,
    "住户": 771,
    "居民": 2000,
}


def test_generate_small_builds_exact_counts():
    # when
    output = run_generate()

    # then
    assert bench_counts() == SMALL
    district = Region.objects.get(code=BENCH)
    assert district.name == "基准区"
    assert "各阶段用时" in output
    communities = Region.objects.filter(district=district, level=RegionLevel.COMMUNITY)
    assert sorted(communities.values_list("population_served", "households_served")) == [
        (666, 257),
        (667, 257),
        (667, 257),
    ]
    assert AuditRecord.objects.filter(action="bench.generate").count() == 1


def test_generate_small_rollups_equal_the_rows():
    # when
    run_generate()

    # then: every region's RegionStat equals a count of the rows under it
    district = Region.objects.get(code=BENCH)
    stats = {s.region_id: s for s in RegionStat.objects.filter(region__district=district)}
    assert len(stats) == 101
    for region in Region.objects.filter(district=district):
        subtree = {f"household__unit__{region.ancestor_field or 'id'}": region.pk}
        if region.level == RegionLevel.UNIT:
            subtree = {"household__unit": region.pk}
        residents = Resident.objects.filter(**subtree).count()
        households = Household.objects.filter(
            **{k.removeprefix("household__"): v for k, v in subtree.items()}
        ).count()
        assert (stats[region.pk].residents, stats[region.pk].households) == (
            residents,
            households,
        )
    assert (stats[district.pk].residents, stats[district.pk].households) == (2000, 771)


def test_generate_small_residents_are_valid_and_encrypted():
    # when
    run_generate()

    # then
    residents = Resident.objects.filter(district__code=BENCH).select_related("household")
    heads = 0
    for resident in residents:
        number = parse_id_number(decrypt(resident.id_number_enc))
        assert (number.birth_date, number.gender) == (resident.birth_date, resident.gender)
        assert resident.id_number_index == blind_index(number.value, purpose="id_number")
        assert (resident.id_number_tail, resident.id_region_code) == (
            number.value[-4:],
            number.value[:6],
        )
        if resident.phone_enc is not None:
            phone = decrypt(resident.phone_enc)
            assert resident.phone_index == blind_index(phone, purpose="phone")
            assert (resident.phone_head, resident.phone_tail) == (phone[:3], phone[-4:])
        assert resident.community_id == resident.household.community_id
        heads += resident.relation == "head"
    assert heads == 771
    tags = ResidentTag.objects.filter(community__district__code=BENCH).select_related("resident")
    assert tags.exists()
    assert all(t.community_id == t.resident.community_id for t in tags)


def test_generate_skips_an_existing_district_and_changes_nothing():
    # given
    run_generate()
    last_audit = AuditRecord.objects.aggregate(m=Max("id"))["m"]
    ids = set(Resident.objects.values_list("id", flat=True))

    # when
    output = run_generate()

    # then
    assert "已存在，未做任何改动" in output
    assert bench_counts() == SMALL
    assert set(Resident.objects.values_list("id", flat=True)) == ids
    assert AuditRecord.objects.aggregate(m=Max("id"))["m"] == last_audit


def test_generate_replace_rebuilds_and_leaves_the_demo_alone():
    # given: the demo district next to the benchmark district
    call_command("demo", residents=40, stdout=StringIO())
    run_generate()
    old_ids = set(Resident.objects.filter(district__code=BENCH).values_list("id", flat=True))
    demo = Resident.objects.filter(district__code="210302").count()

    # when
    run_generate("--replace")

    # then
    assert bench_counts() == SMALL
    new_ids = set(Resident.objects.filter(district__code=BENCH).values_list("id", flat=True))
    assert not old_ids & new_ids
    assert Resident.objects.filter(district__code="210302").count() == demo == 40
    assert RegionStat.objects.get(region__code="210302").residents == 40
    assert RegionStat.objects.get(region__code=BENCH).residents == 2000


def test_generate_replace_refuses_while_accounts_hold_grants_there():
    # given
    run_generate()
    community = Region.objects.filter(district__code=BENCH, level=RegionLevel.COMMUNITY).first()
    Grant.objects.create(user=UserFactory(), role=Role.COMMUNITY_WORKER, region=community)
    ids = set(Resident.objects.values_list("id", flat=True))

    # when
    with pytest.raises(CommandError, match="还有账号授权"):
        run_generate("--replace")

    # then
    assert set(Resident.objects.values_list("id", flat=True)) == ids


def test_generate_fast_load_restores_indexes_and_constraints():
    # given
    tables = [m._meta.db_table for m in (Household, Resident, ResidentTag)]

    def constraints() -> dict[str, dict]:
        with connection.cursor() as cursor:
            return {
                t: {
                    name: (c["columns"], c["unique"], c["index"], c["foreign_key"])
                    for name, c in connection.introspection.get_constraints(cursor, t).items()
                }
                for t in tables
            }

    before = constraints()

    # when
    result = generate(scale=SCALES["small"], fast_load=True)

    # then
    assert (result.households, result.residents) == (771, 2000)
    assert constraints() == before
    assert bench_counts() == SMALL
    # and the unique ID-per-community rule still holds
    twin = Resident.objects.filter(district__code=BENCH).first()
    twin.pk = None
    twin.user = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_generate_in_worker_processes_gives_the_same_rows():
    # given: an in-process run, rolled back
    def rows() -> list[tuple]:
        return list(
            Resident.objects.filter(district__code=BENCH)
            .order_by("id")
            .values_list("name", "id_number_index", "phone_index", "relation", "household__room")
        )

    with transaction.atomic():
        generate(scale=SCALES["small"], workers=0)
        in_process = rows()
        transaction.set_rollback(True)

    # when
    generate(scale=SCALES["small"], workers=2)

    # then
    assert rows() == in_process
    assert len(in_process) == 2000
