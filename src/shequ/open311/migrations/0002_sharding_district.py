# Rate counters carry their client's district (the sharding key, see
# core/sharding.py); every unique constraint of the Open311 tables includes
# the district. Key digests (SM3 of 32 random bytes) and tokens (16 random
# bytes) are unique across districts in all but name.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL = [
    """UPDATE open311_open311ratecount SET district_id = (SELECT c.district_id FROM open311_open311client c WHERE c.id = open311_open311ratecount.client_id)""",
]


def check_now(apps, schema_editor):
    """Check the deferred foreign keys of the rows just filled now, so the
    ALTER TABLEs below do not meet pending trigger events (PostgreSQL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_sharding_district'),
        ('open311', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='open311ratecount',
            name='open311_rate_minute',
        ),
        migrations.AddField(
            model_name='open311ratecount',
            name='district',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(check_now, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='open311ratecount',
            name='district',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.AlterField(
            model_name='open311client',
            name='key_digest',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='open311submission',
            name='token',
            field=models.CharField(max_length=32),
        ),
        migrations.AddConstraint(
            model_name='open311client',
            constraint=models.UniqueConstraint(fields=('key_digest', 'district'), name='open311_client_key'),
        ),
        migrations.AddConstraint(
            model_name='open311ratecount',
            constraint=models.UniqueConstraint(fields=('client', 'minute', 'district'), name='open311_rate_minute'),
        ),
        migrations.AddConstraint(
            model_name='open311submission',
            constraint=models.UniqueConstraint(fields=('token', 'district'), name='open311_submission_token'),
        ),
    ]
