"""The workbench's own records (工作台): in-app notifications (通知), the
outbox of external messages (SMS, WeChat), and announcements (公告) from the
district or a street to a scope, with their read receipts.

A notification is written in the transaction of the write that causes it
(an assignment, an escalation, a rating …) and names the community its
object belongs to, so a reader whose grant no longer covers that community
no longer sees it. An outbox row is written in that same transaction and
sent later by ``shequ tick``: nothing leaves the platform from inside a
write, and a write that rolls back sends nothing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationLevel(models.TextChoices):
    INFO = "info", "一般"
    WARNING = "warning", "提醒"
    URGENT = "urgent", "紧急"


class Notification(models.Model):
    """One message to one person, linking to the object it is about."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    # The community the object lies in (None: a district-wide object, e.g. a
    # district announcement): the reader's scope must cover it.
    community = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=40)  # "whistle.raised", "case.reviewed" …
    level = models.CharField(
        "级别", max_length=10, choices=NotificationLevel.choices, default=NotificationLevel.INFO
    )
    title = models.CharField("标题", max_length=200)
    body = models.CharField("内容", max_length=500, blank=True)
    url = models.CharField("链接", max_length=300)
    object_label = models.CharField(max_length=60, blank=True)  # "whistles.whistle"
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell: a person's unread ones (a partial index on PostgreSQL).
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "created_at"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return self.title


class OutboxChannel(models.TextChoices):
    SMS = "sms", "短信"
    WECHAT = "wechat", "政务微信"


class OutboxState(models.TextChoices):
    PENDING = "pending", "待发送"  # waiting for its next attempt
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"  # gave up after the last attempt


class OutboxMessage(models.Model):
    """An external message waiting to be sent, sent, or given up on. The
    address is a phone (encrypted, masked for display) or a staff account."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("渠道", max_length=10, choices=OutboxChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    address_enc = models.BinaryField("号码（密文）", null=True, blank=True)
    address_masked = models.CharField("号码", max_length=20, blank=True)
    text = models.CharField("内容", max_length=500)
    kind = models.CharField("类别", max_length=40)  # the notification kind that made it
    status = models.CharField(
        "状态", max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(address_enc__isnull=False),
                name="outbox_has_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.kind}"


class Announcement(models.Model):
    """通知公告: from the district or a street to everyone whose grant lies in
    ``region``'s subtree (or above it on the way to the district)."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        "core.Region", verbose_name="发送范围", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    important = models.BooleanField("重要", default=False)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    publisher_label = models.CharField("发布单位", max_length=80)  # "站前街道 街道干部"

    class Meta:
        verbose_name = "通知公告"
        verbose_name_plural = "通知公告"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["district", "published_at"], name="announcement_recent")]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    """A read receipt: who opened the announcement, once."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField("阅读时间")

    class Meta:
        verbose_name = "公告已读"
        verbose_name_plural = "公告已读"
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user", "district"], name="announcement_read_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id}←{self.user_id}"
