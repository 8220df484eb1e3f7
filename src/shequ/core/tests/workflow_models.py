"""A test-only model for the workflow engine: unmanaged, its table created by
the ``django_db_setup`` override in ``test_workflow.py``."""

from django.db import models


class TicketState(models.TextChoices):
    OPEN = "open", "待受理"  # submitted, nobody has looked at it
    ACCEPTED = "accepted", "已受理"  # a worker took it on
    DONE = "done", "已办结"  # finished, waiting for the resident's review
    CLOSED = "closed", "已关闭"  # withdrawn or rejected


class Ticket(models.Model):
    title = models.CharField(max_length=60)
    status = models.CharField(max_length=16, choices=TicketState.choices, default=TicketState.OPEN)
    # No database constraint: a transactional test's flush truncates core_region,
    # which an unmanaged table's foreign key would block on PostgreSQL.
    district = models.ForeignKey(
        "core.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    community = models.ForeignKey(
        "core.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "core"
        managed = False
        db_table = "core_test_ticket"
        verbose_name = "测试事项"

    def __str__(self) -> str:
        return self.title
