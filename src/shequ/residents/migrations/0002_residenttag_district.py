"""Resident tags carry their district, like every scoped table (sharding key)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE residents_residenttag
SET district_id = (
    SELECT r.district_id FROM residents_resident r WHERE r.id = residents_residenttag.resident_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_seed_calendar"),
        ("residents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="residenttag",
            name="district",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="residenttag",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
            ),
        ),
    ]
