"""职能部门、驻区单位、联络员与结对共建 (seed 三（五）, 二（五）).

Departments and stationed units belong to the district; the whistles module
(a later increment) addresses its whistles to a ``Department``. A liaison
account holds a district-level grant and one ``Liaison`` row per body it
speaks for: it sees only what is addressed to those bodies.

A pairing agreement (结对共建协议) binds a community to one unit or one
department. Actions are logged against it (and, optionally, one of its
commitments); the community rates it once a quarter. ``paper_only_since`` is
stored by ``shequ tick`` (``services.pairing_flags_refresh``): an active
agreement with no action since the start of the last full quarter is "on
paper only" (仅满足于面上的工作).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class DepartmentKind(models.TextChoices):
    URBAN_MANAGEMENT = "urban_management", "城管执法"
    HOUSING = "housing", "住建"
    POLICE = "police", "公安派出所"
    MARKET = "market", "市场监管"
    ENVIRONMENT = "environment", "生态环境"
    TRANSPORT = "transport", "交通"
    FIRE = "fire", "消防"
    HEALTH = "health", "卫健"
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    OTHER = "other", "其他"


class Department(models.Model):
    """职能部门: receives whistles (later) and may pair with communities."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("部门名称", max_length=80)
    kind = models.CharField("类别", max_length=20, choices=DepartmentKind.choices)
    head_name = models.CharField("负责人", max_length=40, blank=True)
    # The head's phone: encrypted, with the clear head/tail for masked display.
    phone_enc = models.BinaryField("联系电话（密文）", null=True, blank=True)
    phone_head = models.CharField(max_length=4, blank=True)
    phone_tail = models.CharField("联系电话后四位", max_length=4, blank=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "职能部门"
        verbose_name_plural = "职能部门"
        ordering = ["district", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="department_name_in_district"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return f"{self.phone_head}****{self.phone_tail}" if self.phone_tail else ""


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    INSTITUTION = "institution", "机关事业单位"
    OTHER = "other", "其他"


class Unit(models.Model):
    """驻区单位: an enterprise, school, hospital or institution in the district."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("单位名称", max_length=80)
    kind = models.CharField("类别", max_length=20, choices=UnitKind.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    contact = models.CharField("联系人", max_length=40, blank=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "驻区单位"
        verbose_name_plural = "驻区单位"
        ordering = ["district", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="unit_name_in_district"),
        ]

    def __str__(self) -> str:
        return self.name


_ONE_PARTNER = Q(department__isnull=False, unit__isnull=True) | Q(
    department__isnull=True, unit__isnull=False
)


class Liaison(models.Model):
    """A liaison account speaks for exactly one department or one unit.

    The account's grant (role 职能部门联络员 / 驻区单位联络员) lies on the
    district; these rows say which bodies' business it sees.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="liaisons"
    )
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="liaisons"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="liaisons"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "联络员"
        verbose_name_plural = "联络员"
        constraints = [
            models.CheckConstraint(condition=_ONE_PARTNER, name="liaison_one_body"),
            models.UniqueConstraint(
                fields=["user", "department", "district"],
                condition=Q(department__isnull=False),
                name="liaison_department_once",
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "district"],
                condition=Q(unit__isnull=False),
                name="liaison_unit_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}→{self.department_id or self.unit_id}"

    @property
    def body(self) -> Department | Unit:
        return self.department if self.department_id else self.unit  # type: ignore[return-value]


# -- 结对共建 ---------------------------------------------------------------------------------


class AgreementState(models.TextChoices):
    ACTIVE = "active", "履行中"  # within its period, actions are logged against it
    ENDED = "ended", "已终止"  # ended by the community or the street; kept for the record


class PairingAgreement(models.Model):
    """结对共建协议 between a community and one unit or one department."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="驻区单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="职能部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    contact_name = models.CharField("对方联系人", max_length=40)
    contact_phone_enc = models.BinaryField("联系电话（密文）", null=True, blank=True)
    contact_phone_head = models.CharField(max_length=4, blank=True)
    contact_phone_tail = models.CharField(max_length=4, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=AgreementState.choices, default=AgreementState.ACTIVE
    )
    ended_on = models.DateField("终止日期", null=True, blank=True)
    # Set by ``shequ tick`` when no action was logged since the start of the
    # last full quarter; cleared by the next action. The date is the start of
    # the first quarter that went without one.
    paper_only_since = models.DateField("仅面上（起）", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("签订登记时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "结对共建协议"
        verbose_name_plural = "结对共建协议"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_PARTNER, name="agreement_one_partner"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_period_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="agreement_community_status"),
            models.Index(fields=["district", "status"], name="agreement_district_status"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}·{self.partner_name}"

    @property
    def partner(self) -> Department | Unit:
        return self.unit if self.unit_id else self.department  # type: ignore[return-value]

    @property
    def partner_name(self) -> str:
        partner = self.partner
        return partner.name if partner is not None else ""

    @property
    def partner_kind_label(self) -> str:
        return "驻区单位" if self.unit_id else "职能部门"

    @property
    def contact_phone_masked(self) -> str:
        if not self.contact_phone_tail:
            return ""
        return f"{self.contact_phone_head}****{self.contact_phone_tail}"

    @property
    def contact_name_masked(self) -> str:
        name = self.contact_name
        return name if len(name) <= 1 else name[0] + "*" * (len(name) - 1)


class CommitmentKind(models.TextChoices):
    PARKING = "parking", "开放停车位"
    VENUE = "venue", "场地共享"
    VOLUNTEERS = "volunteers", "志愿服务（人次/月）"
    FUNDS = "funds", "资金（元）"
    SKILLS = "skills", "技能服务"
    OTHER = "other", "其他"


# The unit of quantity each kind defaults to, shown in the form.
COMMITMENT_UNITS = {
    CommitmentKind.PARKING: "个",
    CommitmentKind.VENUE: "处",
    CommitmentKind.VOLUNTEERS: "人次/月",
    CommitmentKind.FUNDS: "元",
    CommitmentKind.SKILLS: "次",
    CommitmentKind.OTHER: "项",
}


class Commitment(models.Model):
    """One line of the resources list the partner commits to (共建清单)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        PairingAgreement, on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField("类别", max_length=20, choices=CommitmentKind.choices)
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2)
    quantity_unit = models.CharField("单位", max_length=20)
    description = models.CharField("内容", max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "共建承诺"
        verbose_name_plural = "共建承诺"
        ordering = ["agreement", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="commitment_quantity_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity}{self.quantity_unit}"


class ActionKind(models.TextChoices):
    VOLUNTEER = "volunteer", "志愿服务"
    RESOURCE = "resource", "资源共享（场地、车位等）"
    FUNDS = "funds", "资金支持"
    SKILLS = "skills", "技能服务"
    # An in-service party member registering with the home community: kept as
    # an action of their unit until the party module takes these over.
    DUAL_REGISTRATION = "dual_registration", "在职党员双报到"
    OTHER = "other", "其他"


class PairingAction(models.Model):
    """共建活动: what the partner actually did, when, with how many people."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        PairingAgreement, on_delete=models.CASCADE, related_name="actions"
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    kind = models.CharField("类别", max_length=20, choices=ActionKind.choices)
    what = models.CharField("内容", max_length=200)
    date = models.DateField("日期")
    hours = models.DecimalField("服务时长（小时）", max_digits=8, decimal_places=1, default=0)
    people = models.PositiveIntegerField("参与人数", default=0)
    resources = models.CharField("实际提供的资源", max_length=300, blank=True)
    amount = models.DecimalField(
        "资金或物资折款（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    # 在职党员双报到 only: the member (shown masked) who registered.
    member_name = models.CharField("报到党员", max_length=40, blank=True)
    logged_at = models.DateTimeField("登记时间")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "共建活动"
        verbose_name_plural = "共建活动"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="pairing_action_hours_gte_0"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="pairing_action_amount_gte_0",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "date"], name="pairing_action_agreement_day"),
            models.Index(fields=["community", "date"], name="pairing_action_community_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.what}"

    @property
    def member_name_masked(self) -> str:
        name = self.member_name
        return name if len(name) <= 1 else name[0] + "*" * (len(name) - 1)


class QuarterScore(models.IntegerChoices):
    GOOD = 4, "好"
    FAIRLY_GOOD = 3, "较好"
    AVERAGE = 2, "一般"
    POOR = 1, "差"


class QuarterRating(models.Model):
    """The community's rating of the partner for one quarter; once a quarter."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        PairingAgreement, on_delete=models.CASCADE, related_name="ratings"
    )
    quarter = models.CharField("季度", max_length=6)  # "2026Q4"
    score = models.PositiveSmallIntegerField("评价", choices=QuarterScore.choices)
    comment = models.CharField("评语", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "季度评价"
        verbose_name_plural = "季度评价"
        ordering = ["agreement", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "quarter", "district"], name="quarter_rating_once"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=4), name="quarter_rating_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.get_score_display()}"


# -- 吹哨报到 ----------------------------------------------------------------------------------


class WhistleUrgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class WhistleState(models.TextChoices):
    RAISED = "raised", "已吹哨"  # waiting for the lead department to report in
    REPORTED = "reported", "已报到"  # acknowledged, a responsible person named
    HANDLING = "handling", "处置中"
    RESOLVED = "resolved", "已办结"  # result written; the community evaluates
    EVALUATED = "evaluated", "已评价"
    CLOSED = "closed", "已关闭"
    DISPUTED = "disputed", "已退回"  # "not our remit": the street reassigns


class WhistleEvaluation(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class WhistleRule(models.Model):
    """Per-category deadlines; a category without a row uses the defaults
    (``services.whistles.DEFAULT_RULE``)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("类别", max_length=20)
    urgent_report_hours = models.PositiveSmallIntegerField("紧急报到时限（小时）", default=2)
    normal_report_days = models.PositiveSmallIntegerField("一般报到时限（工作日）", default=1)
    resolve_days = models.PositiveSmallIntegerField("办结时限（工作日）", default=5)

    class Meta:
        verbose_name = "吹哨时限规则"
        verbose_name_plural = "吹哨时限规则"
        constraints = [
            models.UniqueConstraint(fields=["district", "category"], name="whistle_rule_once"),
        ]

    def __str__(self) -> str:
        return self.category


class Whistle(models.Model):
    """吹哨: a community hands a problem it cannot solve alone to a lead
    department (and cooperating ones), with a report-in and a resolution
    deadline. Raised by a community for now (a street-level number scheme is
    left for later)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("编号", max_length=32)  # unique with the district
    title = models.CharField("标题", max_length=100)
    description = models.TextField("情况描述")
    category = models.CharField("类别", max_length=20)
    place = models.ForeignKey(
        "core.Region",
        verbose_name="小区/楼栋",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField("地点", max_length=200, blank=True)
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=WhistleUrgency.choices, default=WhistleUrgency.NORMAL
    )
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_whistles"
    )
    cooperating = models.ManyToManyField(
        Department,
        verbose_name="协办部门",
        blank=True,
        related_name="cooperating_whistles",
        through="WhistleCooperation",
    )
    status = models.CharField(
        "状态", max_length=10, choices=WhistleState.choices, default=WhistleState.RAISED
    )
    raised_at = models.DateTimeField("吹哨时间")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The current addressee's clock: set again when the street reassigns.
    addressed_at = models.DateTimeField("派单时间")
    report_in_due = models.DateTimeField("报到期限")
    resolve_due = models.DateTimeField("办结期限")
    reported_at = models.DateTimeField("报到时间", null=True, blank=True)
    responsible_name = models.CharField("责任人", max_length=40, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    evaluation = models.CharField(
        "社区评价", max_length=12, choices=WhistleEvaluation.choices, blank=True
    )
    evaluated_at = models.DateTimeField("评价时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    dispute_reason = models.CharField("退回理由", max_length=500, blank=True)
    disputes = models.PositiveSmallIntegerField("退回次数", default=0)
    reassign_due = models.DateTimeField("改派期限", null=True, blank=True)
    escalation = models.PositiveSmallIntegerField("督办级别", default=0)  # 0 / 1 街道 / 2 区
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)

    class Meta:
        verbose_name = "吹哨事项"
        verbose_name_plural = "吹哨事项"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number", "district"], name="whistle_number"),
            models.CheckConstraint(
                condition=Q(escalation__gte=0, escalation__lte=2), name="whistle_escalation_range"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="whistle_community_status"),
            models.Index(fields=["lead_department", "raised_at"], name="whistle_department_month"),
            models.Index(fields=["district", "raised_at"], name="whistle_district_month"),
            # The scorecard counts a month by when the whistle was last addressed.
            models.Index(fields=["district", "addressed_at"], name="whistle_district_addressed"),
            models.Index(fields=["status", "escalation"], name="whistle_open_escalation"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class WhistleCooperation(models.Model):
    """One cooperating department of a whistle (协办部门): the link row of
    ``Whistle.cooperating``, carrying the whistle's district (the sharding
    key). The table is the one Django made for the plain many-to-many."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "whistles_whistle_cooperating"
        verbose_name = "协办部门"
        verbose_name_plural = "协办部门"
        constraints = [
            models.UniqueConstraint(
                fields=["whistle", "department", "district"], name="whistle_cooperating_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id}→{self.department_id}"


class WhistleDispute(models.Model):
    """One 退回 by a department: kept so the scorecard counts each department's
    disputes even after the whistle was reassigned."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="dispute_rows")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("退回理由", max_length=500)
    at = models.DateTimeField()

    class Meta:
        verbose_name = "吹哨退回记录"
        verbose_name_plural = "吹哨退回记录"
        indexes = [models.Index(fields=["department", "at"], name="whistle_dispute_dept_at")]

    def __str__(self) -> str:
        return f"{self.whistle_id}←{self.department_id}"


class NoticeKind(models.TextChoices):
    REPORT_IN = "report_in", "逾期未报到"
    RESOLVE = "resolve", "逾期未办结"
    REASSIGN = "reassign", "逾期未改派"


class EscalationNotice(models.Model):
    """督办通知: written by the escalation job in the same transaction as the
    escalation, addressed to the head of the department (read by its
    liaisons), shown to the street and district too. One per whistle, kind,
    level and addressing round (``addressed_at``): running the job again, or
    a crash half-way, never writes a second one."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("督办原因", max_length=10, choices=NoticeKind.choices)
    level = models.PositiveSmallIntegerField("督办级别")  # 1 街道 / 2 区
    # The department whose head is noticed; none when the street is late
    # (a missed reassignment goes to the district).
    department = models.ForeignKey(
        Department,
        verbose_name="职能部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalation_notices",
    )
    addressed_at = models.DateTimeField("派单时间")
    text = models.CharField("通知内容", max_length=500)
    created_at = models.DateTimeField("督办时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "督办通知"
        verbose_name_plural = "督办通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["whistle", "kind", "level", "addressed_at", "district"],
                name="escalation_notice_once",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=2), name="escalation_notice_level"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "read_at"], name="notice_department_unread"),
            models.Index(fields=["district", "created_at"], name="notice_district_created"),
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id} L{self.level} {self.kind}"
