"""Make the audit tables append-only in the database itself.

The application never updates or deletes an audit record, seal or block;
these triggers make sure nothing else does by accident either (a stray
``UPDATE`` in a shell, a buggy migration). A DBA can still drop them — the SM3
chain (``shequ audit verify``) is what detects that.
"""

from django.db import migrations

TABLES = ("core_auditrecord", "core_auditseal", "core_auditblock")
MESSAGE = "audit tables are append-only: % refused on %"


def _sqlite_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit tables are append-only: {op} refused on {table}'); END"
        for op in ("UPDATE", "DELETE")
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]


PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION shequ_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$
"""


def _pg_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION shequ_audit_append_only()"
    ]


def _pg_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]


def _run(schema_editor, statements: list[str]) -> None:
    for sql in statements:
        schema_editor.execute(sql, params=None)  # the SQL holds literal % signs


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [s for t in TABLES for s in _sqlite_create(t)])
    elif vendor == "postgresql":
        _run(schema_editor, [PG_FUNCTION] + [s for t in TABLES for s in _pg_create(t)])
    else:
        raise RuntimeError(f"Shequ supports SQLite and PostgreSQL, not {vendor}")


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [s for t in TABLES for s in _sqlite_drop(t)])
    elif vendor == "postgresql":
        _run(schema_editor, [s for t in TABLES for s in _pg_drop(t)]
             + ["DROP FUNCTION IF EXISTS shequ_audit_append_only()"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
