"""组织关系接转: a member's relationship moving in, out, or between the
district's organisations, decided by the receiving side and printed as the
usual introduction letter (介绍信)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class TransferKind(models.TextChoices):
    IN = "in", "转入"  # from an organisation outside the district
    OUT = "out", "转出"  # to an organisation outside the district
    WITHIN = "within", "区内转移"  # between two of the district's organisations


class TransferState(models.TextChoices):
    REQUESTED = "requested", "已申请"  # waiting for the receiving organisation
    APPROVED = "approved", "已接收"  # the receiving organisation accepted
    COMPLETED = "completed", "已完成"  # the relationship now sits with the receiver
    RETURNED = "returned", "已退回"  # refused or sent back, with the reason


OPEN_TRANSFER_STATES = (TransferState.REQUESTED, TransferState.APPROVED)


class TransferReason(models.TextChoices):
    RETIRED = "retired", "离退休转回社区"
    MOVED = "moved", "迁居"
    JOB = "job", "工作变动"
    OTHER = "other", "其他"


class Transfer(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    # The community whose office works the transfer: the receiver's for 转入
    # and 区内转移, the sender's for 转出.
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("介绍信编号", max_length=32)  # unique with the district
    kind = models.CharField("类别", max_length=8, choices=TransferKind.choices)
    reason = models.CharField("原因", max_length=12, choices=TransferReason.choices)
    resident = models.ForeignKey(
        "residents.Resident", verbose_name="居民", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name="党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    from_org = models.ForeignKey(
        "party.PartyOrg", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_org_name = models.CharField("转出党组织", max_length=100)
    to_org = models.ForeignKey(
        "party.PartyOrg", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_org_name = models.CharField("接收党组织", max_length=100)
    # 转入: the number on the letter the member brought from outside.
    incoming_letter_number = models.CharField("原介绍信编号", max_length=40, blank=True)
    # 转入: the standing the member arrives with (a member row exists only at completion).
    standing = models.CharField("党员类别", max_length=16, blank=True)
    probation_ends_on = models.DateField("预备期满", null=True, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    relation = models.CharField("管理类型", max_length=16, blank=True)
    status = models.CharField("状态", max_length=12, choices=TransferState.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    returned_reason = models.CharField("退回原因", max_length=300, blank=True)
    requested_on = models.DateField("申请日期")
    answer_due = models.DateField("答复期限")
    # The letter is valid this long (介绍信有效期): completion is due by then.
    complete_due = models.DateField("办结期限")
    approved_at = models.DateTimeField("接收时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "组织关系接转"
        verbose_name_plural = "组织关系接转"
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number", "district"], name="party_transfer_number"),
            # A person has at most one transfer under way.
            models.UniqueConstraint(
                fields=["resident", "district"],
                condition=Q(status__in=["requested", "approved"]),
                name="party_transfer_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="party_transfer_community"),
            models.Index(fields=["district", "kind", "reason"], name="party_transfer_reason"),
        ]

    def __str__(self) -> str:
        return self.number
