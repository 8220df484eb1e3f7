"""Accounts, scoped grants and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from shequ.core.permissions import Role


class User(AbstractUser):
    """An account. What it may do comes only from its grants."""

    full_name = models.CharField("姓名", max_length=40, blank=True)
    # A resident account is linked to its register entry by the residents app.
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username


class Grant(models.Model):
    """A role held over a region's subtree: (role, region).

    Departments and organisations arrive with their apps and get their own
    nullable foreign keys here: (role, department), (role, organisation).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "core.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="grants"
    )
    created_at = models.DateTimeField("授予时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name="授予人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "授权"
        verbose_name_plural = "授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}·{self.region}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SM3 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
