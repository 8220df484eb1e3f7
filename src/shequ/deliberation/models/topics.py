"""议题: a matter put to consultation, from its proposal through co-signing
(附议) and the community's review to the meeting that decides it.

A topic lives in a community and, for a compound- or building-level matter,
carries its compound and building (who may co-sign and vote). Residents,
party members and building heads propose for themselves and need
co-signers; the community, a named body of the compound (业委会, 物业, a
stationed unit, entered by a worker) and an appeal's triage put a topic
straight to review.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ProposerKind(models.TextChoices):
    RESIDENT = "resident", "居民"
    PARTY_MEMBER = "party_member", "党员"
    BUILDING_HEAD = "building_head", "楼栋长"
    OWNERS_COMMITTEE = "owners_committee", "业委会"
    PROPERTY = "property", "物业服务企业"
    UNIT = "unit", "驻区单位"
    COMMUNITY = "community", "社区"
    APPEAL = "appeal", "居民诉求转入"


# Proposers who speak for themselves and so need co-signers before review.
PERSONAL_PROPOSERS = (ProposerKind.RESIDENT, ProposerKind.PARTY_MEMBER, ProposerKind.BUILDING_HEAD)
# Bodies a worker enters a proposal for, by name.
BODY_PROPOSERS = (ProposerKind.OWNERS_COMMITTEE, ProposerKind.PROPERTY, ProposerKind.UNIT)


class TopicState(models.TextChoices):
    COSIGNING = "cosigning", "征集附议中"  # waits for its co-signers
    REVIEW = "review", "待审核"  # the community decides within the working-day limit
    ACCEPTED = "accepted", "已列入议题库"  # waits for a meeting
    SCHEDULED = "scheduled", "已安排会议"  # on a meeting's agenda
    DECIDED = "decided", "已形成协商结果"  # the vote passed: an outcome carries it out
    NOT_PASSED = "not_passed", "表决未通过"
    REJECTED = "rejected", "不予受理"  # the reason is published to the proposer
    HANDED_OVER = "handed_over", "已转办"  # not a matter for consultation: an appeal or a whistle
    MERGED = "merged", "已合并"  # into a similar topic, whose co-signers it joins


OPEN_TOPIC_STATES = (
    TopicState.COSIGNING,
    TopicState.REVIEW,
    TopicState.ACCEPTED,
    TopicState.SCHEDULED,
)


class Topic(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "core.Region",
        verbose_name="小区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        "core.Region",
        verbose_name="楼栋",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Unique with the district; db_index for the number-prefix search.
    number = models.CharField("议题编号", max_length=32, db_index=True)
    item = models.ForeignKey(
        "deliberation.ConsultationItem",
        verbose_name="协商目录条目",
        on_delete=models.PROTECT,
        related_name="topics",
    )
    item_version = models.ForeignKey(
        "deliberation.ConsultationItemVersion", on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField("门类", max_length=30)  # the version's, for figures
    title = models.CharField("议题", max_length=60)
    description = models.TextField("议题说明")
    keywords = models.TextField("关键词", blank=True)  # core.words, for similar topics
    proposer_kind = models.CharField("提议方", max_length=20, choices=ProposerKind.choices)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提议人账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposer_resident = models.ForeignKey(
        "residents.Resident",
        verbose_name="提议居民",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposer_body = models.CharField("提议单位", max_length=100, blank=True)
    status = models.CharField("状态", max_length=16, choices=TopicState.choices)
    threshold = models.PositiveIntegerField("附议人数门槛", default=0)
    cosigners = models.PositiveIntegerField("附议人数", default=0)
    proposed_at = models.DateTimeField("提出时间")
    review_due = models.DateField("审核期限", null=True, blank=True)
    review_due_uncertain = models.BooleanField("期限待定（节假日未公布）", default=False)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("不予受理或转办的理由", blank=True)  # published to the proposer
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_topics",
    )
    handed_over_to = models.CharField("转办去向", max_length=60, blank=True)  # "吹哨 <number>"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = "议题"
        indexes = [
            models.Index(fields=["community", "status", "review_due"], name="topic_queue"),
            models.Index(fields=["compound", "status"], name="topic_compound"),
            models.Index(fields=["district", "proposed_at"], name="topic_district_day"),
            models.Index(fields=["community", "category"], name="topic_category"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number", "district"], name="topic_number"),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="topic_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def place(self):
        return self.building or self.compound or self.community

    @property
    def proposer_label(self) -> str:
        kind = ProposerKind(self.proposer_kind).label
        return f"{kind}·{self.proposer_body}" if self.proposer_body else kind


class TopicCosign(models.Model):
    """附议: one per resident and topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="cosign_rows")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("residents.Resident", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("附议时间")

    class Meta:
        verbose_name = "附议"
        verbose_name_plural = "附议"
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "resident", "district"], name="topic_cosign_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.resident_id}"


PHOTO_DIR = "deliberation"  # under MEDIA_ROOT


class TopicPhoto(models.Model):
    """A photo attached to a topic (the place, the problem), stored by
    ``core.photos`` and served only through a permission-checked view."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="photos")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    file = models.CharField("文件", max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "议题照片"
        verbose_name_plural = "议题照片"
        ordering = ["topic", "id"]

    def __str__(self) -> str:
        return self.file
