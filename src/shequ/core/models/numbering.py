"""Counters behind receipt numbers (<community code><yyyymmdd><seq>)."""

from django.db import models


class ReceiptCounter(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号计数器"
        verbose_name_plural = "编号计数器"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "day", "district"], name="receipt_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day}: {self.last}"
