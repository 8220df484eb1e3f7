"""Append-only audit trail, sealed into SM3 hash-chained blocks."""

from django.apps import apps
from django.db import models

from shequ.core.permissions import Role
from shequ.core.registry import audit_action_label


class AuditRecord(models.Model):
    """One write, refused write, or unmasked view of personal data.

    Rows are only ever inserted: the application has no path that updates or
    deletes them, and database triggers (see migration 0002) refuse both.
    Hashes live in ``AuditSeal`` so that sealing never touches a record.
    """

    at = models.DateTimeField("时间", db_index=True)
    user = models.ForeignKey(
        "core.User",
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField("账号", max_length=150, blank=True)
    role = models.CharField("角色", max_length=32, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region = models.ForeignKey(
        "core.Region",
        verbose_name="区划",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    success = models.BooleanField("成功", default=True)
    message = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    # The object's name as it is now, set by the audit pages' selectors
    # (``audit_chain.audit_name_objects``); not a column.
    object_name = ""

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("审计记录只能追加，不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("审计记录只能追加，不能删除。")

    @property
    def action_label(self) -> str:
        return audit_action_label(self.action)

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role

    @property
    def object_type_label(self) -> str:
        """``services.case`` -> 办件 (the type itself when its app is gone)."""
        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type


class AuditBlock(models.Model):
    """A sealed run of records: its hash chains to the previous block."""

    seq = models.PositiveIntegerField("块序号", unique=True)
    first_record_id = models.BigIntegerField()
    last_record_id = models.BigIntegerField()
    record_count = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    class Meta:
        verbose_name = "审计区块"
        verbose_name_plural = "审计区块"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"区块 {self.seq}（{self.record_count} 条）"


class AuditSeal(models.Model):
    """The chained hash of one record: SM3(previous chain hash ‖ record)."""

    record = models.OneToOneField(
        AuditRecord,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="seal",
    )
    block = models.ForeignKey(AuditBlock, on_delete=models.PROTECT, related_name="seals")
    chain_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计封存"
        verbose_name_plural = "审计封存"

    def __str__(self) -> str:
        return f"{self.record_id}: {self.chain_hash[:12]}…"
