# Whistle.cooperating gets an explicit link model, WhistleCooperation, on the
# table Django made for the plain many-to-many (state only), so its rows can
# carry the whistle's district (the sharding key, see core/sharding.py). Every
# unique constraint of the whistles tables includes the district; whistle
# numbers begin with "W" and the community's code, so they stay unique across
# districts.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


FILL = [
    """UPDATE whistles_whistle_cooperating SET district_id = (
        SELECT w.district_id FROM whistles_whistle w
        WHERE w.id = whistles_whistle_cooperating.whistle_id)""",
]


def check_now(apps, schema_editor):
    """Check the deferred foreign keys of the rows just filled now, so the
    ALTER TABLEs below do not meet pending trigger events (PostgreSQL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_sharding_district'),
        ('whistles', '0005_whistle_appeals_move'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WhistleCooperation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('whistle', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='whistles.whistle')),
                        ('department', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='whistles.department')),
                    ],
                    options={
                        'verbose_name': '协办部门',
                        'verbose_name_plural': '协办部门',
                        'db_table': 'whistles_whistle_cooperating',
                        'unique_together': {('whistle', 'department')},
                    },
                ),
                migrations.AlterField(
                    model_name='whistle',
                    name='cooperating',
                    field=models.ManyToManyField(blank=True, related_name='cooperating_whistles', through='whistles.WhistleCooperation', to='whistles.department', verbose_name='协办部门'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='whistlecooperation',
            name='district',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(check_now, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='whistlecooperation',
            name='district',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.AlterUniqueTogether(name='whistlecooperation', unique_together=set()),
        migrations.RemoveConstraint(
            model_name='escalationnotice',
            name='escalation_notice_once',
        ),
        migrations.RemoveConstraint(
            model_name='liaison',
            name='liaison_department_once',
        ),
        migrations.RemoveConstraint(
            model_name='liaison',
            name='liaison_unit_once',
        ),
        migrations.RemoveConstraint(
            model_name='quarterrating',
            name='quarter_rating_once',
        ),
        migrations.AlterField(
            model_name='whistle',
            name='number',
            field=models.CharField(max_length=32, verbose_name='编号'),
        ),
        migrations.AddConstraint(
            model_name='escalationnotice',
            constraint=models.UniqueConstraint(fields=('whistle', 'kind', 'level', 'addressed_at', 'district'), name='escalation_notice_once'),
        ),
        migrations.AddConstraint(
            model_name='liaison',
            constraint=models.UniqueConstraint(condition=models.Q(('department__isnull', False)), fields=('user', 'department', 'district'), name='liaison_department_once'),
        ),
        migrations.AddConstraint(
            model_name='liaison',
            constraint=models.UniqueConstraint(condition=models.Q(('unit__isnull', False)), fields=('user', 'unit', 'district'), name='liaison_unit_once'),
        ),
        migrations.AddConstraint(
            model_name='quarterrating',
            constraint=models.UniqueConstraint(fields=('agreement', 'quarter', 'district'), name='quarter_rating_once'),
        ),
        migrations.AddConstraint(
            model_name='whistle',
            constraint=models.UniqueConstraint(fields=('number', 'district'), name='whistle_number'),
        ),
        migrations.AddConstraint(
            model_name='whistlecooperation',
            constraint=models.UniqueConstraint(fields=('whistle', 'department', 'district'), name='whistle_cooperating_once'),
        ),
    ]
