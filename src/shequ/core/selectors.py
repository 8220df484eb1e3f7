"""Core reads: regions in scope, the home page's key counts, accounts and grants.

Every function takes the actor and applies its scope; the few ``*_lookup``
functions resolve form input without scope on purpose, because the service
they feed refuses an out-of-scope target with its own message (and that
refusal is audited).
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core import account_policy, throttle
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import (
    ApiToken,
    AuditRecord,
    Grant,
    Region,
    RegionLevel,
    RegionStat,
    User,
)
from shequ.core.permissions import Role
from shequ.core.pii import mask_name, mask_phone
from shequ.core.scope import Actor

REGION_NOT_FOUND = "区划不存在或不在您的管辖范围内。"

# -- regions ---------------------------------------------------------------------


def _with_stats(qs: QuerySet[Region]) -> QuerySet[Region]:
    """Rolled-up counts (0 when the rollup row is missing) and whether the
    node has children, in the same query."""
    return qs.annotate(
        n_residents=Coalesce(F("stat__residents"), Value(0)),
        n_households=Coalesce(F("stat__households"), Value(0)),
        has_children=Exists(Region.objects.filter(parent=OuterRef("pk"))),
    )


def region_list(
    *, actor: Actor, level: int | None = None, parent: Region | None = None
) -> QuerySet[Region]:
    qs = _with_stats(actor.regions()).select_related("parent")
    if level is not None:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.order_by("code")


def region_get(*, actor: Actor, region_id: int) -> Region | None:
    return _with_stats(actor.regions()).select_related("parent").filter(pk=region_id).first()


def region_root(*, actor: Actor) -> Region | None:
    """The active grant's region, with its counts."""
    if actor.region is None:
        return None
    return _with_stats(Region.objects.filter(pk=actor.region.pk)).first()


def region_children(*, actor: Actor, parent: Region) -> QuerySet[Region]:
    """The children of ``parent`` inside the scope, with their counts: one query."""
    return _with_stats(actor.regions().filter(parent=parent)).order_by("code")


def region_detail(*, actor: Actor, region_id: int) -> Region:
    region = (
        _with_stats(actor.regions())
        .select_related("parent", "district", "street", "community", "compound", "building")
        .filter(pk=region_id)
        .first()
    )
    if region is None:
        raise NotFound(REGION_NOT_FOUND)
    return region


def region_lineage(*, actor: Actor, region: Region) -> list[tuple[Region, bool]]:
    """The ancestors of ``region`` (loaded by ``region_detail``), district
    first, each with whether the actor may open it."""
    out = []
    for column in ("district", "street", "community", "compound", "building"):
        node = getattr(region, column)
        if node is not None and node.pk != region.pk:
            out.append((node, actor.covers(node)))
    return out


def region_move_targets(*, actor: Actor, region: Region) -> QuerySet[Region]:
    """Where ``region`` may go: nodes one level up, in scope, but not its parent."""
    targets = actor.regions().filter(level=region.level - 1)
    if region.parent_id is not None:
        targets = targets.exclude(pk=region.parent_id)
    return targets.select_related("parent").order_by("code")


def region_next_code(*, parent: Region) -> str:
    """A free code for the next child of ``parent`` (a suggestion for the form)."""
    from shequ.core.services.regions import CODE_LENGTHS

    level = RegionLevel.child_of(parent.level)
    if level is None:
        return ""
    width = CODE_LENGTHS[level] - len(parent.code)
    codes = Region.objects.filter(parent=parent).values_list("code", flat=True)
    used = {int(c[len(parent.code) :]) for c in codes if c[len(parent.code) :].isdigit()}
    n = max(used, default=0) + 1
    return parent.code + str(n).zfill(width) if len(str(n)) <= width else ""


def region_lookup(*, region_id: int) -> Region:
    """Resolve a region named in a form or request; the service checks scope."""
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound("区划不存在。")
    return region


def region_lookup_by_code(*, code: str) -> Region | None:
    return Region.objects.filter(code=(code or "").strip()).first()


def home_counts(*, actor: Actor) -> dict[str, int]:
    """The scope's key figures, read from the rollups: one query at any scale."""
    region = actor.region
    if region is None:
        return {}
    regions = actor.regions()
    counts = {
        level.label: n
        for level, n in ((RegionLevel(lv), c) for lv, c in _level_counts(regions))
        if level > region.level
    }
    stat = RegionStat.objects.filter(region=region).aggregate(
        residents=Sum("residents"), households=Sum("households")
    )
    counts["居民"] = stat["residents"] or 0
    counts["住户"] = stat["households"] or 0
    return counts


def _level_counts(regions: QuerySet[Region]) -> list[tuple[int, int]]:
    return list(
        regions.values("level").annotate(n=Count("id")).order_by("level").values_list("level", "n")
    )


# -- accounts --------------------------------------------------------------------


def _grant_in_scope(actor: Actor, prefix: str = "") -> Q:
    if actor.region is None:
        return Q(pk__in=[])
    anc = actor.region.ancestor_field
    if anc is None:
        return Q(**{f"{prefix}region": actor.region.pk})
    return Q(**{f"{prefix}region__{anc}": actor.region.pk})


def user_list(*, actor: Actor, q: str = "") -> QuerySet[User]:
    """Accounts the administrator looks after: those with a grant in the
    scope, and those with no grant yet. Grants come prefetched."""
    in_scope = Grant.objects.filter(_grant_in_scope(actor), user=OuterRef("pk"))
    any_grant = Grant.objects.filter(user=OuterRef("pk"))
    resident_grant = Grant.objects.filter(user=OuterRef("pk"), role=Role.RESIDENT)
    qs = (
        User.objects.filter(Exists(in_scope) | ~Exists(any_grant))
        .annotate(is_resident=Exists(resident_grant))
        .prefetch_related("grants__region")
        .order_by("username")
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q, is_resident=False))
    return qs


def user_get(*, actor: Actor, user_id: int) -> User:
    user = user_list(actor=actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound("账号不存在或不在您的管辖范围内。")
    return user


def user_lookup_by_username(*, username: str) -> User | None:
    return User.objects.filter(username__iexact=(username or "").strip()).first()


def masked_username(username: str) -> str:
    """A resident's account name is often the phone number: mask it."""
    if username.isdigit() and len(username) == 11:
        return mask_phone(username)
    return username


def account_display(user: User) -> dict[str, str]:
    """What an administrator sees of an account. A resident's account is
    personal data: its name is masked and a phone-number user name too."""
    is_resident = getattr(user, "is_resident", False)
    return {
        "username": masked_username(user.username) if is_resident else user.username,
        "full_name": mask_name(user.full_name) if is_resident else user.full_name,
    }


def grant_display_username(grant: Grant) -> str:
    if grant.role == Role.RESIDENT:
        return masked_username(grant.user.username)
    return grant.user.username


def grant_list(*, actor: Actor, q: str = "", role: str = "") -> QuerySet[Grant]:
    qs = (
        Grant.objects.filter(_grant_in_scope(actor))
        .select_related("user", "region", "created_by")
        .order_by("region__code", "role", "user__username")
    )
    if role:
        qs = qs.filter(role=role)
    q = (q or "").strip()
    if q:
        # A resident's account name may be a phone number: not searchable here.
        by_user = Q(user__username__icontains=q) & ~Q(role=Role.RESIDENT)
        qs = qs.filter(by_user | Q(region__name__icontains=q))
    return qs


def grant_lookup(*, grant_id: int) -> Grant:
    grant = Grant.objects.select_related("user", "region").filter(pk=grant_id).first()
    if grant is None:
        raise NotFound("授权不存在。")
    return grant


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    if not actor.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=actor.user).order_by("revoked_at", "-created_at")


def token_lookup(*, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise NotFound("令牌不存在。")
    return token


# 等保: lock an account name out after repeated failed logins.
LOGIN_MAX_FAILURES = 5
LOGIN_LOCK_MINUTES = 15


def login_throttle(*, username: str) -> throttle.Decision:
    """Whether ``username`` may try to log in: refused after LOGIN_MAX_FAILURES
    failures (a wrong password or a wrong second-factor code) in the last
    LOGIN_LOCK_MINUTES minutes, counted from the audit trail so the lock holds
    across processes."""
    return throttle.failures(
        action="auth.login",
        limit=LOGIN_MAX_FAILURES,
        window=timedelta(minutes=LOGIN_LOCK_MINUTES),
        changes__username=username[:150],
    )


def login_throttle_ip(*, ip: str) -> throttle.Decision:
    """Whether the address ``ip`` may try to log in: refused after
    ``SHEQU_LOGIN_IP_MAX_FAILURES`` failures from it, whatever the account
    names, in the same window (one client guessing across many names)."""
    return throttle.failures(
        action="auth.login",
        limit=settings.SHEQU_LOGIN_IP_MAX_FAILURES,
        window=timedelta(minutes=LOGIN_LOCK_MINUTES),
        ip=ip,
    )


# -- the security administrator's account review (等保: 账号状态) ---------------------------


def _failures_since(now: dt.datetime) -> QuerySet[AuditRecord]:
    since = now - timedelta(minutes=LOGIN_LOCK_MINUTES)
    return AuditRecord.objects.filter(action="auth.login", success=False, at__gte=since)


def locked_usernames(*, now: dt.datetime) -> QuerySet[AuditRecord, Any]:
    """The account names ``login_throttle`` refuses now (a values query of
    ``name``, usable as a subquery)."""
    return (
        _failures_since(now)
        .annotate(name=KT("changes__username"))
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gte=LOGIN_MAX_FAILURES)
        .values("name")
    )


def locked_addresses(*, now: dt.datetime, limit: int = 20) -> list[tuple[str, int]]:
    """The addresses ``login_throttle_ip`` refuses now, most failures first."""
    rows = (
        _failures_since(now)
        .filter(ip__isnull=False)
        .values("ip")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.SHEQU_LOGIN_IP_MAX_FAILURES)
        .order_by("-n", "ip")
        .values_list("ip", "n")[:limit]
    )
    return [(str(ip), n) for ip, n in rows]


def _staff_grant() -> Exists:
    return Exists(Grant.objects.filter(user=OuterRef("pk")).exclude(role=Role.RESIDENT))


def _dormant_q(now: dt.datetime) -> Q:
    cutoff = now - account_policy.dormant_after()
    unused = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    return Q(is_active=True) & unused & ~Q(reactivated_at__gte=cutoff)


def dormant_accounts(*, now: dt.datetime) -> QuerySet[User]:
    """Enabled staff accounts unused for ``SHEQU_DORMANT_DAYS``: no login since
    (or, never logged in, since they were opened), nor enabled again since.
    Residents' accounts are not staff: they stay."""
    return User.objects.filter(_staff_grant(), _dormant_q(now)).order_by("pk")


REVIEW_STATUSES = {
    "": "全部需关注",
    "locked": "登录已锁定",
    "expiring": "密码即将到期",
    "expired": "密码已过期",
    "dormant": "长期未登录",
    "inactive": "已停用",
}


def account_review(*, actor: Actor, status: str = "", q: str = "") -> QuerySet[User]:
    """The accounts in the security administrator's scope that need looking
    at: locked by failed logins now, an administrator's password expiring
    within the warning period or expired, dormant, or disabled (``status``
    picks one; empty: any of them). Each row carries its ``flag_<status>``
    for every condition and ``has_totp`` (a confirmed second factor);
    grants come prefetched."""
    now = timezone.now()
    max_age = account_policy.password_max_age()
    warn = account_policy.password_warn_before()
    privileged = Exists(
        Grant.objects.filter(user=OuterRef("pk"), role__in=account_policy.PRIVILEGED_ROLES)
    )
    conditions = {
        "locked": Q(username__in=locked_usernames(now=now)),
        "expiring": Q(
            is_privileged=True,
            password_changed_at__gt=now - max_age,
            password_changed_at__lte=now - max_age + warn,
        ),
        "expired": Q(is_privileged=True, password_changed_at__lte=now - max_age),
        "dormant": Q(has_staff_grant=True) & _dormant_q(now),
        "inactive": Q(is_active=False),
    }
    qs = (
        user_list(actor=actor, q=q)
        .annotate(
            is_privileged=privileged,
            has_staff_grant=_staff_grant(),
            has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .annotate(
            **{
                f"flag_{name}": ExpressionWrapper(condition, output_field=BooleanField())
                for name, condition in conditions.items()
            }
        )
    )
    if status in conditions:
        return qs.filter(**{f"flag_{status}": True})
    any_of = Q()
    for name in conditions:
        any_of |= Q(**{f"flag_{name}": True})
    return qs.filter(any_of)


def account_review_rows(*, users: list[User]) -> list[dict]:
    """What the review page shows of each account of ``account_review``:
    its name (masked for a resident), grants, flags and dates. No query."""
    now = timezone.now()
    rows = []
    for user in users:
        grants = list(user.grants.all())
        privileged = account_policy.is_privileged(grants)
        rows.append(
            {
                "user": user,
                "display": account_display(user),
                "grants": grants,
                "password_days_left": account_policy.password_days_left(user, grants, now),
                "password_expires_at": (
                    account_policy.password_expires_at(user) if privileged else None
                ),
                "last_seen": user.last_login or user.date_joined,
            }
        )
    return rows


# -- the actor's district and communities ------------------------------------------
# The one place an app asks "which district / which community of the actor";
# the options keep the messages each app's users already see.

COMMUNITY_NOT_FOUND = "没有找到该社区。"


def district_of(*, actor: Actor, district_grant_only: str = "") -> Region:
    """The district the actor's active grant lies in (a district grant: its own
    region, without a query); an actor without one is refused (PermissionDenied).

    ``district_grant_only``: when given, any grant but one on a district itself
    is refused with this message (a ValidationError): what only the district's
    own administrators keep, such as Open311 clients."""
    region = actor.region
    if district_grant_only and (
        region is None or region.level != RegionLevel.DISTRICT or region.district_id is None
    ):
        raise ValidationError(district_grant_only)
    district_id = actor.require_district_id()
    if region is not None and region.level == RegionLevel.DISTRICT:
        return region
    return Region.objects.get(pk=district_id)


def district_id_of(region: Region) -> int:
    """The district of a region a row is written for (every scoped row carries it)."""
    if region.district_id is None:
        raise ValidationError(f"“{region.name}”缺少所属区，请联系系统管理员。")
    return region.district_id


def communities(*, actor: Actor) -> QuerySet[Region]:
    """The communities the actor reaches, by code (a grant below a community:
    that one community)."""
    region = actor.region
    if region is None:
        return Region.objects.none()
    if region.level >= RegionLevel.COMMUNITY:
        found = Region.objects.filter(pk__in=actor.community_ids)  # its own: no query
    else:
        found = actor.regions().filter(level=RegionLevel.COMMUNITY)
    return found.order_by("code")


def community_get(
    *, actor: Actor, community_id: int, not_found: str = COMMUNITY_NOT_FOUND
) -> Region:
    """A community inside the actor's grant (with its street), else NotFound."""
    community = (
        Region.objects.filter(pk=community_id, level=RegionLevel.COMMUNITY)
        .select_related("street")
        .first()
    )
    if community is None or not actor.covers(community):
        raise NotFound(not_found)
    return community


def community_in_scope(
    *, actor: Actor, community: Region, outside: str = "该区划不在您的管辖范围内。"
) -> Region:
    """``community`` when it is a community inside the actor's grant: another
    level is refused as a wrong choice (ValidationError), a community outside
    the grant with ``outside`` (PermissionDenied)."""
    if community.level != RegionLevel.COMMUNITY:
        raise ValidationError("请选择社区。", field="community")
    if not actor.covers(community):
        raise PermissionDenied(outside)
    return community
