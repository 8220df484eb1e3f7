# The whistle ↔ appeal link moves to the appeal (appeals.0003): state only,
# the table whistles_whistle_appeals and its rows stay as they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("whistles", "0004_whistle_whistle_district_addressed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="whistle", name="appeals")],
            database_operations=[],
        ),
    ]
