"""Duty rows carry their district, like every scoped table (sharding key)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE services_windowduty
SET district_id = (
    SELECT w.district_id FROM services_window w WHERE w.id = services_windowduty.window_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_seed_calendar"),
        ("services", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="windowduty",
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
            model_name="windowduty",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
            ),
        ),
    ]
