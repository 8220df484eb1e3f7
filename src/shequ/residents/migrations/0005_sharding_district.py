# The unique constraints of the register include the district (the
# sharding key, see core/sharding.py); each already held a column that fixes
# the district (unit, community, resident), so nothing they allow changes.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_sharding_district'),
        ('residents', '0004_resident_leave_erase'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='household',
            name='household_unit_room',
        ),
        migrations.RemoveConstraint(
            model_name='resident',
            name='resident_unique_id_in_community',
        ),
        migrations.RemoveConstraint(
            model_name='residenttag',
            name='resident_tag_unique',
        ),
        migrations.AddConstraint(
            model_name='household',
            constraint=models.UniqueConstraint(fields=('unit', 'room', 'district'), name='household_unit_room'),
        ),
        migrations.AddConstraint(
            model_name='resident',
            constraint=models.UniqueConstraint(fields=('community', 'id_number_index', 'district'), name='resident_unique_id_in_community'),
        ),
        migrations.AddConstraint(
            model_name='residenttag',
            constraint=models.UniqueConstraint(fields=('resident', 'tag', 'district'), name='resident_tag_unique'),
        ),
    ]
