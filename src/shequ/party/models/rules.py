"""The district's party thresholds (one row per district; defaults until set)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class PartyRules(models.Model):
    district = models.OneToOneField("core.Region", on_delete=models.PROTECT, related_name="+")
    # 党章第三十条: 正式党员三人以上的，应当成立党的基层组织.
    branch_threshold = models.PositiveSmallIntegerField("建支部所需正式党员数", default=3)
    # A station works in a month when all three hold.
    open_ratio = models.DecimalField(
        "实际开放时长不低于公示时长的比例", max_digits=4, decimal_places=2, default=Decimal("0.80")
    )
    min_activities = models.PositiveSmallIntegerField("每月有居民参加的活动不少于", default=2)
    min_hosted = models.PositiveSmallIntegerField("每月议事或服务活动不少于", default=1)
    probation_notice_days = models.PositiveSmallIntegerField("预备期满提前提醒天数", default=30)
    transfer_answer_days = models.PositiveSmallIntegerField("接收方答复时限（工作日）", default=5)
    letter_valid_days = models.PositiveSmallIntegerField("介绍信有效期（天）", default=30)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "党建规则"
        verbose_name_plural = "党建规则"
        constraints = [
            models.CheckConstraint(
                condition=Q(branch_threshold__gte=3), name="party_rules_threshold_gte_3"
            ),
            models.CheckConstraint(
                condition=Q(open_ratio__gt=0, open_ratio__lte=1), name="party_rules_ratio"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} 党建规则"
