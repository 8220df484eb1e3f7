"""Timeline events: the visible history of any workflow object."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class TimelineEvent(models.Model):
    # The subject's district (the sharding key): its history lives beside it.
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        "core.User",
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_role = models.CharField("角色", max_length=32, blank=True)
    action = models.CharField("动作", max_length=64)
    action_label = models.CharField("动作名称", max_length=64, blank=True)
    from_state = models.CharField("原状态", max_length=32, blank=True)
    to_state = models.CharField("新状态", max_length=32, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="timeline_subject")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action_label or self.action}"
