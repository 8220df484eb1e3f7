"""Region tree writes: add a child, edit, move a subtree (区划维护).

Every node carries its ancestors at each level (see ``Region``), so a move is
a handful of UPDATE statements over the subtree, never a loop per row: the
ancestor columns of the subtree, the codes under the new parent, and the
denormalised columns of the households and residents living there.
"""

from __future__ import annotations

from typing import cast

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Concat, Substr

from shequ.core import registry
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.history import record
from shequ.core.models import Region, RegionLevel, RegionStat
from shequ.core.scope import Actor

# 统计用区划代码: district 6, street 9, community 12 digits; below the
# community Shequ extends it: compound +3, building +3, unit +2.
CODE_LENGTHS: dict[int, int] = {
    RegionLevel.DISTRICT: 6,
    RegionLevel.STREET: 9,
    RegionLevel.COMMUNITY: 12,
    RegionLevel.COMPOUND: 15,
    RegionLevel.BUILDING: 18,
    RegionLevel.UNIT: 20,
}
ANCESTOR_COLUMNS = ("district", "street", "community", "compound", "building")


# -- checks --------------------------------------------------------------------


def code_example(*, level: int, parent: Region | None) -> str:
    if parent is None:
        return "110101"  # a real district code (北京市东城区)
    prefix = parent.code
    return prefix + "0" * (CODE_LENGTHS[level] - len(prefix) - 1) + "1"


def _others(regions: QuerySet[Region], exclude_pk: int | None) -> QuerySet[Region]:
    """``regions`` without the one being edited (all of them when creating)."""
    return regions if exclude_pk is None else regions.exclude(pk=exclude_pk)


def _clean_code(
    code: str, *, level: int, parent: Region | None, exclude_pk: int | None = None
) -> str:
    code = (code or "").strip()
    label = RegionLevel(level).label
    length = CODE_LENGTHS[level]
    if len(code) != length or not (code.isascii() and code.isdigit()):
        raise ValidationError(
            f"{label}的区划代码应为 {length} 位数字，例如 {code_example(level=level, parent=parent)}。",
            field="code",
        )
    if parent is not None:
        if not code.startswith(parent.code):
            raise ValidationError(
                f"区划代码应以上级“{parent.name}”的代码 {parent.code} 开头。", field="code"
            )
        if set(code[len(parent.code) :]) == {"0"}:
            raise ValidationError("区划代码的本级部分不能全为 0。", field="code")
    taken = _others(Region.objects.filter(code=code), exclude_pk).only("name").first()
    if taken is not None:
        raise ValidationError(f"区划代码 {code} 已被“{taken.name}”使用。", field="code")
    return code


def _clean_name(
    name: str, *, parent: Region | None, level: int, exclude_pk: int | None = None
) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写名称。", field="name")
    if len(name) > 80:
        raise ValidationError("名称不能超过 80 个字。", field="name")
    if parent is not None and (
        _others(Region.objects.filter(parent=parent, name=name), exclude_pk).exists()
    ):
        raise ValidationError(
            f"“{parent.name}”下已有名为“{name}”的{RegionLevel(level).label}。", field="name"
        )
    return name


def _clean_served(
    level: int, population: int | None, households: int | None
) -> tuple[int | None, int | None]:
    if level != RegionLevel.COMMUNITY:
        if population is not None or households is not None:
            raise ValidationError("只有社区填写服务人口和服务户数。")
        return None, None
    for value, field, label in (
        (population, "population_served", "服务人口"),
        (households, "households_served", "服务户数"),
    ):
        if value is not None and value < 0:
            raise ValidationError(f"{label}不能为负数。", field=field)
    if population is not None and households is not None and households > population:
        raise ValidationError("服务户数不能多于服务人口。", field="households_served")
    return population, households


def _lock(*regions: Region) -> list[Region]:
    """Lock rows in id order (the fixed order every region write uses)."""
    ids = [r.pk for r in regions]
    rows = {r.pk: r for r in Region.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    return [rows[i] for i in ids]


def _subtree(region: Region) -> QuerySet[Region]:
    anc = region.ancestor_field
    return Region.objects.filter(**{anc: region}) if anc else Region.objects.filter(pk=region.pk)


def _is_in_subtree(node: Region, root: Region) -> bool:
    anc = root.ancestor_field
    if anc is None:
        return node.pk == root.pk
    return getattr(node, f"{anc}_id") == root.pk


def _recode_subtree(region: Region, new_code: str) -> int:
    """Give ``region`` the code ``new_code`` and its descendants the same new prefix."""
    old_code = region.code
    subtree = _subtree(region)
    clash = (
        Region.objects.filter(code__startswith=new_code)
        .exclude(pk__in=subtree.values("pk"))
        .only("name", "code")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            f"区划代码 {new_code} 与已有的“{clash.name}”（{clash.code}）冲突。", field="code"
        )
    return subtree.update(code=Concat(Value(new_code), Substr("code", len(old_code) + 1)))


# -- services --------------------------------------------------------------------


@transaction.atomic
def region_create(
    *,
    actor: Actor,
    parent: Region,
    name: str,
    code: str,
    population_served: int | None = None,
    households_served: int | None = None,
) -> Region:
    """Add a child region under ``parent`` (one level down)."""
    actor.require("region.manage")
    [parent] = _lock(parent)
    actor.require_region(parent)
    level = RegionLevel.child_of(parent.level)
    if level is None:
        raise ValidationError("单元之下不能再设下级区划。")
    name = _clean_name(name, parent=parent, level=level)
    code = _clean_code(code, level=level, parent=parent)
    population_served, households_served = _clean_served(
        level, population_served, households_served
    )
    region = Region(
        code=code,
        name=name,
        level=level,
        parent=parent,
        population_served=population_served,
        households_served=households_served,
    )
    for column in ANCESTOR_COLUMNS:
        setattr(region, f"{column}_id", getattr(parent, f"{column}_id"))
    try:
        with transaction.atomic():
            region.save()
    except IntegrityError as error:  # a concurrent writer took the code first
        raise ValidationError(f"区划代码 {code} 已被使用。", field="code") from error
    own = region.ancestor_field
    if own:
        setattr(region, own, region)
        region.save(update_fields=[own])
    RegionStat.objects.create(region=region, district_id=cast(int, region.district_id))
    record(
        actor=actor,
        action="region.create",
        obj=region,
        changes={
            "code": code,
            "name": name,
            "level": region.level_label,
            "parent": parent.name,
            "population_served": population_served,
            "households_served": households_served,
        },
    )
    return region


def region_create_district(*, actor: Actor, code: str, name: str) -> Region:
    """The root of a deployment; used only by ``shequ bootstrap``."""
    with transaction.atomic():
        name = _clean_name(name, parent=None, level=RegionLevel.DISTRICT)
        code = _clean_code(code, level=RegionLevel.DISTRICT, parent=None)
        region = Region.objects.create(code=code, name=name, level=RegionLevel.DISTRICT)
        region.district = region
        region.save(update_fields=["district"])
        RegionStat.objects.create(region=region, district_id=cast(int, region.district_id))
        record(
            actor=actor,
            action="region.create",
            obj=region,
            changes={"code": code, "name": name, "level": region.level_label},
        )
    return region


@transaction.atomic
def region_update(
    *,
    actor: Actor,
    region: Region,
    name: str,
    code: str,
    population_served: int | None = None,
    households_served: int | None = None,
) -> Region:
    """Rename, re-code (the subtree follows) and, for communities, set the
    population and households served."""
    actor.require("region.manage")
    [region] = _lock(region)
    actor.require_region(region)
    parent = region.parent
    before = {
        "name": region.name,
        "code": region.code,
        "population_served": region.population_served,
        "households_served": region.households_served,
    }
    name = _clean_name(name, parent=parent, level=region.level, exclude_pk=region.pk)
    code = (code or "").strip()
    if code != region.code:
        code = _clean_code(code, level=region.level, parent=parent, exclude_pk=region.pk)
        _recode_subtree(region, code)
        region.code = code
    population_served, households_served = _clean_served(
        region.level, population_served, households_served
    )
    region.name = name
    region.population_served = population_served
    region.households_served = households_served
    region.save(update_fields=["name", "population_served", "households_served"])
    after = {
        "name": name,
        "code": code,
        "population_served": population_served,
        "households_served": households_served,
    }
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changes:
        record(actor=actor, action="region.update", obj=region, changes=changes)
    return region


@transaction.atomic
def region_move(
    *, actor: Actor, region: Region, new_parent: Region, new_code: str | None = None
) -> Region:
    """Move ``region`` and its whole subtree under ``new_parent``.

    The moved region keeps its own code segment under the new parent's code
    unless ``new_code`` is given. Households and residents below follow: a
    compound moved to another community takes its households with it.
    """
    actor.require("region.manage")
    parent = region.parent  # None for a district, without a query
    if parent is None:
        raise ValidationError("区是区划树的根，不能迁移。")
    region, new_parent, old_parent = _lock(region, new_parent, parent)
    if not (actor.covers(old_parent) and actor.covers(new_parent)):
        raise PermissionDenied("迁移的原上级和新上级都必须在您的管辖范围内。")
    if new_parent.pk == region.pk or _is_in_subtree(new_parent, region):
        raise ValidationError("不能把区划移到它自己或它的下级之下。", field="new_parent")
    if new_parent.level != region.level - 1:
        raise ValidationError(
            f"{region.level_label}只能迁移到{RegionLevel(region.level - 1).label}之下。",
            field="new_parent",
        )
    if new_parent.pk == old_parent.pk:
        raise ValidationError(f"“{region.name}”已在“{new_parent.name}”之下。", field="new_parent")
    _clean_name(region.name, parent=new_parent, level=region.level, exclude_pk=region.pk)
    old_code = region.code
    # By default the region keeps its own segment of the code under the new parent.
    code = new_code.strip() if new_code else new_parent.code + old_code[len(old_parent.code) :]
    code = _clean_code(code, level=region.level, parent=new_parent, exclude_pk=region.pk)

    subtree = _subtree(region)
    # Lock the whole subtree before changing it: a concurrent region_create
    # under one of its nodes holds that node's lock, so we wait for it and
    # the UPDATEs below (new statements) then see its row.
    list(subtree.select_for_update().order_by("pk").values_list("pk", flat=True))
    inherited = {
        f"{column}_id": getattr(new_parent, f"{column}_id")
        for level, column in enumerate(ANCESTOR_COLUMNS, start=1)
        if level < region.level
    }
    regions_moved = subtree.update(**inherited)
    Region.objects.filter(pk=region.pk).update(parent=new_parent)
    _recode_subtree(region, code)
    # Each app brings its own denormalised region columns up to date (the
    # register its households and counts, the desk its rollup …); core moves
    # the district of every other table that carries district and community.
    move = registry.RegionMove(region=region, old_parent=old_parent, new_parent=new_parent)
    register: dict[str, int] = {}
    for hook in registry.region_move_hooks():
        register |= hook(move)
    register |= _move_community_rows(move)

    region.refresh_from_db()
    record(
        actor=actor,
        action="region.move",
        obj=region,
        changes={
            "parent": [old_parent.name, new_parent.name],
            "code": [old_code, region.code],
            "regions": regions_moved,
            **register,
        },
    )
    return region


# -- the rows below a moved region ------------------------------------------------


def _community_tables(skip: frozenset[str]) -> list[type[models.Model]]:
    """Every model outside core whose rows carry both their ``district`` and
    their ``community`` (the sharding and scope keys): cases, appeals,
    pairing agreements … — found from the app registry, so a new app's tables
    follow a move without an edit here. ``skip``: the tables an app's own
    region-move hook keeps (``registry.register_region_move_hook``)."""
    from django.apps import apps

    out: list[type[models.Model]] = []
    for model in apps.get_models():
        if model._meta.app_label == "core" or model._meta.label_lower in skip:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if {"district", "community"} <= names:
            out.append(model)
    return out


def _move_community_rows(move: registry.RegionMove) -> dict[str, int]:
    """Rows made in a community (cases, appeals, agreements…) stay with it — a
    compound moved to another community keeps its history where it was made;
    a street or community moved to another district takes its rows'
    ``district`` along."""
    region, old_parent, new_parent = move.region, move.old_parent, move.new_parent
    if region.level > RegionLevel.COMMUNITY or new_parent.district_id == old_parent.district_id:
        return {}
    subtree = Region.objects.filter(
        **{str(region.ancestor_field): region.pk}, level=RegionLevel.COMMUNITY
    )
    moved: dict[str, int] = {}
    for model in _community_tables(registry.region_move_own_tables()):
        moved[model._meta.label_lower] = model._default_manager.filter(
            community__in=subtree.values("pk")
        ).update(district_id=new_parent.district_id)
    return {k: v for k, v in moved.items() if v}
