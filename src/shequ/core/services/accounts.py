"""Accounts, grants and API tokens (账号、授权、接口令牌).

等保 三员分立: the system administrator manages accounts, the security
administrator grants roles, the audit administrator reads the audit trail;
no account holds two of the three, and nobody grants a role to themselves.
The security administrator also watches the accounts' state (locked,
password expiring, dormant) and may disable or enable one from there.

等保 身份鉴别 (docs/security.md): passwords are checked by the validators and
against the account's last few (``PasswordHistory``); an administrator's one
session is claimed at login (``user_session_claim``); staff accounts unused
for ``SHEQU_DORMANT_DAYS`` are disabled by ``users_disable_dormant`` (tick).
"""

from __future__ import annotations

import re
import secrets
import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from shequ.core import account_policy, sessions
from shequ.core.api_auth import token_issue
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.history import record
from shequ.core.models import ApiToken, Grant, PasswordHistory, Region, RegionLevel, User
from shequ.core.permissions import LIAISON_ROLES, SEPARATED_ADMIN_ROLES, Role
from shequ.core.scope import Actor
from shequ.core.text import clean_text

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")
MAX_ACTIVE_TOKENS = 10

# The level of the region each role is granted on.
ROLE_LEVELS: dict[str, int] = {
    Role.DISTRICT_ADMIN: RegionLevel.DISTRICT,
    Role.INSPECTOR: RegionLevel.DISTRICT,
    Role.SYSTEM_ADMIN: RegionLevel.DISTRICT,
    Role.SECURITY_ADMIN: RegionLevel.DISTRICT,
    Role.AUDIT_ADMIN: RegionLevel.DISTRICT,
    Role.STREET_OFFICER: RegionLevel.STREET,
    Role.COMMUNITY_SECRETARY: RegionLevel.COMMUNITY,
    Role.COMMUNITY_WORKER: RegionLevel.COMMUNITY,
    Role.RESIDENT: RegionLevel.COMMUNITY,
    Role.BUILDING_HEAD: RegionLevel.BUILDING,
    Role.DEPARTMENT_LIAISON: RegionLevel.DISTRICT,
    Role.UNIT_LIAISON: RegionLevel.DISTRICT,
}


# -- passwords -------------------------------------------------------------------


def random_password(length: int = 16) -> str:
    """A password that passes the validators: letters, digits and a symbol."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(length - 2))
        password = body[: length // 2] + "-" + secrets.choice("23456789") + body[length // 2 :]
        if any(c.islower() for c in password) and any(c.isupper() for c in password):
            return password


# Django's own catalog leaves some validator messages in English; these are
# the ones shown, keyed by the validators' error codes.
PASSWORD_MESSAGES = {
    "password_too_short": "密码太短，至少需要 {min_length} 个字符。",
    "password_too_similar": "密码与账号名或姓名太相近。",
    "password_too_common": "这个密码太常见。",
    "password_entirely_numeric": "密码不能全是数字。",
}


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as error:
        messages = []
        for item in error.error_list:
            template = PASSWORD_MESSAGES.get(item.code or "")
            if template:
                messages.append(template.format(**(item.params or {})))
            else:
                with translation.override("zh-hans"):
                    messages.append(str(item.message % (item.params or {})))
        raise ValidationError(" ".join(messages), field="password", details=messages) from error


def _recent_passwords(user: User) -> list[str]:
    keep = settings.SHEQU_PASSWORD_HISTORY
    rows = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
    return list(rows.values_list("password", flat=True)[:keep])


def _remember_password(user: User) -> None:
    """Keep the hash of the account's password (unless it is the last one
    kept already), and only the last ``SHEQU_PASSWORD_HISTORY``."""
    recent = _recent_passwords(user)
    if not user.password or (recent and recent[0] == user.password):
        return
    PasswordHistory.objects.create(user=user, password=user.password, created_at=timezone.now())
    keep = settings.SHEQU_PASSWORD_HISTORY
    old = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")[keep:]
    PasswordHistory.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()


def _check_not_reused(password: str, user: User) -> None:
    """Refuse any of the account's last ``SHEQU_PASSWORD_HISTORY`` passwords
    (the current one among them: it is remembered before it is replaced)."""
    keep = settings.SHEQU_PASSWORD_HISTORY
    if any(check_password(password, encoded) for encoded in _recent_passwords(user)):
        raise ValidationError(f"新密码不能与最近 {keep} 次使用过的密码相同。", field="new_password")


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ValidationError(
            "账号名为 3–150 位英文字母、数字或 _ . @ + - 符号。", field="username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"账号名“{username}”已被使用。", field="username")
    return username


def _clean_full_name(full_name: str) -> str:
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError("请填写姓名。", field="full_name")
    if len(full_name) > 40:
        raise ValidationError("姓名不能超过 40 个字。", field="full_name")
    return full_name


# -- users -----------------------------------------------------------------------


@transaction.atomic
def user_create(*, actor: Actor, username: str, full_name: str, password: str) -> User:
    """Open an account. It can do nothing until the security admin grants a role."""
    actor.require("user.manage")
    username = _clean_username(username)
    full_name = _clean_full_name(full_name)
    user = User(username=username, full_name=full_name, must_change_password=True)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError(f"账号名“{username}”已被使用。", field="username") from error
    _remember_password(user)
    record(
        actor=actor,
        action="user.create",
        obj=user,
        changes={"username": username, "full_name": full_name},
    )
    return user


def user_create_initial(*, actor: Actor, username: str, full_name: str, password: str) -> User:
    """An account made by ``shequ bootstrap``, before any administrator exists."""
    username = _clean_username(username)
    user = User(username=username, full_name=_clean_full_name(full_name), must_change_password=True)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    _remember_password(user)
    record(
        actor=actor,
        action="user.create",
        obj=user,
        changes={"username": username, "full_name": user.full_name},
    )
    return user


@transaction.atomic
def user_set_active(*, actor: Actor, user: User, active: bool) -> User:
    """Enable or disable an account: the system administrator, who keeps the
    accounts, or the security administrator, from the account review. A
    disabled account cannot log in and its API tokens stop working; its
    grants stay for the record. Enabled again, its dormancy counts afresh."""
    if not actor.can("account.review"):
        actor.require("user.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not active and user.pk == actor.require_user().pk:
        raise ValidationError("不能停用您本人的账号。")
    if user.is_active == active:
        raise ValidationError("该账号已是启用状态。" if active else "该账号已是停用状态。")
    user.is_active = active
    fields = ["is_active"]
    if active:
        user.reactivated_at = timezone.now()
        fields.append("reactivated_at")
    user.save(update_fields=fields)
    record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        changes={"is_active": [not active, active]},
    )
    return user


@transaction.atomic
def user_password_reset(*, actor: Actor, user: User) -> str:
    """Give the account a new random password (shown once) to change at next login."""
    actor.require("user.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.require_user().pk:
        raise ValidationError("不能在这里重置您本人的密码。")
    password = random_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(actor=actor, action="user.password_reset", obj=user)
    return password


# -- grants ----------------------------------------------------------------------


@transaction.atomic
def grant_create(*, actor: Actor, user: User, role: str, region: Region) -> Grant:
    """Grant ``role`` over ``region``'s subtree to ``user``."""
    actor.require("grant.manage")
    if role not in Role.values:
        raise ValidationError("请选择有效的角色。", field="role")
    label = Role(role).label
    if role in LIAISON_ROLES:
        # A liaison needs the body it speaks for: whistles.services.liaison_grant.
        raise ValidationError(
            f"“{label}”由区民政管理员在“结对共建·部门和单位”中授权。", field="role"
        )
    if not actor.covers(region):
        raise PermissionDenied("授权范围超出您本人的管辖范围。")
    if user.pk == actor.require_user().pk:
        raise PermissionDenied("不能给您本人授权。")
    level = ROLE_LEVELS[role]
    if region.level != level:
        raise ValidationError(
            f"“{label}”只能授予在{RegionLevel(level).label}一级，"
            f"“{region.name}”是{region.level_label}。",
            field="region",
        )
    # Lock the account first: two grants racing to make it hold two of the
    # three administrator roles queue here, and the second sees the first.
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError("该账号已停用，不能授权。", field="user")
    if role in SEPARATED_ADMIN_ROLES:
        held = (
            Grant.objects.filter(user=user, role__in=SEPARATED_ADMIN_ROLES)
            .exclude(role=role)
            .values_list("role", flat=True)
            .first()
        )
        if held is not None:
            raise ValidationError(
                "三员分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任"
                f"（该账号已是{Role(held).label}）。",
                field="role",
            )
    if Grant.objects.filter(user=user, role=role, region=region).exists():
        raise ValidationError(f"该账号已持有“{label}·{region.name}”的授权。", field="role")
    grant = Grant.objects.create(user=user, role=role, region=region, created_by=actor.user)
    record(
        actor=actor,
        action="grant.create",
        obj=grant,
        region=region,
        changes={"user": user.username, "role": label, "region": region.name},
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor: Actor, grant: Grant) -> None:
    actor.require("grant.manage")
    grant = Grant.objects.select_for_update().select_related("user", "region").get(pk=grant.pk)
    if not actor.covers(grant.region):
        raise PermissionDenied("该授权超出您本人的管辖范围。")
    if grant.user_id == actor.require_user().pk:
        raise PermissionDenied("不能收回您本人的授权。")
    record(
        actor=actor,
        action="grant.revoke",
        obj=grant,
        region=grant.region,
        changes={
            "user": grant.user.username,
            "role": grant.get_role_display(),
            "region": grant.region.name,
        },
    )
    grant.delete()


# Roles a module may hand out itself, as one step of its own write, on the
# levels it may hand them out on: assigning a building head (楼长制) gives the
# resident's account the building-head role on the building or unit. Every
# other role stays the security administrator's (三员分立, ``grant_create``).
DELEGABLE_LEVELS: dict[str, tuple[int, ...]] = {
    Role.BUILDING_HEAD: (RegionLevel.BUILDING, RegionLevel.UNIT),
}


def _delegable_label(role: str) -> str:
    if role not in DELEGABLE_LEVELS:
        label = Role(role).label if role in Role.values else role
        raise PermissionDenied(f"“{label}”只能由安全管理员授予。")
    return Role(role).label


@transaction.atomic
def grant_delegate(
    *, actor: Actor, user: User, role: str, region: Region, permission: str
) -> Grant:
    """A grant made by a module's service (``permission`` is the one that
    service requires, e.g. choosing building heads), not by the security
    administrator: only the roles of ``DELEGABLE_LEVELS``, only within the
    actor's own scope, never to the actor, never to an administrator."""
    actor.require(permission)
    label = _delegable_label(role)
    if not actor.covers(region):
        raise PermissionDenied("授权范围超出您本人的管辖范围。")
    if user.pk == actor.require_user().pk:
        raise PermissionDenied("不能给您本人授权。")
    if region.level not in DELEGABLE_LEVELS[role]:
        levels = "或".join(RegionLevel(level).label for level in DELEGABLE_LEVELS[role])
        raise ValidationError(
            f"“{label}”只能授予在{levels}一级，“{region.name}”是{region.level_label}。",
            field="region",
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError("该账号已停用，不能授权。", field="user")
    if Grant.objects.filter(user=user, role__in=SEPARATED_ADMIN_ROLES).exists():
        raise ValidationError(f"系统、安全、审计管理员账号不能兼任{label}。", field="user")
    if Grant.objects.filter(user=user, role=role, region=region).exists():
        raise ValidationError(f"该账号已持有“{label}·{region.name}”的授权。", field="role")
    grant = Grant.objects.create(user=user, role=role, region=region, created_by=actor.user)
    record(
        actor=actor,
        action="grant.delegate",
        obj=grant,
        region=region,
        changes={
            "user": user.username,
            "role": label,
            "region": region.name,
            "permission": permission,
        },
    )
    return grant


@transaction.atomic
def grant_undelegate(*, actor: Actor, grant: Grant, permission: str) -> None:
    """Take back a grant that ``grant_delegate`` made (the module's service
    that made it, ending what it was for: a building head's term). Taking a
    role from oneself is allowed here: it widens nobody's power."""
    actor.require(permission)
    found = (
        Grant.objects.select_for_update()
        .select_related("user", "region")
        .filter(pk=grant.pk)
        .first()
    )
    if found is None:
        raise NotFound("该授权已收回。")
    label = _delegable_label(found.role)
    if not actor.covers(found.region):
        raise PermissionDenied("该授权超出您本人的管辖范围。")
    record(
        actor=actor,
        action="grant.undelegate",
        obj=found,
        region=found.region,
        changes={
            "user": found.user.username,
            "role": label,
            "region": found.region.name,
            "permission": permission,
        },
    )
    found.delete()


def grant_create_initial(*, actor: Actor, user: User, role: str, region: Region) -> Grant:
    """A grant made by ``shequ bootstrap``, before any security admin exists."""
    grant = Grant.objects.create(user=user, role=role, region=region)
    record(
        actor=actor,
        action="grant.create",
        obj=grant,
        region=region,
        changes={"user": user.username, "role": Role(role).label, "region": region.name},
    )
    return grant


# -- API tokens ------------------------------------------------------------------


@transaction.atomic
def token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Issue a token for the actor. The raw token is returned once and never stored."""
    actor.require("api.token")
    name = clean_text(
        name,
        field="name",
        label="令牌名称",
        max_length=60,
        markup="allowed",
        missing="请填写令牌名称（例如使用它的系统）。",
        too_long="{label}不能超过 {max_length} 个字。",
    )
    me = actor.require_user()
    User.objects.select_for_update().filter(pk=me.pk).first()
    active = ApiToken.objects.filter(user=me, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            f"每个账号最多持有 {MAX_ACTIVE_TOKENS} 个有效令牌，请先收回不用的令牌。"
        )
    token, raw = token_issue(user=me, name=name)
    record(
        actor=actor,
        action="token.create",
        obj=token,
        changes={"name": name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    me = actor.require_user()
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != me.pk:
        raise PermissionDenied("只能收回您本人的令牌。")
    if token.revoked_at is not None:
        raise ValidationError("该令牌已收回。")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor=actor, action="token.revoke", obj=token, changes={"prefix": token.prefix})
    return token


@transaction.atomic
def user_password_change(
    *, actor: Actor, old_password: str, new_password: str, new_password_again: str
) -> User:
    """The account holder changes their own password (required after a reset)."""
    user = User.objects.select_for_update().get(pk=actor.require_user().pk)
    if not user.check_password(old_password or ""):
        raise ValidationError("原密码不正确。", field="old_password")
    if new_password != new_password_again:
        raise ValidationError("两次输入的新密码不一致。", field="new_password_again")
    if new_password == old_password:
        raise ValidationError("新密码不能与原密码相同。", field="new_password")
    _check_password(new_password, user)
    # A password set before the history existed (or by a reset) joins it now.
    _remember_password(user)
    _check_not_reused(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _remember_password(user)
    record(actor=actor, action="user.password_change", obj=user)
    return user


# -- sessions and dormant accounts ------------------------------------------------------


@transaction.atomic
def user_session_claim(*, actor: Actor, user: User, session_key: str) -> bool:
    """An administrator has just logged in (``session_key`` is the new
    session): it becomes the account's one session, and the earlier one, if
    it is still open, ends. True when one was ended (audited)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    previous = user.session_key
    if previous == session_key:
        return False
    user.session_key = session_key
    user.save(update_fields=["session_key"])
    ended = previous != "" and sessions.end_stored(previous)
    if ended:
        record(
            actor=actor,
            action="auth.session_replaced",
            obj=user,
            message="新的登录结束了该账号此前的会话",
        )
    return ended


def users_disable_dormant() -> int:
    """``shequ tick``: disable the staff accounts nobody has used for
    ``SHEQU_DORMANT_DAYS`` (never logged in: counted from the account's
    opening; enabled again: from then). Residents' accounts are left alone.
    Each is audited; returns how many."""
    from shequ.core import selectors

    actor = Actor.for_command("shequ tick")
    now = timezone.now()
    n = 0
    for user in selectors.dormant_accounts(now=now).select_for_update():
        user.is_active = False
        user.save(update_fields=["is_active"])
        last = user.last_login or user.date_joined
        record(
            actor=actor,
            action="user.disable_dormant",
            obj=user,
            changes={"is_active": [True, False], "last_seen": last.isoformat()},
            message=f"{account_policy.dormant_after().days} 天未登录，自动停用",
        )
        n += 1
    return n
