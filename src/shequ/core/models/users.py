"""Accounts, scoped grants, password history and API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from shequ.core.permissions import Role


class User(AbstractUser):
    """An account. What it may do comes only from its grants."""

    full_name = models.CharField("姓名", max_length=40, blank=True)
    # A resident account is linked to its register entry by the residents app.
    must_change_password = models.BooleanField("须修改密码", default=False)
    # 等保 定期更换: the administrators' passwords expire this long after it
    # (shequ.core.account_policy).
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)
    # The one session an administrator's account may hold (a new login ends
    # the earlier one): its key, written at login.
    session_key = models.CharField("当前会话", max_length=40, blank=True, editable=False)
    # When an administrator last enabled the account: a disabled dormant
    # account that is enabled again counts its dormancy from here.
    reactivated_at = models.DateTimeField("重新启用时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username


class PasswordHistory(models.Model):
    """The hash of every password an account has had (等保: no reuse of the
    last few). Written by the services that set a password, never read back
    but through ``check_password``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


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
