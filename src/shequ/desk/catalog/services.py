"""Writes of the service desk: the catalog, community adoption, windows,
duties and generalist qualifications.

Each service checks the permission and the scope, writes in one transaction
and appends its audit record in that same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.core.errors import Conflict, PermissionDenied, ValidationError
from shequ.core.history import record
from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.selectors import community_in_scope, district_id_of
from shequ.core.text import AT_MOST, clean_text
from shequ.core.workdays import local_today
from shequ.desk.catalog import validation as v
from shequ.desk.models import (
    Category,
    CommunityItem,
    Qualification,
    ServiceItem,
    ServiceItemVersion,
    Window,
    WindowDuty,
)

# The roles that sit at a window and may be qualified to accept items.
DESK_ROLES = (Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY)
WINDOW_NAME_MAX = 40
BASIS_MAX = 200


@dataclass(frozen=True)
class ItemSpec:
    """The versioned content of a catalog item, checked by ``item_spec``."""

    name: str
    category: str
    department: str
    legal_basis: str
    materials: list[dict]
    legal_days: int
    promised_days: int
    kind: str
    fee: Decimal
    proxy_allowed: bool
    online_allowed: bool
    form_fields: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "department": self.department,
            "legal_basis": self.legal_basis,
            "materials": self.materials,
            "legal_days": self.legal_days,
            "promised_days": self.promised_days,
            "kind": self.kind,
            "fee": self.fee,
            "proxy_allowed": self.proxy_allowed,
            "online_allowed": self.online_allowed,
            "form_fields": self.form_fields,
        }

    @classmethod
    def of(cls, version: ServiceItemVersion) -> ItemSpec:
        return cls(
            name=version.name,
            category=version.category,
            department=version.department,
            legal_basis=version.legal_basis,
            materials=list(version.materials),
            legal_days=version.legal_days,
            promised_days=version.promised_days,
            kind=version.kind,
            fee=Decimal(version.fee).quantize(Decimal("0.01")),
            proxy_allowed=version.proxy_allowed,
            online_allowed=version.online_allowed,
            form_fields=list(version.form_fields),
        )


def item_spec(
    *,
    name: str,
    category: str,
    department: str,
    legal_basis: str = "",
    materials: Any,
    legal_days: Any,
    promised_days: Any,
    kind: str,
    fee: Any = 0,
    proxy_allowed: bool = False,
    online_allowed: bool = False,
    form_fields: Any = None,
) -> ItemSpec:
    """Check every field of an item; the first problem raises ValidationError."""
    kind = v.clean_kind(kind)
    legal, promised = v.clean_days(legal_days, promised_days, kind)
    return ItemSpec(
        name=clean_text(
            name,
            field="name",
            label="事项名称",
            max_length=100,
            single_line=True,
            markup="allowed",
            too_long=AT_MOST,
        ),
        category=v.clean_category(category),
        department=clean_text(
            department,
            field="department",
            label="责任部门",
            max_length=100,
            single_line=True,
            markup="allowed",
            too_long=AT_MOST,
        ),
        legal_basis=(legal_basis or "").strip()[:2000],
        materials=v.clean_materials(materials),
        legal_days=legal,
        promised_days=promised,
        kind=kind,
        fee=v.clean_fee(fee),
        proxy_allowed=bool(proxy_allowed),
        online_allowed=bool(online_allowed),
        form_fields=v.clean_form_fields([] if form_fields is None else form_fields),
    )


def _audit_spec(spec: ItemSpec) -> dict[str, Any]:
    out = spec.as_dict()
    out["fee"] = str(spec.fee)
    out["materials"] = [m["name"] for m in spec.materials]
    out["form_fields"] = [f["name"] for f in spec.form_fields]
    return out


def _require_catalog(actor: Actor, district: Region) -> None:
    actor.require("service_item.manage")
    if district.level != RegionLevel.DISTRICT:
        raise ValidationError("事项清单由区统一维护，请选择区。")
    actor.require_region(district)


def _new_version(
    *, actor: Actor, item: ServiceItem, spec: ItemSpec, number: int, now: dt.datetime
) -> ServiceItemVersion:
    version = ServiceItemVersion.objects.create(
        item=item,
        district_id=item.district_id,
        number=number,
        published_at=now,
        created_by=actor.user if actor.is_authenticated else None,
        **spec.as_dict(),
    )
    item.current_version = version
    item.name, item.category, item.department = spec.name, spec.category, spec.department
    item.save(update_fields=["current_version", "name", "category", "department"])
    return version


def item_write_new(
    *, actor: Actor, district: Region, code: str, spec: ItemSpec, now: dt.datetime
) -> ServiceItem:
    """Insert an item and its first version (callers hold the transaction and checks)."""
    try:
        with transaction.atomic():
            item = ServiceItem.objects.create(
                district=district,
                code=code,
                name=spec.name,
                category=spec.category,
                department=spec.department,
            )
    except IntegrityError:
        raise Conflict(f"事项编码“{code}”已在清单中。", field="code") from None
    _new_version(actor=actor, item=item, spec=spec, number=1, now=now)
    return item


def item_write_revision(
    *, actor: Actor, item: ServiceItem, spec: ItemSpec, now: dt.datetime
) -> ServiceItemVersion | None:
    """A new version when ``spec`` differs from the current one, else None."""
    current = item.current_version
    if current is not None and ItemSpec.of(current) == spec:
        return None
    last = current.number if current is not None else 0
    return _new_version(actor=actor, item=item, spec=spec, number=last + 1, now=now)


@transaction.atomic
def item_create(*, actor: Actor, district: Region, code: str, spec: ItemSpec) -> ServiceItem:
    """新增事项：清单中加一项，发布第1版。"""
    _require_catalog(actor, district)
    code = v.clean_code(code)
    if ServiceItem.objects.filter(district=district, code=code).exists():
        raise Conflict(f"事项编码“{code}”已在清单中。", field="code")
    item = item_write_new(actor=actor, district=district, code=code, spec=spec, now=timezone.now())
    record(
        actor=actor,
        action="service_item.create",
        obj=item,
        region=district,
        changes={"code": code, **_audit_spec(spec)},
    )
    return item


def _locked_item(item: ServiceItem) -> ServiceItem:
    return (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("current_version", "district")
        .get(pk=item.pk)
    )


@transaction.atomic
def item_revise(*, actor: Actor, item: ServiceItem, spec: ItemSpec) -> ServiceItemVersion:
    """修订事项：发布新版本；旧版本原样保留（已受理的办件仍按旧版本办理）。"""
    item = _locked_item(item)
    _require_catalog(actor, item.district)
    if item.retired_at is not None:
        raise Conflict("该事项已停用，不能修订。")
    before = ItemSpec.of(item.current_version) if item.current_version else None
    version = item_write_revision(actor=actor, item=item, spec=spec, now=timezone.now())
    if version is None:
        raise ValidationError("内容与现行版本相同，未发布新版本。")
    old = _audit_spec(before) if before else {}
    new = _audit_spec(spec)
    record(
        actor=actor,
        action="service_item.revise",
        obj=item,
        region=item.district,
        changes={
            "version": version.number,
            **{k: [old.get(k), val] for k, val in new.items() if old.get(k) != val},
        },
    )
    return version


@transaction.atomic
def item_retire(*, actor: Actor, item: ServiceItem) -> ServiceItem:
    """停用事项：不再受理，也不能再被社区认领；历史版本保留。"""
    item = _locked_item(item)
    _require_catalog(actor, item.district)
    if item.retired_at is not None:
        raise Conflict("该事项已停用。")
    item.retired_at = timezone.now()
    item.save(update_fields=["retired_at"])
    dropped = CommunityItem.objects.filter(item=item, active=True).update(active=False)
    record(
        actor=actor,
        action="service_item.retire",
        obj=item,
        region=item.district,
        changes={"code": item.code, "communities_dropped": dropped},
    )
    return item


# -- community adoption -------------------------------------------------------------


def _require_community(actor: Actor, community: Region, permission: str) -> None:
    actor.require(permission)
    community_in_scope(actor=actor, community=community)


@transaction.atomic
def community_item_adopt(*, actor: Actor, community: Region, item: ServiceItem) -> CommunityItem:
    """社区认领事项：本社区窗口受理该事项。"""
    _require_community(actor, community, "service_item.adopt")
    item = _locked_item(item)
    if item.district_id != community.district_id:
        raise PermissionDenied("该事项不在本区的事项清单中。")
    if item.retired_at is not None:
        raise Conflict("该事项已停用，不能认领。")
    row, created = CommunityItem.objects.select_for_update().get_or_create(
        community=community,
        item=item,
        defaults={"district_id": district_id_of(community), "adopted_at": timezone.now()},
    )
    if not created:
        if row.active:
            raise Conflict(f"本社区已认领“{item.name}”。")
        row.active = True
        row.adopted_at = timezone.now()
        row.save(update_fields=["active", "adopted_at"])
    record(
        actor=actor,
        action="community_item.adopt",
        obj=row,
        region=community,
        changes={"item": item.code, "name": item.name},
    )
    return row


@transaction.atomic
def community_item_drop(*, actor: Actor, community: Region, item: ServiceItem) -> CommunityItem:
    """社区不再受理某事项（记录保留，可再次认领）。"""
    _require_community(actor, community, "service_item.adopt")
    row = CommunityItem.objects.select_for_update().filter(community=community, item=item).first()
    if row is None or not row.active:
        raise Conflict(f"本社区未认领“{item.name}”。")
    row.active = False
    row.save(update_fields=["active"])
    record(
        actor=actor,
        action="community_item.drop",
        obj=row,
        region=community,
        changes={"item": item.code, "name": item.name},
    )
    return row


# -- windows and duties -----------------------------------------------------------


@transaction.atomic
def window_create(*, actor: Actor, community: Region, name: str) -> Window:
    """设置社区综合服务窗口。"""
    _require_community(actor, community, "window.manage")
    name = clean_text(
        name,
        field="name",
        label="窗口名称",
        max_length=WINDOW_NAME_MAX,
        single_line=True,
        markup="allowed",
        too_long=AT_MOST,
    )
    if Window.objects.filter(community=community, name=name).exists():
        raise Conflict(f"本社区已有“{name}”。", field="name")
    try:
        with transaction.atomic():
            window = Window.objects.create(
                district_id=district_id_of(community), community=community, name=name
            )
    except IntegrityError:
        raise Conflict(f"本社区已有“{name}”。", field="name") from None
    record(
        actor=actor, action="window.create", obj=window, region=community, changes={"name": name}
    )
    return window


@transaction.atomic
def window_set_active(*, actor: Actor, window: Window, active: bool) -> Window:
    """启用或停用窗口；停用的窗口不排班。"""
    window = Window.objects.select_for_update().select_related("community").get(pk=window.pk)
    _require_community(actor, window.community, "window.manage")
    if window.active == active:
        raise Conflict("窗口已是该状态。")
    window.active = active
    window.save(update_fields=["active"])
    record(
        actor=actor,
        action="window.update",
        obj=window,
        region=window.community,
        changes={"active": [not active, active]},
    )
    return window


def _require_desk_worker(worker: User, community: Region) -> None:
    if (
        not worker.is_active
        or not Grant.objects.filter(user=worker, role__in=DESK_ROLES, region=community).exists()
    ):
        raise ValidationError(f"{worker}不是{community.name}的社区工作人员。", field="worker")


@transaction.atomic
def window_duty_set(
    *, actor: Actor, window: Window, date: dt.date, worker: User | None
) -> WindowDuty | None:
    """排班：某日由谁坐窗口；worker 为空表示取消当日排班。"""
    window = Window.objects.select_for_update().select_related("community").get(pk=window.pk)
    community = window.community
    _require_community(actor, community, "window.manage")
    if date < local_today():
        raise ValidationError("不能为已经过去的日期排班。", field="date")
    duty = WindowDuty.objects.select_for_update().filter(window=window, date=date).first()
    before = duty.worker_id if duty else None
    if worker is None:
        if duty is None:
            raise Conflict("该窗口当日没有排班。", field="worker")
        duty.delete()
        record(
            actor=actor,
            action="window.duty_set",
            obj=window,
            region=community,
            changes={"date": date.isoformat(), "worker": [before, None]},
        )
        return None
    if not window.active:
        raise Conflict("窗口已停用，不能排班。")
    _require_desk_worker(worker, community)
    elsewhere = (
        WindowDuty.objects.filter(worker=worker, date=date)
        .exclude(window=window)
        .select_related("window")
        .first()
    )
    if elsewhere is not None:
        raise Conflict(f"{worker}当日已在“{elsewhere.window.name}”值班。", field="worker")
    if duty is not None and duty.worker_id == worker.pk:
        raise Conflict(f"{worker}当日已在本窗口值班。", field="worker")
    if duty is None:
        duty = WindowDuty.objects.create(
            district_id=window.district_id,
            community=community,
            window=window,
            worker=worker,
            date=date,
        )
    else:
        duty.worker = worker
        duty.save(update_fields=["worker"])
    record(
        actor=actor,
        action="window.duty_set",
        obj=window,
        region=community,
        changes={"date": date.isoformat(), "worker": [before, worker.pk]},
    )
    return duty


# -- qualifications -----------------------------------------------------------------


def clean_categories(*, all_categories: bool, categories: Any) -> list[str]:
    if all_categories:
        return []
    if not isinstance(categories, list | tuple) or not categories:
        raise ValidationError("请选择可受理的类别，或授予全科资格。", field="categories")
    unknown = [c for c in categories if c not in Category.values]
    if unknown:
        raise ValidationError(f"未知的类别：{'、'.join(map(str, unknown))}。", field="categories")
    return [c for c in Category.values if c in set(categories)]


@transaction.atomic
def qualification_grant(
    *,
    actor: Actor,
    worker: User,
    community: Region,
    all_categories: bool,
    categories: list[str],
    granted_at: dt.date,
    basis: str,
) -> Qualification:
    """授予受理资格（全科或指定类别）；已有资格时以新资格取代。"""
    _require_community(actor, community, "qualification.manage")
    _require_desk_worker(worker, community)
    chosen = clean_categories(all_categories=all_categories, categories=categories)
    basis = clean_text(
        basis,
        field="basis",
        label="资格依据",
        max_length=BASIS_MAX,
        single_line=True,
        markup="allowed",
        too_long=AT_MOST,
    )
    if granted_at > local_today():
        raise ValidationError("取得日期不能晚于今天。", field="granted_at")
    now = timezone.now()
    previous = (
        Qualification.objects.select_for_update()
        .filter(worker=worker, community=community, revoked_at__isnull=True)
        .first()
    )
    if previous is not None:
        previous.revoked_at = now
        previous.revoked_by = actor.user if actor.is_authenticated else None
        previous.save(update_fields=["revoked_at", "revoked_by"])
    qualification = Qualification.objects.create(
        district_id=district_id_of(community),
        community=community,
        worker=worker,
        all_categories=all_categories,
        categories=chosen,
        granted_at=granted_at,
        basis=basis,
        granted_by=actor.user if actor.is_authenticated else None,
    )
    record(
        actor=actor,
        action="qualification.grant",
        obj=qualification,
        region=community,
        changes={
            "worker": worker.pk,
            "categories": qualification.category_labels,
            "granted_at": granted_at.isoformat(),
            "basis": basis,
            "replaces": previous.pk if previous else None,
        },
    )
    return qualification


@transaction.atomic
def qualification_revoke(*, actor: Actor, qualification: Qualification) -> Qualification:
    """收回受理资格。"""
    qualification = (
        Qualification.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=qualification.pk)
    )
    _require_community(actor, qualification.community, "qualification.manage")
    if qualification.revoked_at is not None:
        raise Conflict("该资格已收回。")
    qualification.revoked_at = timezone.now()
    qualification.revoked_by = actor.user if actor.is_authenticated else None
    qualification.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actor=actor,
        action="qualification.revoke",
        obj=qualification,
        region=qualification.community,
        changes={"worker": qualification.worker_id},
    )
    return qualification
