# Activity photos carry their district (the sharding key, see
# core/sharding.py); every unique constraint of the party tables includes the
# district. Letter numbers begin with the community's code, so they stay
# unique across districts.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL = [
    """UPDATE party_activityphoto SET district_id = (SELECT a.district_id FROM party_stationactivity a WHERE a.id = party_activityphoto.activity_id)""",
]


def check_now(apps, schema_editor):
    """Check the deferred foreign keys of the rows just filled now, so the
    ALTER TABLEs below do not meet pending trigger events (PostgreSQL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_sharding_district'),
        ('party', '0003_covering_indexes'),
        ('residents', '0005_sharding_district'),
        ('whistles', '0006_sharding_district'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='buildinghead',
            name='party_one_building_head',
        ),
        migrations.RemoveConstraint(
            model_name='buildinghead',
            name='party_one_unit_head',
        ),
        migrations.RemoveConstraint(
            model_name='feedbackletter',
            name='party_feedback_once',
        ),
        migrations.RemoveConstraint(
            model_name='memberreportin',
            name='party_member_report_once',
        ),
        migrations.RemoveConstraint(
            model_name='needclaim',
            name='party_claim_once',
        ),
        migrations.RemoveConstraint(
            model_name='orgrole',
            name='party_org_one_secretary',
        ),
        migrations.RemoveConstraint(
            model_name='partyorg',
            name='party_org_one_per_region',
        ),
        migrations.RemoveConstraint(
            model_name='stationduty',
            name='party_duty_unique',
        ),
        migrations.RemoveConstraint(
            model_name='stationmonth',
            name='party_station_month',
        ),
        migrations.RemoveConstraint(
            model_name='transfer',
            name='party_transfer_one_open',
        ),
        migrations.RemoveConstraint(
            model_name='unitreportin',
            name='party_unit_report_once',
        ),
        migrations.AddField(
            model_name='activityphoto',
            name='district',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(check_now, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='activityphoto',
            name='district',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.AlterField(
            model_name='feedbackletter',
            name='number',
            field=models.CharField(max_length=32, verbose_name='编号'),
        ),
        migrations.AlterField(
            model_name='transfer',
            name='number',
            field=models.CharField(max_length=32, verbose_name='介绍信编号'),
        ),
        migrations.AddConstraint(
            model_name='buildinghead',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True), ('kind', 'building')), fields=('building', 'district'), name='party_one_building_head'),
        ),
        migrations.AddConstraint(
            model_name='buildinghead',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True), ('kind', 'unit')), fields=('unit', 'district'), name='party_one_unit_head'),
        ),
        migrations.AddConstraint(
            model_name='feedbackletter',
            constraint=models.UniqueConstraint(fields=('number', 'district'), name='party_feedback_number'),
        ),
        migrations.AddConstraint(
            model_name='feedbackletter',
            constraint=models.UniqueConstraint(fields=('community', 'unit', 'quarter', 'district'), name='party_feedback_once'),
        ),
        migrations.AddConstraint(
            model_name='memberreportin',
            constraint=models.UniqueConstraint(condition=models.Q(('withdrawn_on__isnull', True)), fields=('member', 'district'), name='party_member_report_once'),
        ),
        migrations.AddConstraint(
            model_name='needclaim',
            constraint=models.UniqueConstraint(condition=models.Q(('withdrawn_at__isnull', True)), fields=('need', 'report_in', 'district'), name='party_claim_once'),
        ),
        migrations.AddConstraint(
            model_name='orgrole',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True), ('role', 'secretary')), fields=('org', 'district'), name='party_org_one_secretary'),
        ),
        migrations.AddConstraint(
            model_name='partyorg',
            constraint=models.UniqueConstraint(condition=models.Q(('active', True)), fields=('region', 'district'), name='party_org_one_per_region'),
        ),
        migrations.AddConstraint(
            model_name='stationduty',
            constraint=models.UniqueConstraint(fields=('station', 'weekday', 'member', 'district'), name='party_duty_unique'),
        ),
        migrations.AddConstraint(
            model_name='stationmonth',
            constraint=models.UniqueConstraint(fields=('station', 'month', 'district'), name='party_station_month'),
        ),
        migrations.AddConstraint(
            model_name='transfer',
            constraint=models.UniqueConstraint(fields=('number', 'district'), name='party_transfer_number'),
        ),
        migrations.AddConstraint(
            model_name='transfer',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['requested', 'approved'])), fields=('resident', 'district'), name='party_transfer_one_open'),
        ),
        migrations.AddConstraint(
            model_name='unitreportin',
            constraint=models.UniqueConstraint(condition=models.Q(('withdrawn_on__isnull', True)), fields=('community', 'unit', 'district'), name='party_unit_report_once'),
        ),
    ]
