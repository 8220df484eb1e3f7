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
            models.UniqueConstraint(fields=["item", "number"], name="service_item_version_number"),
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
            models.UniqueConstraint(fields=["community", "item"], name="community_item_once"),
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
            models.UniqueConstraint(fields=["community", "name"], name="window_name_in_community"),
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
            models.UniqueConstraint(fields=["window", "date"], name="window_duty_one_worker"),
            models.UniqueConstraint(fields=["worker", "date"], name="window_duty_one_window"),
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
                fields=["worker", "community"],
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
