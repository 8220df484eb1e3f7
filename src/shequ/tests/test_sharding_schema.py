"""The schema is ready to be distributed by district on Citus (core/sharding.py):
every table is classified; every distributed table carries ``district``; its
unique keys include the district; no reference or coordinator-local table
points at a distributed one; and, on PostgreSQL, the plan's key and
foreign-key statements apply to real data — which proves that every row lies
in the district of every row it points at."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, models, transaction

from shequ.core import sharding
from shequ.core.models import RegionLevel
from shequ.core.sharding import Kind, kind_of
from shequ.core.tests.factories import make_region
from shequ.tests.test_every_page import args  # noqa: F401 - the every-page data, a fixture


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _kinds() -> dict[type[models.Model], Kind | None]:
    return {m: kind_of(m) for m in sharding.tables()}


def test_every_table_is_distributed_reference_or_local():
    # given every table of the installed apps, link tables included
    kinds = _kinds()
    # then each has a kind: a table without district that nobody listed fails here
    assert [_label(m) for m, k in kinds.items() if k is None] == []
    # and the lists name only tables that exist, each with a reason
    labels = {_label(m) for m in kinds}
    assert sorted(set(sharding.REFERENCE) - labels) == []
    assert sorted(set(sharding.LOCAL) - labels) == []
    assert all(sharding.REFERENCE.values()) and all(sharding.LOCAL.values())


def test_distributed_tables_carry_the_district():
    # given the tables the plan distributes
    distributed = [m for m, k in _kinds().items() if k is Kind.DISTRIBUTED]
    # then every one has a district column pointing at the region tree, not null
    lacking = [
        _label(m)
        for m in distributed
        if not sharding.has_district(m) or m._meta.get_field("district").null
    ]
    assert lacking == []
    # and these are the tables the issue found without it, now carrying it
    assert {
        "core.receiptcounter",
        "core.regionstat",
        "core.timelineevent",
        "core.announcementread",
        "services.serviceitemversion",
        "deliberation.consultationitemversion",
        "deliberation.secrettally",
        "party.activityphoto",
        "open311.open311ratecount",
        "appeals.appealwhistle",
        "whistles.whistlecooperation",
    } <= {_label(m) for m in distributed}


def _parent_kind(field, kinds) -> Kind | None:
    return kinds.get(field.related_model)


def test_unique_keys_of_distributed_tables_include_the_district():
    kinds = _kinds()
    wrong = []
    for model, kind in kinds.items():
        if kind is not Kind.DISTRIBUTED:
            continue
        opts = model._meta
        for field in opts.concrete_fields:
            if not field.unique or field.primary_key or field.column == sharding.COLUMN:
                continue
            # A one-to-one column is the one allowed form: the plan makes its
            # key (column, district_id). To a distributed parent that changes
            # nothing (the composite foreign key keeps both in one district);
            # to a reference table it widens, and must say why.
            if field.one_to_one:
                widened = _parent_kind(field, kinds) is not Kind.DISTRIBUTED
                if not widened or f"{_label(model)}.{field.name}" in sharding.WIDENED_ONE_TO_ONE:
                    continue
            wrong.append(f"{_label(model)}.{field.name}")
        for fields in opts.unique_together:
            if "district" not in fields:
                wrong.append(f"{_label(model)} unique_together {fields}")
        for constraint in opts.constraints:
            if isinstance(constraint, models.UniqueConstraint) and (
                "district" not in constraint.fields
            ):
                wrong.append(f"{_label(model)} {constraint.name}")
    assert wrong == []


def test_foreign_keys_never_point_from_a_copy_at_a_shard():
    kinds = _kinds()
    wrong = []
    for model, kind in kinds.items():
        for field in sharding.foreign_keys(model):
            parent = _parent_kind(field, kinds)
            pair = (kind, parent)
            if pair in {
                # a reference or local table pointing into one district's shard
                (Kind.REFERENCE, Kind.DISTRIBUTED),
                (Kind.LOCAL, Kind.DISTRIBUTED),
                # a copy on every node pointing at the coordinator alone
                (Kind.REFERENCE, Kind.LOCAL),
                # a shard pointing at the coordinator alone
                (Kind.DISTRIBUTED, Kind.LOCAL),
            }:
                wrong.append(f"{_label(model)}.{field.name} ({kind} → {parent})")
            # between two distributed tables: to the parent's id, which the
            # plan pairs with the district on both sides
            if pair == (Kind.DISTRIBUTED, Kind.DISTRIBUTED) and not field.target_field.primary_key:
                wrong.append(f"{_label(model)}.{field.name} names a column other than the id")
    assert wrong == []


def test_the_plan_puts_every_table_in_one_place_and_the_steps_in_order():
    # given the plan
    plan = sharding.plan()
    tables = {m._meta.db_table for m in sharding.tables()}
    # then every table is in exactly one list
    lists = [set(plan.reference), set(plan.local), set(plan.distributed)]
    assert sum(len(s) for s in lists) == len(tables)
    assert set().union(*lists) == tables
    # and the reference tables come after those they point at
    seen: set[str] = set()
    for table in plan.reference:
        model = next(m for m in sharding.tables() if m._meta.db_table == table)
        for field in sharding.foreign_keys(model):
            parent = field.related_model._meta.db_table
            assert parent == table or parent in seen, (table, parent)
        seen.add(table)
    # and the statements run reference → keys → distribute → foreign keys
    steps = [s.step for s in sharding.statements(plan)]
    assert steps == sorted(steps, key=["reference", "keys", "distribute", "foreign_keys"].index)
    # a case points at its item, and a case's receipt counter is not a parent of anything
    assert (
        sharding.ForeignKey("services_case", "item_id", "services_serviceitem", "id")
        in plan.foreign_keys
    )
    assert ("services_notice", "case_id") in plan.one_to_one


def test_citus_plan_prints_every_table():
    # when the command runs
    out = io.StringIO()
    call_command("citus-plan", stdout=out)
    text = out.getvalue()
    plan = sharding.plan()
    anchor = plan.distributed[0]
    # then it begins with its header and stops psql at the first error
    assert text.startswith("-- Shequ 分库分片（Citus）部署方案")
    assert "\\set ON_ERROR_STOP on\n" in text
    # and distributes every distributed table, colocated with the first
    lines = text.splitlines()
    assert f"SELECT create_distributed_table('{anchor}', 'district_id');" in lines
    for table in plan.distributed[1:]:
        assert (
            f"SELECT create_distributed_table('{table}', 'district_id', colocate_with => '{anchor}');"
            in lines
        ), table
    for table in plan.reference:
        assert f"SELECT create_reference_table('{table}');" in lines
    # and names the coordinator-local ones with their reason, creating nothing for them
    assert "--   core_auditrecord: 审计记录：全平台一条 SM3 哈希链" in text
    assert "core_auditrecord'" not in text
    # and rewrites each foreign key between distributed tables
    assert (
        "ALTER TABLE services_visit ADD CONSTRAINT services_visit_case_id_district_fk "
        "FOREIGN KEY (district_id, case_id) REFERENCES services_case (district_id, id) "
        "DEFERRABLE INITIALLY DEFERRED;"
    ) in lines
    assert text.count("SELECT create_distributed_table(") == len(plan.distributed)
    assert text.count(" ADD CONSTRAINT ") == len(plan.foreign_keys)


# -- on PostgreSQL: the plan's own SQL over real data ---------------------------------------

# Tables the every-page data fills, so the foreign keys below check real rows.
FILLED = (
    "services_case",
    "services_notice",
    "services_review",
    "services_rectification",
    "services_serviceitemversion",
    "appeals_appeal",
    "whistles_whistle",
    "whistles_pairingagreement",
    "deliberation_topic",
    "deliberation_consultationitemversion",
    "party_partymember",
    "party_transfer",
    "party_activityphoto",
    "core_timelineevent",
    "core_receiptcounter",
    "core_regionstat",
    "core_announcement",
    "open311_open311client",
)


def _unique_keys_without_district(cursor, tables: list[str]) -> list[str]:
    cursor.execute(
        """
        SELECT c.relname, i.relname FROM pg_index x
        JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indisunique AND c.relname = ANY(%s)
          AND NOT EXISTS (
              SELECT 1 FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attname = 'district_id'
                AND a.attnum = ANY(x.indkey))
        ORDER BY 1, 2
        """,
        [tables],
    )
    return [f"{t}.{i}" for t, i in cursor.fetchall()]


# A mark, not a skip in the body: the every-page data is not built for nothing.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL (Citus) SQL")
def test_the_plan_applies_to_real_data_on_postgresql(args, tree):  # noqa: F811 - the fixture
    plan = sharding.plan()
    other = make_region(name="城西区", code="210303", level=RegionLevel.DISTRICT)
    with connection.cursor() as cursor:
        # given the data every page shows, in many tables of every app
        counts = {}
        for table in FILLED:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - names from the list above
            counts[table] = cursor.fetchone()[0]
        assert [t for t, n in counts.items() if n == 0] == []
        # and its own deferred foreign keys checked, so DDL may run
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # and today primary keys without the district
        assert "services_case.services_case_pkey" in _unique_keys_without_district(
            cursor, plan.distributed
        )
        with transaction.atomic():
            # when the plan's key and foreign-key statements run (the
            # create_*_table calls need Citus)
            for statement in sharding.statements(plan):
                if statement.step in ("keys", "foreign_keys"):
                    cursor.execute(statement.sql)
            # then no unique key of a distributed table lacks the district
            assert _unique_keys_without_district(cursor, plan.distributed) == []
            # and every composite foreign key stands, having checked every row
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conname = ANY(%s)",
                [[fk.name for fk in plan.foreign_keys]],
            )
            assert cursor.fetchone()[0] == len(plan.foreign_keys) > 100
            # and they bite: a review moved to another district than its case
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(
                    "UPDATE services_review SET district_id = %s WHERE id = (SELECT min(id) FROM services_review)",
                    [other.pk],
                )
            # and so does a photo moved away from its activity
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute("UPDATE party_activityphoto SET district_id = %s", [other.pk])
            transaction.set_rollback(True)
        # and afterwards the schema is Django's again
        assert "services_case.services_case_pkey" in _unique_keys_without_district(
            cursor, plan.distributed
        )
