"""双报到: a stationed unit's party organisation reports in to a community
(报到单), its in-service members report in where they live, the community
posts needs (需求清单) that members claim, the service given is logged
(服务登记), and each quarter a feedback letter goes to the employer.

The 在职党员双报到 actions the pairing module recorded until this module
existed were moved here by a data migration; each keeps its pairing action
(``pairing_action``), so pairing figures count them as before.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class UnitReportIn(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "whistles.Unit", verbose_name="驻区单位", on_delete=models.PROTECT, related_name="+"
    )
    party_org_name = models.CharField("单位党组织", max_length=80)
    resources = models.CharField("可提供的资源", max_length=500)
    contact_name = models.CharField("联系人", max_length=40)
    contact_phone_enc = models.BinaryField(null=True, blank=True)
    contact_phone_head = models.CharField(max_length=3, blank=True)
    contact_phone_tail = models.CharField(max_length=4, blank=True)
    reported_on = models.DateField("报到日期")
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "单位报到"
        verbose_name_plural = "单位报到"
        ordering = ["community", "-reported_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "unit", "district"],
                condition=Q(withdrawn_on__isnull=True),
                name="party_unit_report_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}→{self.community_id}"

    @property
    def contact_phone_masked(self) -> str:
        if not self.contact_phone_tail:
            return ""
        return f"{self.contact_phone_head}****{self.contact_phone_tail}"


class MemberReportIn(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name="党员",
        on_delete=models.PROTECT,
        related_name="report_ins",
    )
    unit_report = models.ForeignKey(
        UnitReportIn,
        verbose_name="所在单位报到",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    skills = models.CharField("特长", max_length=200)
    availability = models.CharField("可服务时间", max_length=100)
    reported_on = models.DateField("报到日期")
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "党员报到"
        verbose_name_plural = "党员报到"
        ordering = ["community", "-reported_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "district"],
                condition=Q(withdrawn_on__isnull=True),
                name="party_member_report_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}→{self.community_id}"


class NeedState(models.TextChoices):
    OPEN = "open", "待认领"
    CLAIMED = "claimed", "已认领"
    CLOSED = "closed", "已关闭"


class Need(models.Model):
    """A line of the community's needs list (需求清单)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("需求", max_length=60)
    description = models.CharField("说明", max_length=500, blank=True)
    skills = models.CharField("所需特长", max_length=100, blank=True)
    wanted = models.PositiveIntegerField("需要人数")
    needed_by = models.DateField("截止日期")
    status = models.CharField("状态", max_length=10, choices=NeedState.choices)
    posted_at = models.DateTimeField()
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "社区需求"
        verbose_name_plural = "社区需求"
        ordering = ["community", "status", "needed_by"]
        constraints = [models.CheckConstraint(condition=Q(wanted__gte=1), name="party_need_wanted")]
        indexes = [models.Index(fields=["community", "status"], name="party_need_community")]

    def __str__(self) -> str:
        return self.title


class NeedClaim(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="claims")
    report_in = models.ForeignKey(MemberReportIn, on_delete=models.PROTECT, related_name="claims")
    claimed_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "需求认领"
        verbose_name_plural = "需求认领"
        constraints = [
            models.UniqueConstraint(
                fields=["need", "report_in", "district"],
                condition=Q(withdrawn_at__isnull=True),
                name="party_claim_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id}←{self.report_in_id}"


class ServiceLog(models.Model):
    """服务登记: service an in-service member gave the community."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    report_in = models.ForeignKey(
        MemberReportIn, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    unit = models.ForeignKey(
        "whistles.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For records moved from pairing, which named the member in free text only.
    member_name = models.CharField("党员", max_length=40, blank=True)
    day = models.DateField("日期")
    hours = models.DecimalField("服务时长（小时）", max_digits=6, decimal_places=1)
    what = models.CharField("服务内容", max_length=200)
    pairing_action = models.OneToOneField(
        "whistles.PairingAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_service",
    )
    logged_at = models.DateTimeField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "服务登记"
        verbose_name_plural = "服务登记"
        ordering = ["-day", "-id"]
        constraints = [
            # Records moved from pairing may carry 0 hours; new ones need more (the service).
            models.CheckConstraint(condition=Q(hours__gte=0), name="party_service_hours_gte_0"),
        ]
        indexes = [
            models.Index(fields=["community", "day"], name="party_service_community"),
            models.Index(fields=["unit", "day"], name="party_service_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.what}"


class FeedbackLetter(models.Model):
    """The quarter's feedback to a unit's party organisation, as sent."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("whistles.Unit", on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField("季度", max_length=6)  # "2026Q4"
    number = models.CharField("编号", max_length=32)  # unique with the district
    services = models.PositiveIntegerField("服务次数")
    hours = models.DecimalField("服务时长（小时）", max_digits=8, decimal_places=1)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "报到反馈函"
        verbose_name_plural = "报到反馈函"
        ordering = ["community", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["number", "district"], name="party_feedback_number"),
            models.UniqueConstraint(
                fields=["community", "unit", "quarter", "district"], name="party_feedback_once"
            ),
        ]

    def __str__(self) -> str:
        return self.number
