# Every scoped table carries its district (the Citus distribution column,
# see core/sharding.py): receipt counters, region statistics, timeline events
# and announcement read receipts get ``district``, filled from the row they
# belong to; the unique constraints of the scoped tables include it.

import django.db.models.deletion
from django.db import migrations, models

FILL = [
    # A district's own row names itself as its district.
    """UPDATE core_regionstat SET district_id = (
        SELECT r.district_id FROM core_region r WHERE r.id = core_regionstat.region_id)""",
    """UPDATE core_receiptcounter SET district_id = (
        SELECT r.district_id FROM core_region r WHERE r.id = core_receiptcounter.community_id)""",
    """UPDATE core_announcementread SET district_id = (
        SELECT a.district_id FROM core_announcement a
        WHERE a.id = core_announcementread.announcement_id)""",
]


def fill_timeline(apps, schema_editor):
    """A timeline event takes its subject's district: one UPDATE per kind of
    subject. The subjects belong to other apps, which this migration's state
    does not know, so their tables are read from the installed models."""
    from django.apps import apps as installed

    connection = schema_editor.connection
    qn = connection.ops.quote_name
    ContentType = apps.get_model("contenttypes", "ContentType")
    TimelineEvent = apps.get_model("core", "TimelineEvent")
    used = set(TimelineEvent.objects.values_list("content_type_id", flat=True).distinct())
    tables = set(connection.introspection.table_names())
    for ct in ContentType.objects.filter(pk__in=used):
        try:
            model = installed.get_model(ct.app_label, ct.model)
        except LookupError:
            continue
        table = model._meta.db_table
        if table not in tables:
            continue
        with connection.cursor() as cursor:
            columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            if "district_id" not in columns:
                continue
            cursor.execute(
                f"UPDATE core_timelineevent SET district_id = ("  # noqa: S608 - names from model meta
                f"SELECT s.district_id FROM {qn(table)} s "
                f"WHERE s.{qn(model._meta.pk.column)} = core_timelineevent.object_id) "
                "WHERE content_type_id = %s AND district_id IS NULL",
                [ct.pk],
            )
    # Events whose subject no longer exists (a deployment never deletes one)
    # are read through no object; they go to the first district.
    Region = apps.get_model("core", "Region")
    first = Region.objects.filter(level=1).order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        TimelineEvent.objects.filter(district__isnull=True).update(district_id=first)


def check_now(apps, schema_editor):
    """Check the deferred foreign keys of the rows just filled now, so the
    ALTER TABLEs below do not meet pending trigger events (PostgreSQL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _district(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.region",
    )


NEW = ("announcementread", "receiptcounter", "regionstat", "timelineevent")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0008_account_controls"),
    ]

    operations = [
        *[migrations.AddField(model_name=m, name="district", field=_district(True)) for m in NEW],
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(fill_timeline, migrations.RunPython.noop),
        migrations.RunPython(check_now, migrations.RunPython.noop),
        *[migrations.AlterField(model_name=m, name="district", field=_district(False)) for m in NEW],
        migrations.RemoveConstraint(model_name="announcementread", name="announcement_read_once"),
        migrations.AddConstraint(
            model_name="announcementread",
            constraint=models.UniqueConstraint(
                fields=("announcement", "user", "district"), name="announcement_read_once"
            ),
        ),
        migrations.RemoveConstraint(model_name="receiptcounter", name="receipt_counter_unique"),
        migrations.AddConstraint(
            model_name="receiptcounter",
            constraint=models.UniqueConstraint(
                fields=("community", "day", "district"), name="receipt_counter_unique"
            ),
        ),
    ]
