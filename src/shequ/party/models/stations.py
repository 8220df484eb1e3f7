"""红旗驿站: a compound branch's station in a public or property room, its
rooms, weekly opening hours, the people on duty, when it was really open,
and what happened there. Whether it works (充分发挥作用) is computed per
month into ``StationMonth`` from those records, never declared.

The rooms are the link point for the facilities module: a booking there
will name a ``StationRoom``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class LocationKind(models.TextChoices):
    PUBLIC_ROOM = "public_room", "小区公共用房"
    PROPERTY_ROOM = "property_room", "物业用房"
    OTHER = "other", "其他"


class Station(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "core.Region", verbose_name="小区", on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        "party.PartyOrg",
        verbose_name="所属党支部",
        on_delete=models.PROTECT,
        related_name="stations",
    )
    name = models.CharField("驿站名称", max_length=60)
    location_kind = models.CharField("用房类型", max_length=16, choices=LocationKind.choices)
    address = models.CharField("位置", max_length=120)
    area = models.DecimalField("面积（平方米）", max_digits=8, decimal_places=2)
    opened_on = models.DateField("启用日期")
    active = models.BooleanField("运行中", default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "红旗驿站"
        verbose_name_plural = "红旗驿站"
        ordering = ["community", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="party_station_area_gt_0"),
        ]
        indexes = [models.Index(fields=["district", "active"], name="party_station_district")]

    def __str__(self) -> str:
        return self.name


class RoomKind(models.TextChoices):
    ACTIVITY_ROOM = "activity_room", "党群活动室"
    DELIBERATION_HALL = "deliberation_hall", "居民议事厅"
    OTHER = "other", "其他"


class StationRoom(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField("用途", max_length=20, choices=RoomKind.choices)
    name = models.CharField("名称", max_length=40)
    area = models.DecimalField("面积（平方米）", max_digits=8, decimal_places=2)
    capacity = models.PositiveIntegerField("容纳人数")

    class Meta:
        verbose_name = "驿站房间"
        verbose_name_plural = "驿站房间"
        ordering = ["station", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="party_room_area_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name


class StationHours(models.Model):
    """One opening period of the published weekly timetable (周一 9:00–11:30)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField("星期")  # 0 = 周一 … 6 = 周日 (date.weekday())
    opens = models.TimeField("开门")
    closes = models.TimeField("关门")

    class Meta:
        verbose_name = "开放时间"
        verbose_name_plural = "开放时间"
        ordering = ["station", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="party_hours_weekday"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="party_hours_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens}-{self.closes}"


class StationDuty(models.Model):
    """Who is on duty at the station on which weekday (值班)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="duties")
    weekday = models.PositiveSmallIntegerField("星期")
    member = models.ForeignKey(
        "party.PartyMember", verbose_name="值班党员", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班安排"
        ordering = ["station", "weekday", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "weekday", "member", "district"], name="party_duty_unique"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="party_duty_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}·{self.weekday}"


class StationOpening(models.Model):
    """开放登记: the station was really open on ``day`` from ``opened`` to
    ``closed``, signed by the person on duty. Its sum against the published
    hours is the month's open rate."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="openings")
    day = models.DateField("日期")
    opened = models.TimeField("开门")
    closed = models.TimeField("关门")
    logged_at = models.DateTimeField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "开放登记"
        verbose_name_plural = "开放登记"
        ordering = ["station", "-day", "opened"]
        constraints = [
            models.CheckConstraint(condition=Q(closed__gt=F("opened")), name="party_open_ordered"),
        ]
        indexes = [models.Index(fields=["station", "day"], name="party_opening_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.opened}-{self.closed}"


class ActivityKind(models.TextChoices):
    PARTY = "party", "党员活动"
    DELIBERATION = "deliberation", "议事"
    SERVICE = "service", "服务"
    STUDY = "study", "学习"


# The kinds that count as "hosted a deliberation or a resident service".
HOSTING_KINDS = (ActivityKind.DELIBERATION, ActivityKind.SERVICE)


class StationActivity(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="activities")
    day = models.DateField("日期")
    kind = models.CharField("类别", max_length=16, choices=ActivityKind.choices)
    title = models.CharField("活动内容", max_length=100)
    participants = models.PositiveIntegerField("参加人数")
    residents_served = models.PositiveIntegerField("服务居民人数")
    logged_at = models.DateTimeField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "驿站活动"
        verbose_name_plural = "驿站活动"
        ordering = ["station", "-day", "-id"]
        indexes = [models.Index(fields=["station", "day"], name="party_activity_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.title}"


PHOTO_DIR = "party"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(StationActivity, on_delete=models.CASCADE, related_name="photos")
    # The station's district (the sharding key).
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"

    def __str__(self) -> str:
        return self.path


class StationMonth(models.Model):
    """The month's facts of one station and the verdict drawn from them with
    the district's thresholds of that time; rewritten by every write to the
    station's month and rebuilt by ``shequ tick``."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="months")
    month = models.DateField("月份")  # the first day of the month
    published_minutes = models.PositiveIntegerField("公示开放时长（分钟）")
    open_minutes = models.PositiveIntegerField("实际开放时长（分钟）")
    activities_with_residents = models.PositiveIntegerField("有居民参加的活动")
    hosted = models.PositiveIntegerField("议事和服务活动")
    functioning = models.BooleanField("充分发挥作用")
    reason = models.CharField("判定说明", max_length=200)

    class Meta:
        verbose_name = "驿站月度运行"
        verbose_name_plural = "驿站月度运行"
        ordering = ["station", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "month", "district"], name="party_station_month"
            ),
        ]
        indexes = [
            models.Index(fields=["district", "month", "functioning"], name="party_month_district"),
            models.Index(fields=["community", "month"], name="party_month_community"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}@{self.month:%Y-%m}"
