"""Bulk writing for the scale generator: id allocation, COPY / executemany,
dropping and restoring indexes around a load, deleting a whole district.

Table and column names in the SQL below come from model metadata, never from
input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from shequ.appeals.models import Appeal, AppealPhoto, AppealSupporter, AppealWhistle
from shequ.core.errors import Conflict
from shequ.core.models import (
    Announcement,
    AnnouncementRead,
    Grant,
    Notification,
    OutboxMessage,
    ReceiptCounter,
    Region,
    RegionStat,
    TimelineEvent,
)
from shequ.deliberation.models import (
    AgendaItem,
    Ballot,
    ConsultationAdoption,
    ConsultationItem,
    ConsultationItemVersion,
    Invitee,
    Meeting,
    Objection,
    Outcome,
    OutcomeReview,
    OutcomeTask,
    SecretTally,
    Topic,
    TopicCosign,
    TopicPhoto,
)
from shequ.desk.models import (
    Case,
    CaseStat,
    CommunityItem,
    Notice,
    Qualification,
    Rectification,
    Review,
    ServiceItem,
    ServiceItemVersion,
    Visit,
    Window,
    WindowDuty,
)
from shequ.open311.models import Open311Client, Open311RateCount, Open311Submission
from shequ.party.models import (
    ActivityPhoto,
    BuildingHead,
    FeedbackLetter,
    HouseholdVisit,
    LinkedBody,
    MemberReportIn,
    Need,
    NeedClaim,
    OrgRole,
    PartyMember,
    PartyOrg,
    PartyRules,
    ServiceLog,
    Station,
    StationActivity,
    StationDuty,
    StationHours,
    StationMonth,
    StationOpening,
    StationRoom,
    Transfer,
    UnitReportIn,
)
from shequ.residents.models import Household, Resident, ResidentTag
from shequ.whistles.models import (
    Commitment,
    Department,
    Liaison,
    PairingAction,
    PairingAgreement,
    QuarterRating,
    Unit,
    Whistle,
    WhistleCooperation,
    WhistleDispute,
    WhistleRule,
)


def column_names(model, fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in fields]


def allocate_ids(model, n: int) -> Sequence[int]:
    """``n`` fresh primary keys for ``model``'s table."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: this transaction holds the write lock, nobody else inserts.
        top_sql = f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}"  # noqa: S608
        cursor.execute(top_sql)
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return range(start, start + n)


def write(model, fields: Sequence[str], rows: list[tuple]) -> None:
    """Append ``rows`` (values in ``fields`` order) to ``model``'s table."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(c) for c in column_names(model, fields))
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        connection.ensure_connection()
        marks = ", ".join("?" * len(fields))
        insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        connection.connection.executemany(insert, rows)


def delete_district(district: Region) -> None:
    """Remove the district and everything under it, table by table. The
    generator's own accounts (``bench-<community code>-…``) lose their grants
    and qualifications there and are kept for the next run."""
    own = Grant.objects.filter(region__district=district, user__username__startswith="bench-")
    if Grant.objects.filter(region__district=district).exclude(pk__in=own).exists():
        raise Conflict(
            f"{district.name}（{district.code}）下还有账号授权，不能删除重建；请先收回这些授权。"
        )
    qn = connection.ops.quote_name
    own.delete()
    in_district = "district_id = %s"
    ConsultationItem.objects.filter(district=district).update(current_version=None)
    # Every scoped table carries its district (core/sharding.py).
    statements = [
        # The platform's own records of the district: history and the workbench
        (TimelineEvent, in_district),
        (AnnouncementRead, in_district),
        (Announcement, in_district),
        (Notification, in_district),
        (OutboxMessage, in_district),
        # 党建引领 first: visits name appeals, services pairing actions, report-ins units
        (ActivityPhoto, in_district),
        (StationMonth, in_district),
        (StationActivity, in_district),
        (StationOpening, in_district),
        (StationDuty, in_district),
        (StationHours, in_district),
        (StationRoom, in_district),
        (Station, in_district),
        (HouseholdVisit, in_district),
        (BuildingHead, in_district),
        (FeedbackLetter, in_district),
        (ServiceLog, in_district),
        (NeedClaim, in_district),
        (Need, in_district),
        (MemberReportIn, in_district),
        (UnitReportIn, in_district),
        (Transfer, in_district),
        (OrgRole, in_district),
        (LinkedBody, in_district),
        (PartyMember, in_district),
        (PartyOrg, in_district),
        (PartyRules, in_district),
        # 议事协商 next: outcome tasks name whistles, outcomes departments and units
        (OutcomeReview, in_district),
        (OutcomeTask, in_district),
        (Outcome, in_district),
        (Objection, in_district),
        (SecretTally, in_district),
        (Ballot, in_district),
        (AgendaItem, in_district),
        (Invitee, in_district),
        (Meeting, in_district),
        (TopicCosign, in_district),
        (TopicPhoto, in_district),
        (ConsultationAdoption, in_district),
        (AppealWhistle, in_district),
        (WhistleCooperation, in_district),
        (WhistleDispute, in_district),
        (Whistle, in_district),
        (AppealSupporter, in_district),
        (AppealPhoto, in_district),
        (Appeal, in_district),
        (Topic, in_district),  # after the appeals put to deliberation
        (ConsultationItemVersion, in_district),
        (ConsultationItem, in_district),
        (Open311RateCount, in_district),
        (Open311Submission, in_district),
        (Open311Client, in_district),
        (PairingAction, in_district),
        (QuarterRating, in_district),
        (Commitment, in_district),
        (PairingAgreement, in_district),
        (Liaison, in_district),
        (WhistleRule, in_district),
        (Department, in_district),
        (Unit, in_district),
        (Rectification, in_district),
        (Review, in_district),
        (Visit, in_district),
        (Notice, in_district),
        (Case, in_district),
        (CaseStat, in_district),
        (ReceiptCounter, in_district),
        (WindowDuty, in_district),
        (Qualification, in_district),
        (Window, in_district),
        (CommunityItem, in_district),
    ]
    with connection.cursor() as cursor:
        for model, where in statements:
            cursor.execute(
                f"DELETE FROM {qn(model._meta.db_table)} WHERE {where}",  # noqa: S608
                [district.pk],
            )
    ServiceItem.objects.filter(district=district).update(current_version=None)
    ServiceItemVersion.objects.filter(district=district).delete()
    ServiceItem.objects.filter(district=district).delete()
    statements = [
        (ResidentTag, "district_id = %s"),
        (Resident, "district_id = %s"),
        (Household, "district_id = %s"),
        (RegionStat, "district_id = %s"),
        (Region, "district_id = %s"),
    ]
    with connection.cursor() as cursor:
        for model, where in statements:
            cursor.execute(
                f"DELETE FROM {qn(model._meta.db_table)} WHERE {where}",  # noqa: S608
                [district.pk],
            )


_PG_INDEXES = """
    SELECT ic.relname, pg_get_indexdef(ix.indexrelid)
    FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid
    WHERE ix.indrelid = %s::regclass AND NOT ix.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid)
"""
_PG_FOREIGN_KEYS = """
    SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = %s::regclass AND contype = 'f'
"""
_SQLITE_INDEXES = """
    SELECT name, sql FROM sqlite_master
    WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL
"""


def drop_indexes(models: Sequence[Any]) -> list[str]:
    """Drop the secondary indexes (and on PostgreSQL the foreign keys) of
    ``models`` for the load and recreate them from their own catalog
    definitions afterwards: building an index once from sorted rows is many
    times faster than maintaining it row by row, and re-adding a foreign key
    checks all rows in one join instead of one lookup per row at COMMIT (the
    "Populating a Database" advice of the PostgreSQL manual). The DDL is part
    of the load's transaction, so a failed load restores everything, and the
    re-created unique indexes and foreign keys still check every new row.
    The tables stay locked against other writers (and on PostgreSQL readers)
    until the load commits. Returns the statements that restore them."""
    qn = connection.ops.quote_name
    restore: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fire pending deferred checks now: ALTER TABLE refuses tables with
            # pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            foreign_keys = []
            for model in models:
                table = model._meta.db_table
                cursor.execute(_PG_INDEXES, [table])
                for name, definition in cursor.fetchall():
                    restore.append(definition)
                    cursor.execute(f"DROP INDEX {qn(name)}")
                cursor.execute(_PG_FOREIGN_KEYS, [table])
                for name, definition in cursor.fetchall():
                    foreign_keys.append(
                        f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}"
                    )
                    cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            restore.extend(foreign_keys)
        else:
            for model in models:
                cursor.execute(_SQLITE_INDEXES, [model._meta.db_table])
                for name, definition in cursor.fetchall():
                    restore.append(definition)
                    cursor.execute(f"DROP INDEX {qn(name)}")
    return restore


def restore_indexes(restore: list[str], models: Sequence[Any]) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deleting a district's cases (--replace) queues deferred checks of
            # the foreign keys pointing at them; CREATE INDEX refuses a table
            # with pending trigger events, so fire them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for statement in restore:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            for model in models:
                cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")
