"""楼长制: building and unit heads with terms, and their household visits (走访).

Assigning a head whose resident has an account grants that account the
core building-head role on the building (or unit); ending the term revokes it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class HeadKind(models.TextChoices):
    BUILDING = "building", "楼长"
    UNIT = "unit", "单元长"


class BuildingHead(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "core.Region", verbose_name="楼栋", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Region",
        verbose_name="单元",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("类别", max_length=10, choices=HeadKind.choices)
    resident = models.ForeignKey(
        "residents.Resident", verbose_name="居民", on_delete=models.PROTECT, related_name="+"
    )
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期届满", null=True, blank=True)
    ended_on = models.DateField("离任日期", null=True, blank=True)
    grant = models.ForeignKey(
        "core.Grant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "楼栋长"
        verbose_name_plural = "楼栋长"
        ordering = ["building", "kind", "unit", "-term_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "district"],
                condition=Q(kind="building", ended_on__isnull=True),
                name="party_one_building_head",
            ),
            models.UniqueConstraint(
                fields=["unit", "district"],
                condition=Q(kind="unit", ended_on__isnull=True),
                name="party_one_unit_head",
            ),
            models.CheckConstraint(
                condition=Q(kind="building", unit__isnull=True)
                | Q(kind="unit", unit__isnull=False),
                name="party_head_kind_unit",
            ),
        ]
        indexes = [models.Index(fields=["community", "ended_on"], name="party_head_community")]

    def __str__(self) -> str:
        return f"{self.building_id}·{self.get_kind_display()}"


class HouseholdVisit(models.Model):
    """走访: a building head's visit to a household and what it raised."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "core.Region", verbose_name="楼栋", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "residents.Household", verbose_name="住户", on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField("走访日期")
    raised = models.CharField("反映的情况", max_length=500, blank=True)
    follow_up = models.CharField("跟进", max_length=300, blank=True)
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name="代报诉求",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "入户走访"
        verbose_name_plural = "入户走访"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["building", "visited_on"], name="party_visit_building"),
            # Covers the figures' "households visited this quarter" per community.
            models.Index(
                fields=["community", "visited_on", "household"], name="party_visit_community"
            ),
            models.Index(fields=["household", "visited_on"], name="party_visit_household"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.household_id}"
