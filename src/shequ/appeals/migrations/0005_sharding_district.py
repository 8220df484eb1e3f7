# Appeal.whistles gets an explicit link model, AppealWhistle, on the table
# Django made for the plain many-to-many (whistles_whistle_appeals; state
# only), so its rows can carry the appeal's district (the sharding key, see
# core/sharding.py). Every unique constraint of the appeals tables includes
# the district; appeal numbers begin with the community's code, so they stay
# unique across districts.

import django.db.models.deletion
from django.db import migrations, models

FILL = [
    """UPDATE whistles_whistle_appeals SET district_id = (
        SELECT a.district_id FROM appeals_appeal a
        WHERE a.id = whistles_whistle_appeals.appeal_id)""",
]


def check_now(apps, schema_editor):
    """Check the deferred foreign keys of the rows just filled now, so the
    ALTER TABLEs below do not meet pending trigger events (PostgreSQL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0004_appeal_topic_alter_appeal_decision'),
        ('core', '0009_sharding_district'),
        ('whistles', '0006_sharding_district'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AppealWhistle',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('appeal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='appeals.appeal')),
                        ('whistle', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='whistles.whistle')),
                    ],
                    options={
                        'verbose_name': '诉求吹哨',
                        'verbose_name_plural': '诉求吹哨',
                        'db_table': 'whistles_whistle_appeals',
                        # The auto-created table's unique key, in its column order.
                        'unique_together': {('whistle', 'appeal')},
                    },
                ),
                migrations.AlterField(
                    model_name='appeal',
                    name='whistles',
                    field=models.ManyToManyField(blank=True, related_name='appeals', through='appeals.AppealWhistle', to='whistles.whistle', verbose_name='吹哨事项'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='appealwhistle',
            name='district',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(check_now, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='appealwhistle',
            name='district',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.AlterUniqueTogether(name='appealwhistle', unique_together=set()),
        migrations.AddConstraint(
            model_name='appealwhistle',
            constraint=models.UniqueConstraint(fields=('appeal', 'whistle', 'district'), name='appeal_whistle_once'),
        ),
        migrations.RemoveConstraint(
            model_name='appealsupporter',
            name='appeal_supporter_once',
        ),
        migrations.AddConstraint(
            model_name='appealsupporter',
            constraint=models.UniqueConstraint(condition=models.Q(('user__isnull', False)), fields=('appeal', 'user', 'district'), name='appeal_supporter_once'),
        ),
        migrations.AlterField(
            model_name='appeal',
            name='number',
            field=models.CharField(db_index=True, max_length=32, verbose_name='诉求编号'),
        ),
        migrations.AddConstraint(
            model_name='appeal',
            constraint=models.UniqueConstraint(fields=('number', 'district'), name='appeal_number'),
        ),
    ]
