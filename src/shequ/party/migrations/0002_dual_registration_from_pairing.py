"""The 在职党员双报到 actions the pairing module recorded until 双报到 moved
here become service records (服务登记), each pointing at its action.

Nothing is lost: the pairing actions stay where they are, so the pairing
figures (action counts, hours, 仅面上 flags) count exactly as before, and
each record keeps the member's name as pairing had it (free text). Running
it again adds nothing (an action that has a record is skipped); going back
deletes only the records it made: those that point at a pairing action and
have no member report-in (the ones ``service_log_create`` writes always
have one).

``forward`` and ``backward`` take any app registry, so a test can run them
with ``django.apps.apps`` on rows it made.
"""

from django.db import migrations

BATCH = 500
KIND = "dual_registration"


def forward(apps, schema_editor=None) -> int:
    """Create the missing records; returns how many."""
    PairingAction = apps.get_model("whistles", "PairingAction")
    ServiceLog = apps.get_model("party", "ServiceLog")
    pending = (
        PairingAction.objects.filter(kind=KIND, party_service__isnull=True)
        .select_related("agreement")
        .order_by("pk")
    )
    made = 0
    batch = []
    for action in pending.iterator(chunk_size=BATCH):
        batch.append(
            ServiceLog(
                district_id=action.district_id,
                community_id=action.community_id,
                unit_id=action.agreement.unit_id,
                member_name=action.member_name,
                day=action.date,
                hours=action.hours,
                what=action.what,
                pairing_action_id=action.pk,
                logged_at=action.logged_at,
                logged_by_id=action.logged_by_id,
            )
        )
        if len(batch) == BATCH:
            ServiceLog.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    if batch:
        ServiceLog.objects.bulk_create(batch)
        made += len(batch)
    return made


def backward(apps, schema_editor=None) -> int:
    """Delete the records ``forward`` made; returns how many."""
    ServiceLog = apps.get_model("party", "ServiceLog")
    deleted, _ = ServiceLog.objects.filter(
        pairing_action__kind=KIND, pairing_action__isnull=False, report_in__isnull=True
    ).delete()
    return deleted


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0001_initial"),
        ("whistles", "0005_whistle_appeals_move"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
