"""协商成果运用: each decision becomes an outcome with an owner and weighted
tasks, its progress rolled up from them (as Decidim's accountability does),
every status change published and told to the residents who took part, and
rated by them once done.

A task may be carried by a whistle to a department (raised from the task:
the whistle's evaluation finishes it) or by a pairing commitment of a
stationed unit.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class OwnerKind(models.TextChoices):
    COMMUNITY = "community", "社区"
    PROPERTY = "property", "物业服务企业"
    DEPARTMENT = "department", "职能部门"
    UNIT = "unit", "驻区单位"


class OutcomeState(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "实施中"
    DONE = "done", "已完成"
    SHELVED = "shelved", "搁置"  # with the reason, published


class Outcome(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    topic = models.OneToOneField(
        "deliberation.Topic", on_delete=models.PROTECT, related_name="outcome"
    )
    agenda_item = models.OneToOneField(
        "deliberation.AgendaItem", on_delete=models.PROTECT, related_name="outcome"
    )
    category = models.CharField("门类", max_length=30)
    title = models.CharField("协商成果", max_length=60)
    owner_kind = models.CharField(
        "责任方", max_length=16, choices=OwnerKind.choices, default=OwnerKind.COMMUNITY
    )
    owner_name = models.CharField("责任单位", max_length=100, blank=True)
    department = models.ForeignKey(
        "whistles.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "whistles.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=OutcomeState.choices)
    progress = models.DecimalField("进度（%）", max_digits=5, decimal_places=2, default=0)
    reason = models.TextField("搁置原因", blank=True)
    due = models.DateField("计划完成", null=True, blank=True)  # the latest task's due date
    started_at = models.DateTimeField("启动时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    on_time = models.BooleanField("按期完成", null=True, blank=True)
    ratings = models.PositiveIntegerField("评价人数", default=0)
    satisfied = models.PositiveIntegerField("满意人数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "协商成果"
        verbose_name_plural = "协商成果"
        indexes = [
            models.Index(fields=["community", "status"], name="outcome_queue"),
            models.Index(fields=["department", "status"], name="outcome_department"),
            models.Index(fields=["district", "category", "status"], name="outcome_category"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="outcome_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        kind = OwnerKind(self.owner_kind).label
        return f"{kind}·{self.owner_name}" if self.owner_name else kind


class TaskState(models.TextChoices):
    TODO = "todo", "未开始"
    DOING = "doing", "进行中"
    DONE = "done", "已完成"


class OutcomeTask(models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="tasks")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField("序号")
    title = models.CharField("任务", max_length=60)
    weight = models.PositiveSmallIntegerField("权重")
    due = models.DateField("完成期限")
    milestone = models.BooleanField("里程碑", default=False)
    status = models.CharField(
        "状态", max_length=8, choices=TaskState.choices, default=TaskState.TODO
    )
    progress = models.PositiveSmallIntegerField("完成度（%）", default=0)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    overdue_at = models.DateTimeField("标记超期", null=True, blank=True)  # by ``shequ tick``
    whistle = models.ForeignKey(
        "whistles.Whistle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commitment = models.ForeignKey(
        "whistles.Commitment",
        verbose_name="结对共建承诺",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "成果任务"
        verbose_name_plural = "成果任务"
        ordering = ["outcome", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "order", "district"], name="outcome_task_order"
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="outcome_task_weight"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="outcome_task_progress"),
        ]
        indexes = [
            models.Index(
                fields=["community", "due"], condition=~Q(status="done"), name="outcome_task_due"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OutcomeRating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class OutcomeReview(models.Model):
    """A resident who took part rates the finished outcome, once."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="reviews")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField("评价", max_length=16, choices=OutcomeRating.choices)
    comment = models.CharField("意见", max_length=500, blank=True)
    at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "成果评价"
        verbose_name_plural = "成果评价"
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "user", "district"], name="outcome_review_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome_id}:{self.rating}"
