# Item versions carry their item's district (the sharding key, see
# core/sharding.py); every unique constraint of the desk's tables includes the
# district. Receipt and notice numbers begin with the community's code, so
# they stay unique across districts.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL = [
    """UPDATE services_serviceitemversion SET district_id = (SELECT i.district_id FROM services_serviceitem i WHERE i.id = services_serviceitemversion.item_id)""",
]


def check_now(apps, schema_editor):
    """Check the deferred foreign keys of the rows just filled now, so the
    ALTER TABLEs below do not meet pending trigger events (PostgreSQL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_sharding_district'),
        ('residents', '0005_sharding_district'),
        ('services', '0005_case_workbench_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='casestat',
            name='case_stat_key',
        ),
        migrations.RemoveConstraint(
            model_name='communityitem',
            name='community_item_once',
        ),
        migrations.RemoveConstraint(
            model_name='qualification',
            name='qualification_one_active',
        ),
        migrations.RemoveConstraint(
            model_name='serviceitemversion',
            name='service_item_version_number',
        ),
        migrations.RemoveConstraint(
            model_name='window',
            name='window_name_in_community',
        ),
        migrations.RemoveConstraint(
            model_name='windowduty',
            name='window_duty_one_worker',
        ),
        migrations.RemoveConstraint(
            model_name='windowduty',
            name='window_duty_one_window',
        ),
        migrations.AddField(
            model_name='serviceitemversion',
            name='district',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(check_now, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='serviceitemversion',
            name='district',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.AlterField(
            model_name='case',
            name='receipt_no',
            field=models.CharField(db_index=True, max_length=32, verbose_name='受理编号'),
        ),
        migrations.AlterField(
            model_name='notice',
            name='number',
            field=models.CharField(max_length=32, verbose_name='告知单编号'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.UniqueConstraint(fields=('receipt_no', 'district'), name='case_receipt_no'),
        ),
        migrations.AddConstraint(
            model_name='casestat',
            constraint=models.UniqueConstraint(fields=('community', 'month', 'item', 'window_id_key', 'worker_id_key', 'district'), name='case_stat_key'),
        ),
        migrations.AddConstraint(
            model_name='communityitem',
            constraint=models.UniqueConstraint(fields=('community', 'item', 'district'), name='community_item_once'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.UniqueConstraint(fields=('number', 'district'), name='notice_number'),
        ),
        migrations.AddConstraint(
            model_name='qualification',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('worker', 'community', 'district'), name='qualification_one_active'),
        ),
        migrations.AddConstraint(
            model_name='serviceitemversion',
            constraint=models.UniqueConstraint(fields=('item', 'number', 'district'), name='service_item_version_number'),
        ),
        migrations.AddConstraint(
            model_name='window',
            constraint=models.UniqueConstraint(fields=('community', 'name', 'district'), name='window_name_in_community'),
        ),
        migrations.AddConstraint(
            model_name='windowduty',
            constraint=models.UniqueConstraint(fields=('window', 'date', 'district'), name='window_duty_one_worker'),
        ),
        migrations.AddConstraint(
            model_name='windowduty',
            constraint=models.UniqueConstraint(fields=('worker', 'date', 'district'), name='window_duty_one_window'),
        ),
    ]
