# Appeal.whistles takes over the link Whistle.appeals held (whistles.0005):
# state only, the same table (whistles_whistle_appeals) and columns.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0002_alter_appeal_decision"),
        ("whistles", "0005_whistle_appeals_move"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="appeal",
                    name="whistles",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="whistles_whistle_appeals",
                        related_name="appeals",
                        to="whistles.whistle",
                        verbose_name="吹哨事项",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
