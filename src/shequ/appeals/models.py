"""居民诉求: what residents raise about shared life (environment, parking,
noise, repairs…), its triage by the community within a working-day limit,
the result, the resident's rating and "me too" supporters.

Like a case, an appeal carries its district and community (scope and
sharding keys) and, when it is placed there, its compound and building. The
contact phone is stored only as SM4 ciphertext with its first three and last
four digits in clear for masked display.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shequ.core.categories import IssueCategory


class AppealKind(models.TextChoices):
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"


# An appeal's category is the platform's issue category (whistles carry it too).
AppealCategory = IssueCategory


class AppealChannel(models.TextChoices):
    PHONE = "phone", "手机"  # the resident's own phone page
    WINDOW = "window", "窗口"  # told to a worker at the community
    BUILDING_HEAD = "building_head", "楼栋长代报"
    HOTLINE = "hotline", "热线"  # a 12345 call entered by a worker
    OPEN311 = "open311", "第三方接口"  # an external client, no user


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", "待分办"  # waiting for the community's triage
    HANDLING = "handling", "社区办理中"  # the community resolves it itself (自办自结)
    WHISTLED = "whistled", "已吹哨"  # handed to departments (whistles app, not yet reachable)
    DELIBERATION = "deliberation", "议事协商"  # put to a deliberation topic
    MERGED = "merged", "已合并"  # a duplicate, counted as a supporter of the original
    CLOSED = "closed", "已办结"  # result written; the resident may rate and reopen once


# States in which an appeal still waits for a result (and may take duplicates).
OPEN_STATES = (
    AppealState.SUBMITTED,
    AppealState.HANDLING,
    AppealState.WHISTLED,
    AppealState.DELIBERATION,
)


class TriageDecision(models.TextChoices):
    SELF = "self", "社区自办自结"
    MERGE = "merge", "合并为重复诉求"
    WHISTLE = "whistle", "吹哨（部门报到）"
    DELIBERATION = "deliberation", "提交议事协商"


class AppealRating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Appeal(models.Model):
    """诉求: one matter raised by (or for) a resident, numbered like a receipt."""

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
    address = models.CharField("地点说明", max_length=200, blank=True)
    # Unique with the district (the sharding key); a receipt number starts with
    # the community's code, so it is unique across districts as well.
    number = models.CharField("诉求编号", max_length=32, db_index=True)
    kind = models.CharField("类型", max_length=16, choices=AppealKind.choices)
    category = models.CharField("类别", max_length=20, choices=AppealCategory.choices)
    description = models.TextField("诉求内容")
    # Content words of the description (jieba, stop words dropped), space
    # separated: duplicate suggestions compare these without segmenting again.
    keywords = models.TextField("关键词", blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    channel = models.CharField("渠道", max_length=16, choices=AppealChannel.choices)

    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    anonymous = models.BooleanField("匿名", default=False)
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    phone_enc = models.BinaryField("联系电话（密文）", null=True, blank=True)
    phone_head = models.CharField(max_length=3, blank=True)
    phone_tail = models.CharField("联系电话后四位", max_length=4, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField("外部来源", max_length=64, blank=True)
    # 首接负责: who received it owns it until handed on (appeal_hand_over).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="首接负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_appeals",
    )

    status = models.CharField("状态", max_length=16, choices=AppealState.choices)
    submitted_at = models.DateTimeField("提出时间")
    triage_due = models.DateField("分办期限")
    triage_due_uncertain = models.BooleanField("期限待定（节假日未公布）", default=False)
    triaged_at = models.DateTimeField("分办时间", null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        "分办结果", max_length=16, choices=TriageDecision.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="合并至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    supporters = models.PositiveIntegerField("我也遇到", default=0)
    # The whistles this appeal was handed to (吹哨). The link is the appeal's:
    # appeals hand themselves to whistles, whistles know no appeal. Its rows
    # are ``AppealWhistle``'s.
    whistles = models.ManyToManyField(
        "whistles.Whistle",
        verbose_name="吹哨事项",
        blank=True,
        related_name="appeals",
        through="AppealWhistle",
    )
    # The deliberation topic this appeal was put to (分办：议事协商); it
    # closes when the topic's outcome is done (deliberation's hooks).
    topic = models.ForeignKey(
        "deliberation.Topic",
        verbose_name="协商议题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.TextField("办理结果", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.CharField("评价", max_length=16, choices=AppealRating.choices, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "居民诉求"
        verbose_name_plural = "居民诉求"
        indexes = [
            # the community's queue and its overdue triage: status + deadline
            models.Index(fields=["community", "status", "triage_due"], name="appeal_queue"),
            # duplicate suggestions: same category and place, open
            models.Index(fields=["community", "category", "status"], name="appeal_dup"),
            models.Index(fields=["compound", "category", "status"], name="appeal_dup_compound"),
            models.Index(fields=["district", "submitted_at"], name="appeal_district_day"),
            models.Index(fields=["owner", "status"], name="appeal_owner"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number", "district"], name="appeal_number"),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(duplicate_of__isnull=False),
                name="appeal_merged_has_original",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | (Q(lat__gte=-90) & Q(lat__lte=90)),
                name="appeal_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(long__isnull=True) | (Q(long__gte=-180) & Q(long__lte=180)),
                name="appeal_long_range",
            ),
            models.CheckConstraint(condition=Q(reopened_count__lte=1), name="appeal_reopened_once"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def phone_masked(self) -> str:
        return f"{self.phone_head}****{self.phone_tail}" if self.phone_tail else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


class AppealWhistle(models.Model):
    """The link row of ``Appeal.whistles``: the appeal handed to the whistle,
    carrying the appeal's district (the sharding key). The table keeps the
    name it had when the field was declared on Whistle."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    whistle = models.ForeignKey("whistles.Whistle", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "whistles_whistle_appeals"
        verbose_name = "诉求吹哨"
        verbose_name_plural = "诉求吹哨"
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "whistle", "district"], name="appeal_whistle_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}→{self.whistle_id}"


PHOTO_DIR = "appeals"  # under MEDIA_ROOT


class AppealPhoto(models.Model):
    """A photo of the matter. Files live under MEDIA_ROOT/appeals/, named by
    their SHA-256 (a file is written once and never changed), and are
    served only through a permission-checked view."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    file = models.CharField("文件", max_length=200)  # path relative to MEDIA_ROOT
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "诉求照片"
        verbose_name_plural = "诉求照片"
        ordering = ["appeal", "id"]

    def __str__(self) -> str:
        return self.file


class AppealSupporter(models.Model):
    """我也遇到: one per person and appeal (a user, or for external channels
    the phone's last four digits)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="supporter_rows")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        "residents.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone_tail = models.CharField(max_length=4, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "我也遇到"
        verbose_name_plural = "我也遇到"
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "user", "district"],
                condition=Q(user__isnull=False),
                name="appeal_supporter_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}:{self.user_id or self.phone_tail}"
