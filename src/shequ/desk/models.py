"""一窗受理·全科服务: the district's service catalog, its versions, what each
community adopts, the comprehensive windows and the generalist workers.

An item's fields that a case depends on live on ``ServiceItemVersion``; a
revision adds a version and moves ``ServiceItem.current_version``, so a case
keeps the version it was accepted under.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Category(models.TextChoices):
    SOCIAL_SECURITY = "social_security", "社会保障"
    CIVIL_ASSISTANCE = "civil_assistance", "民政救助"
    ELDERLY = "elderly", "养老服务"
    DISABILITY = "disability", "残疾人服务"
    HEALTH = "health", "卫生健康"
    EMPLOYMENT = "employment", "就业创业"
    VETERANS = "veterans", "退役军人"
    HOUSING = "housing", "住房保障"
    CERTIFICATE = "certificate", "证明开具"
    OTHER = "other", "其他"


class ItemKind(models.TextChoices):
    IMMEDIATE = "immediate", "即办件"  # done on the spot at the window
    PROMISED = "promised", "承诺件"  # done within the promised working days
    FORWARDED = "forwarded", "转办件"  # accepted here, decided by the department


class ServiceItem(models.Model):
    """公共服务事项: one entry of the district's catalog."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("事项编码", max_length=32)
    # Mirrors of the current version, for search and lists.
    name = models.CharField("事项名称", max_length=100)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    department = models.CharField("责任部门", max_length=100)
    current_version = models.ForeignKey(
        "ServiceItemVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="service_item_code"),
        ]
        indexes = [models.Index(fields=["district", "category"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceItemVersion(models.Model):
    """A published state of an item; never edited after it is written."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="versions")
    # The item's district (the sharding key).
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField("版本号")
    name = models.CharField("事项名称", max_length=100)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    department = models.CharField("责任部门", max_length=100)
    legal_basis = models.TextField("设定依据", blank=True)
    # [{name, original_or_copy, key, template}], checked by validation.clean_materials
    materials = models.JSONField("申请材料", default=list)
    legal_days = models.PositiveSmallIntegerField("法定时限（工作日）")
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    kind = models.CharField("办件类型", max_length=20, choices=ItemKind.choices)
    fee = models.DecimalField("收费标准（元）", max_digits=10, decimal_places=2, default=0)
    proxy_allowed = models.BooleanField("可代办", default=False)
    online_allowed = models.BooleanField("可网办", default=False)
    # [{name, type, required, options}], checked by validation.clean_form_fields
    form_fields = models.JSONField("补充填报项", default=list)
    published_at = models.DateTimeField("发布时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number", "district"], name="service_item_version_number"
            ),
            models.CheckConstraint(
                condition=Q(promised_days__lte=F("legal_days")), name="promised_within_legal"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="service_item_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"

    @property
    def key_materials(self) -> list[dict]:
        return [m for m in self.materials if m.get("key")]

    @property
    def form_fields_display(self) -> list[dict]:
        """The extra fields with their type in Chinese, for the pages."""
        labels = {"text": "文本", "number": "数字", "date": "日期", "choice": "选项"}
        return [f | {"type_label": labels.get(f.get("type"), "")} for f in self.form_fields]


class CommunityItem(models.Model):
    """A community offers an item (事项认领); dropping keeps the row, inactive."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="adoptions")
    adopted_at = models.DateTimeField("认领时间")
    active = models.BooleanField("在办", default=True)

    class Meta:
        verbose_name = "社区认领事项"
        verbose_name_plural = "社区认领事项"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "item", "district"], name="community_item_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}:{self.item_id}"


class Window(models.Model):
    """社区综合服务窗口."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("窗口名称", max_length=40)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "综合窗口"
        verbose_name_plural = "综合窗口"
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name", "district"], name="window_name_in_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WindowDuty(models.Model):
    """Who sits at a window on a day (one worker a window, one window a worker)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="duties")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="window_duties"
    )
    date = models.DateField("日期")

    class Meta:
        verbose_name = "窗口值班"
        verbose_name_plural = "窗口值班"
        constraints = [
            models.UniqueConstraint(
                fields=["window", "date", "district"], name="window_duty_one_worker"
            ),
            models.UniqueConstraint(
                fields=["worker", "date", "district"], name="window_duty_one_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} {self.date}"


class Qualification(models.Model):
    """受理资格: the categories a worker may accept in a community (全科 = all)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qualifications"
    )
    all_categories = models.BooleanField("全科", default=False)
    categories = models.JSONField("可受理类别", default=list)
    granted_at = models.DateField("取得日期")
    basis = models.CharField("依据", max_length=200)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("收回时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "受理资格"
        verbose_name_plural = "受理资格"
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "community", "district"],
                condition=Q(revoked_at__isnull=True),
                name="qualification_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.community_id}"

    @property
    def category_labels(self) -> list[str]:
        if self.all_categories:
            return ["全科"]
        return [Category(c).label for c in self.categories if c in Category.values]


# -- cases (办件) -------------------------------------------------------------------------


class Channel(models.TextChoices):
    WINDOW = "window", "窗口受理"
    ONLINE = "online", "网上申请"
    PHONE = "phone", "电话申请"
    PROXY = "proxy", "上门代办"


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", "待受理"  # an online application a worker has not checked yet
    ACCEPTED = "accepted", "已受理"
    IN_PROGRESS = "in_progress", "办理中"
    SUPPLEMENT = "supplement", "待补正"  # clock paused until the applicant supplies
    SUSPENDED = "suspended", "挂起"  # clock paused, with a reason
    COMPLETED = "completed", "已办结"
    DELIVERED = "delivered", "已送达"
    WITHDRAWN = "withdrawn", "已撤回"
    NOT_ACCEPTED = "not_accepted", "不予受理"  # an online application turned down


# States whose clock runs; paused and finished ones are not "overdue now".
CLOCK_RUNNING = (CaseState.ACCEPTED, CaseState.IN_PROGRESS)
CLOCK_PAUSED = (CaseState.SUPPLEMENT, CaseState.SUSPENDED)
OPEN_STATES = (CaseState.SUBMITTED, *CLOCK_RUNNING, *CLOCK_PAUSED)
DONE_STATES = (CaseState.COMPLETED, CaseState.DELIVERED)


class Outcome(models.TextChoices):
    APPROVED = "approved", "准予办理"
    REFUSED = "refused", "不予办理"


class Case(models.Model):
    """办件: one application for one item, under the item version it was
    accepted with. Deadline fields are stored (not computed on read) so lists
    of overdue and near-deadline cases are plain indexed date comparisons and
    a later edit of the holiday table cannot rewrite a finished case."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    # Unique with the district (the sharding key); the number starts with the
    # community's code, so it is unique across districts as well.
    receipt_no = models.CharField("受理编号", max_length=32, db_index=True)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField("状态", max_length=16, choices=CaseState.choices)

    # The applicant as they applied (a snapshot; ``resident`` links the register).
    resident = models.ForeignKey(
        "residents.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_name = models.CharField("申请人", max_length=40)
    id_number_enc = models.BinaryField("身份证号（密文）")
    id_number_index = models.CharField(max_length=64, db_index=True)
    id_number_tail = models.CharField(max_length=4)
    phone_enc = models.BinaryField("联系电话（密文）")
    phone_head = models.CharField(max_length=3)
    phone_tail = models.CharField("联系电话后四位", max_length=4)

    # [{name, original_or_copy, key, provided}] from the version, as ticked at intake.
    materials = models.JSONField("材料清单", default=list)
    supplement_by = models.DateField("容缺材料补齐期限", null=True, blank=True)
    materials_complete = models.BooleanField("材料齐全", default=True)
    form_data = models.JSONField("补充填报", default=dict)
    note = models.TextField("备注", blank=True)

    submitted_at = models.DateTimeField("申请时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accepted_cases",
    )
    # Deadline: ``promised_days`` working days after ``accepted_on`` plus the
    # working days the clock stood still (``paused_days``); warnings at 70 %
    # and 90 % of the time. Recomputed when the clock restarts.
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）", default=0)
    paused_days = models.PositiveSmallIntegerField("暂停工作日", default=0)
    paused_since = models.DateField("暂停开始", null=True, blank=True)
    due_date = models.DateField("办结期限", null=True, blank=True)
    warn70_on = models.DateField("临期提醒日", null=True, blank=True)
    warn90_on = models.DateField("超期预警日", null=True, blank=True)
    due_uncertain = models.BooleanField("期限待定（节假日未公布）", default=False)
    # Frozen at every transition: was the case past its deadline at that moment.
    overdue = models.BooleanField("超期", default=False)

    department = models.CharField("转办部门", max_length=100, blank=True)
    department_due = models.DateField("部门办理期限", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=10, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField("结果说明", blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    closed_reason = models.TextField("撤回或不予受理原因", blank=True)

    visit_count = models.PositiveSmallIntegerField("到访次数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["community", "status", "due_date"], name="case_community_due"),
            models.Index(fields=["accepted_by", "status", "due_date"], name="case_worker_due"),
            models.Index(fields=["district", "accepted_on"], name="case_district_day"),
            models.Index(fields=["community", "accepted_on"], name="case_community_day"),
            # The workbench counts a scope's open cases (a few percent of all):
            # a partial index over them alone, carrying the columns its lines
            # test, so a district's count reads no finished case (PostgreSQL
            # keeps the included columns; SQLite the partial index).
            models.Index(
                fields=["community", "status"],
                include=[
                    "id",
                    "due_date",
                    "warn70_on",
                    "accepted_by",
                    "supplement_by",
                    "materials_complete",
                ],
                condition=Q(status__in=OPEN_STATES),
                name="case_open_workbench",
            ),
            # The nearest deadlines of a street's or the district's running
            # cases, in deadline order without sorting them all.
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=CLOCK_RUNNING),
                name="case_running_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["receipt_no", "district"], name="case_receipt_no"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(completed_at__isnull=False), name="case_outcome_done"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_no

    @property
    def missing_materials(self) -> list[dict]:
        return [m for m in self.materials if not m.get("provided")]

    @property
    def outdated(self) -> bool:
        """Open, not yet replaced, and issued under a version of the item that
        is no longer the current one: the applicant was told an old list."""
        return (
            self.case_id is None
            and self.reissued_as_id is None
            and self.version_id != self.item.current_version_id
        )

    @property
    def one_trip(self) -> bool:
        return self.visit_count <= 1


class Notice(models.Model):
    """一次性告知单: a key material was missing, so no case was opened; the
    notice lists everything missing, once, and the applicant's next visit
    with those materials must be accepted."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("告知单编号", max_length=32)  # unique with the district
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ServiceItemVersion, on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField("申请人", max_length=40)
    id_number_enc = models.BinaryField()
    id_number_index = models.CharField(max_length=64, db_index=True)
    id_number_tail = models.CharField(max_length=4)
    phone_enc = models.BinaryField()
    phone_head = models.CharField(max_length=3)
    phone_tail = models.CharField(max_length=4)
    # The version's materials with ``provided`` as checked: the missing ones
    # are what the notice lists.
    materials = models.JSONField("材料清单", default=list)
    issued_at = models.DateTimeField("出具时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the applicant came back and the case was accepted.
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="notice"
    )
    # Set when the item's materials list changed while the notice was open
    # and a new notice under the new version replaced it (重新告知).
    reissued_as = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reissued_from"
    )

    class Meta:
        verbose_name = "一次性告知单"
        verbose_name_plural = "一次性告知单"
        constraints = [
            models.UniqueConstraint(fields=["number", "district"], name="notice_number"),
        ]
        indexes = [models.Index(fields=["id_number_index", "item"], name="notice_applicant_item")]

    def __str__(self) -> str:
        return self.number

    @property
    def missing_materials(self) -> list[dict]:
        return [m for m in self.materials if not m.get("provided")]

    @property
    def outdated(self) -> bool:
        """Open, not yet replaced, and issued under a version of the item that
        is no longer the current one: the applicant was told an old list."""
        return (
            self.case_id is None
            and self.reissued_as_id is None
            and self.version_id != self.item.current_version_id
        )


class VisitPurpose(models.TextChoices):
    INTAKE = "intake", "申请受理"
    NOTICE = "notice", "材料不全（出具一次性告知）"
    SUPPLEMENT = "supplement", "补交材料"
    PICKUP = "pickup", "领取结果"
    OTHER = "other", "其他"


class Visit(models.Model):
    """到访: one in-person visit of the applicant to a window. Intake is the
    first; every further visit says why (最多跑一趟)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="visits"
    )
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="visits"
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("到访时间")
    purpose = models.CharField("事由", max_length=12, choices=VisitPurpose.choices)
    reason = models.CharField("再次到访原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "到访"
        verbose_name_plural = "到访"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_purpose_display()}"


class Rating(models.IntegerChoices):
    """The national 好差评 five levels (5 = 非常满意)."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


class Review(models.Model):
    """好差评: the applicant's one rating of a completed case."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="review")
    rating = models.PositiveSmallIntegerField("评价", choices=Rating.choices)
    comment = models.TextField("评价内容", blank=True)
    at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="rating_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_rating_display()}"


class RectificationState(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFIED = "rectified", "已整改待回访"
    CLOSED = "closed", "已回访"


class Rectification(models.Model):
    """整改: opened by a 不满意 or 非常不满意 review, for the community secretary,
    with a working-day deadline and a follow-up call (回访) whose result is kept."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="rectification")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=RectificationState.choices)
    opened_at = models.DateTimeField("下发时间")
    due_date = models.DateField("整改期限")
    measures = models.TextField("整改措施", blank=True)
    rectified_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    followup_result = models.TextField("回访结果", blank=True)
    followup_satisfied = models.BooleanField("回访满意", null=True, blank=True)
    followup_at = models.DateTimeField("回访时间", null=True, blank=True)
    followup_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue = models.BooleanField("超期", default=False)

    class Meta:
        verbose_name = "整改"
        verbose_name_plural = "整改"
        indexes = [models.Index(fields=["community", "status", "due_date"])]

    def __str__(self) -> str:
        return f"整改 {self.case_id}"


class CaseStat(models.Model):
    """Case figures rolled up by (community, month, item, window, worker):
    bumped by the case services, rebuilt by ``shequ tick``. Every statistic
    of the desk is a sum over these rows; a figure drills down to the cases
    through the same keys."""

    district = models.ForeignKey("core.Region", on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey("core.Region", on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.CASCADE, related_name="+")
    month = models.DateField("月份")  # first day of the month of acceptance
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    window_id_key = models.PositiveBigIntegerField(default=0)  # 0 = no window
    worker_id_key = models.PositiveBigIntegerField(default=0)  # 0 = no worker
    accepted = models.PositiveIntegerField("受理", default=0)
    completed = models.PositiveIntegerField("办结", default=0)
    on_time = models.PositiveIntegerField("按时办结", default=0)
    overdue = models.PositiveIntegerField("超期办结", default=0)
    one_trip = models.PositiveIntegerField("最多跑一趟", default=0)
    rated = models.PositiveIntegerField("评价数", default=0)
    rating_5 = models.PositiveIntegerField("非常满意", default=0)
    rating_4 = models.PositiveIntegerField("满意", default=0)
    rating_3 = models.PositiveIntegerField("基本满意", default=0)
    rating_2 = models.PositiveIntegerField("不满意", default=0)
    rating_1 = models.PositiveIntegerField("非常不满意", default=0)

    class Meta:
        verbose_name = "办件统计"
        verbose_name_plural = "办件统计"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "month", "item", "window_id_key", "worker_id_key", "district"],
                name="case_stat_key",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "month"]),
            models.Index(fields=["street", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month:%Y-%m} {self.item_id}"
