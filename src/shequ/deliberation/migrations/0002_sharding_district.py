# Catalog item versions and secret tallies carry their district (the
# sharding key, see core/sharding.py); every unique constraint of the
# deliberation tables includes the district. Topic and meeting numbers begin
# with the community's code, so they stay unique across districts.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL = [
    """UPDATE deliberation_consultationitemversion SET district_id = (SELECT i.district_id FROM deliberation_consultationitem i WHERE i.id = deliberation_consultationitemversion.item_id)""",
    """UPDATE deliberation_secrettally SET district_id = (SELECT a.district_id FROM deliberation_agendaitem a WHERE a.id = deliberation_secrettally.item_id)""",
]


def check_now(apps, schema_editor):
    """Check the deferred foreign keys of the rows just filled now, so the
    ALTER TABLEs below do not meet pending trigger events (PostgreSQL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_sharding_district'),
        ('deliberation', '0001_initial'),
        ('residents', '0005_sharding_district'),
        ('whistles', '0006_sharding_district'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='agendaitem',
            name='agenda_order',
        ),
        migrations.RemoveConstraint(
            model_name='agendaitem',
            name='agenda_topic_once',
        ),
        migrations.RemoveConstraint(
            model_name='ballot',
            name='ballot_invitee_once',
        ),
        migrations.RemoveConstraint(
            model_name='ballot',
            name='ballot_household_once',
        ),
        migrations.RemoveConstraint(
            model_name='ballot',
            name='ballot_resident_once',
        ),
        migrations.RemoveConstraint(
            model_name='consultationadoption',
            name='consultation_adopt_once',
        ),
        migrations.RemoveConstraint(
            model_name='consultationitemversion',
            name='consultation_version_no',
        ),
        migrations.RemoveConstraint(
            model_name='invitee',
            name='invitee_resident_once',
        ),
        migrations.RemoveConstraint(
            model_name='outcomereview',
            name='outcome_review_once',
        ),
        migrations.RemoveConstraint(
            model_name='outcometask',
            name='outcome_task_order',
        ),
        migrations.RemoveConstraint(
            model_name='secrettally',
            name='secret_tally_choice',
        ),
        migrations.RemoveConstraint(
            model_name='topiccosign',
            name='topic_cosign_once',
        ),
        migrations.AddField(
            model_name='consultationitemversion',
            name='district',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.AddField(
            model_name='secrettally',
            name='district',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(check_now, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='consultationitemversion',
            name='district',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.AlterField(
            model_name='secrettally',
            name='district',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region'),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='number',
            field=models.CharField(max_length=32, verbose_name='会议编号'),
        ),
        migrations.AlterField(
            model_name='topic',
            name='number',
            field=models.CharField(db_index=True, max_length=32, verbose_name='议题编号'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.UniqueConstraint(fields=('meeting', 'order', 'district'), name='agenda_order'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.UniqueConstraint(fields=('meeting', 'topic', 'district'), name='agenda_topic_once'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.UniqueConstraint(condition=models.Q(('invitee__isnull', False)), fields=('item', 'invitee', 'district'), name='ballot_invitee_once'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.UniqueConstraint(condition=models.Q(('household__isnull', False)), fields=('item', 'household', 'district'), name='ballot_household_once'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.UniqueConstraint(condition=models.Q(('resident__isnull', False)), fields=('item', 'resident', 'district'), name='ballot_resident_once'),
        ),
        migrations.AddConstraint(
            model_name='consultationadoption',
            constraint=models.UniqueConstraint(fields=('community', 'item', 'district'), name='consultation_adopt_once'),
        ),
        migrations.AddConstraint(
            model_name='consultationitemversion',
            constraint=models.UniqueConstraint(fields=('item', 'number', 'district'), name='consultation_version_no'),
        ),
        migrations.AddConstraint(
            model_name='invitee',
            constraint=models.UniqueConstraint(condition=models.Q(('resident__isnull', False)), fields=('meeting', 'resident', 'district'), name='invitee_resident_once'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.UniqueConstraint(fields=('number', 'district'), name='meeting_number'),
        ),
        migrations.AddConstraint(
            model_name='outcomereview',
            constraint=models.UniqueConstraint(fields=('outcome', 'user', 'district'), name='outcome_review_once'),
        ),
        migrations.AddConstraint(
            model_name='outcometask',
            constraint=models.UniqueConstraint(fields=('outcome', 'order', 'district'), name='outcome_task_order'),
        ),
        migrations.AddConstraint(
            model_name='secrettally',
            constraint=models.UniqueConstraint(fields=('item', 'choice', 'district'), name='secret_tally_choice'),
        ),
        migrations.AddConstraint(
            model_name='topic',
            constraint=models.UniqueConstraint(fields=('number', 'district'), name='topic_number'),
        ),
        migrations.AddConstraint(
            model_name='topiccosign',
            constraint=models.UniqueConstraint(fields=('topic', 'resident', 'district'), name='topic_cosign_once'),
        ),
    ]
