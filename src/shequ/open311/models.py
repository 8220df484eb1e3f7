"""Open311 GeoReport v2: the third-party clients that may post requests
(a 12345 hotline, a WeChat mini-program), what each one posted, and a
per-minute counter for their rate limit.

A client's api_key is shown once when it is issued; only its SM3 digest and
an 8-character prefix (to tell keys apart on the page) are stored.
"""

from django.conf import settings
from django.db import models


class Open311Client(models.Model):
    """接入客户端: one external system of a district, holding one api_key."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=60)
    key_prefix = models.CharField("密钥前缀", max_length=8)
    key_digest = models.CharField(max_length=64)  # unique with the district
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=60)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("收回时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "Open311 接入客户端"
        verbose_name_plural = "Open311 接入客户端"
        constraints = [
            models.UniqueConstraint(fields=["key_digest", "district"], name="open311_client_key"),
        ]
        ordering = ["district", "revoked_at", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class SubmissionKind(models.TextChoices):
    APPEAL = "appeal", "诉求"
    CASE = "case", "网上申请"


class Open311Submission(models.Model):
    """One request a client posted and what it became (an appeal or a case).
    ``token`` answers ``GET tokens/{token}``; ``service_request_id`` is the
    appeal's or case's own number."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="submissions")
    token = models.CharField(max_length=32)  # unique with the district
    kind = models.CharField("类型", max_length=8, choices=SubmissionKind.choices)
    service_code = models.CharField(max_length=64)
    service_request_id = models.CharField(max_length=32)
    created_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "Open311 提交记录"
        verbose_name_plural = "Open311 提交记录"
        constraints = [
            models.UniqueConstraint(fields=["token", "district"], name="open311_submission_token"),
        ]
        indexes = [models.Index(fields=["client", "created_at"], name="open311_client_day")]

    def __str__(self) -> str:
        return self.service_request_id


class Open311RateCount(models.Model):
    """Requests of a client in one minute (the rate limit's window)."""

    client = models.ForeignKey(Open311Client, on_delete=models.CASCADE, related_name="+")
    # The client's district (the sharding key).
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "Open311 请求计数"
        verbose_name_plural = "Open311 请求计数"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "minute", "district"], name="open311_rate_minute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.minute:%H:%M} {self.count}"
