"""党员: a resident of the register with their party standing.

Personal data stays on the resident (encrypted there); this row holds only
the party facts. ``org_region`` repeats the organisation's region, so a
branch secretary's scope is one indexed lookup (``org_region__compound``),
as every scoped row of the platform does with its community.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Standing(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class Relation(models.TextChoices):
    # Membership held by an organisation here (the ones a branch is counted from).
    SELF_MANAGED = "self_managed", "自管党员"
    # Held by the employer; lives here and reports in (双报到).
    IN_SERVICE = "in_service", "在职党员"
    # Held here, working away from home (流出).
    MOBILE = "mobile", "流动党员"
    # Retired, membership transferred to the community (seed 三（五）).
    RETIRED = "retired", "离退休党员"


# Whose membership this district's organisations hold: the basis of 自管党员.
HELD_HERE = (Relation.SELF_MANAGED, Relation.MOBILE, Relation.RETIRED)


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    TRANSFERRED_OUT = "transferred_out", "已转出"


class PartyMember(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resident = models.OneToOneField(
        "residents.Resident", verbose_name="居民", on_delete=models.PROTECT, related_name="party"
    )
    org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name="所在党组织",
        on_delete=models.PROTECT,
        related_name="members",
    )
    org_region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", editable=False
    )
    standing = models.CharField("党员类别", max_length=16, choices=Standing.choices)
    probation_ends_on = models.DateField("预备期满", null=True, blank=True)
    relation = models.CharField("管理类型", max_length=16, choices=Relation.choices)
    joined_on = models.DateField("入党日期")
    # 在职党员: the employer's party organisation and the unit (a stationed
    # unit of the district when it is one).
    employer_org_name = models.CharField("工作单位党组织", max_length=80, blank=True)
    employer_unit = models.ForeignKey(
        "whistles.Unit",
        verbose_name="工作单位（驻区单位）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_name = models.CharField("工作单位", max_length=80, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    # The probation reminder ``shequ tick`` sent (once per probation).
    probation_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["org", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(standing="full") | Q(probation_ends_on__isnull=False),
                name="party_member_probation_has_end",
            ),
        ]
        indexes = [
            # Covers the figures' count by community, compound, standing and type.
            models.Index(
                fields=["community", "status", "compound", "standing", "relation"],
                name="party_member_community",
            ),
            models.Index(fields=["org", "status"], name="party_member_org"),
            models.Index(fields=["compound", "status", "standing"], name="party_member_compound"),
            models.Index(fields=["district", "status"], name="party_member_district"),
        ]

    def __str__(self) -> str:
        return f"党员#{self.pk}"

    @property
    def held_here(self) -> bool:
        return self.relation in HELD_HERE
