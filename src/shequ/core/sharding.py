"""分库分片: how a city or province deployment spreads the tables over a
Citus cluster, as data, and the SQL that does it (``shequ citus-plan``).

Every table is one of three kinds:

- **distributed** by ``district_id``, all in one colocation group, so the rows
  of one district (its cases, appeals, whistles, register …) live on one node
  and every join between them stays on that node. That is every table that
  carries ``district``, found from the app registry: an app's new table is
  distributed without an edit here.
- **reference**: copied to every node, because rows of every district point at
  them (the region tree, accounts and grants, the working-day calendar,
  Django's content types and permissions, the second-factor devices of the
  accounts).
- **coordinator-local**: stays on the coordinator alone, each for a reason
  given below (the audit chain above all).

Citus needs the distribution column in every primary key and unique
constraint of a distributed table and on both sides of a foreign key between
two of them. Django keeps ``id`` as its primary key, so the models keep their
one-column foreign keys; the plan rewrites the database:

1. the foreign keys between distributed tables are dropped;
2. primary keys become ``(id, district_id)`` (ids come from one sequence per
   table, so ``id`` alone stays unique and Django's lookups by id still find
   one row), and the unique key of a one-to-one column becomes
   ``(column, district_id)``;
3. the tables are distributed;
4. each dropped foreign key comes back as ``(district_id, column) REFERENCES
   parent (district_id, id)``, checked against the new primary key (PostgreSQL
   matches the referenced columns as a set). Besides satisfying Citus, this
   proves every row lies in its parent's district: a one-to-one key over
   ``(column, district_id)`` therefore allows exactly what ``(column)`` did.

The unique constraints in the models already end with ``district`` (the test
``shequ/tests/test_sharding_schema.py`` keeps it so); district last, so every
lookup that used a constraint's leading columns still can.

Core names no app: the tables are walked from ``django.apps``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.db import models
from django.db.backends.utils import truncate_name

COLUMN = "district_id"


class Kind(StrEnum):
    DISTRIBUTED = "distributed"
    REFERENCE = "reference"
    LOCAL = "local"


# Reference tables and why each is one (model labels, lower case).
REFERENCE: dict[str, str] = {
    "core.region": "区划树：每个区的数据都按区划过滤、连接（其本身的 district 列是区划的祖先列，不是分片键）",
    "core.holiday": "工作日日历：全国统一的法定节假日，每个区的期限都按它计算",
    "core.calendaryear": "工作日日历的已知年度，同上",
    "core.user": "账号：一个账号可在多个区授权，每个区的数据都引用办理人",
    "core.grant": "授权（角色，区划）：登录时按账号读取，与账号在一起",
    "core.apitoken": "接口令牌：按摘要查找账号，与账号在一起",
    "core.passwordhistory": "账号的历史口令摘要（不得重复使用最近 5 个）：改口令时按账号读取，与账号在一起",
    "contenttypes.contenttype": "Django 的模型目录：办理记录按它指向对象",
    "auth.permission": "Django 的权限目录",
    "auth.group": "Django 的用户组",
}
# Whole apps that are reference tables: the second-factor devices (django-otp)
# belong to accounts, which are reference tables.
REFERENCE_APPS: dict[str, str] = {
    "otp_totp": "账号的动态口令设备（django-otp），与账号在一起",
    "otp_static": "账号的备用口令（django-otp），与账号在一起",
    "otp_hotp": "账号的计数口令设备（django-otp），与账号在一起",
    "otp_email": "账号的邮件口令设备（django-otp），与账号在一起",
}
# Coordinator-local tables and why each stays on the coordinator.
LOCAL: dict[str, str] = {
    "core.auditrecord": (
        "审计记录：全平台一条 SM3 哈希链，按封存顺序串联所有区的记录，"
        "分开存放就无法按顺序校验；只追加、不被任何表引用"
    ),
    "core.auditseal": "审计封存（每条记录的链哈希），同上",
    "core.auditblock": "审计区块（链上的块），同上",
    "core.idempotencykey": "幂等键：按调用方（账号或接入客户端）而非按区记录，没有外键",
    "sessions.session": "会话：每次登录和访问都写，只由协调节点读；复制到各节点徒增写入",
}
# One-to-one columns of distributed tables that point at a reference table:
# their key becomes (column, district_id), which, unlike a one-to-one to a
# distributed parent, allows one more thing than before. Why that is acceptable.
WIDENED_ONE_TO_ONE: dict[str, str] = {
    "residents.resident.user": (
        "居民账号：键变为（账号，区），同一账号在每个区至多关联一名居民；"
        "一人在两个区登记时两区可各自关联（账号是参照表，不与居民同在一个分片）"
    ),
}


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key between two distributed tables, rewritten with the district."""

    table: str
    column: str
    parent: str
    parent_column: str

    @property
    def name(self) -> str:
        return truncate_name(f"{self.table}_{self.column}_district_fk", 63)


@dataclass(frozen=True)
class Plan:
    reference: list[str]  # tables, each after the reference tables it points at
    local: dict[str, str]  # table -> why it stays on the coordinator
    distributed: list[str]  # tables; the first is the colocation group's anchor
    primary_keys: dict[str, str]  # distributed table -> its primary key column
    one_to_one: list[tuple[str, str]]  # (distributed table, column) made unique with the district
    foreign_keys: list[ForeignKey]


def tables() -> list[type[models.Model]]:
    """Every model with a table of its own, the many-to-many link tables Django
    makes included."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]


def has_district(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("district")
    except LookupError:
        return False
    return (
        field.concrete
        and (field.many_to_one or field.one_to_one)  # PartyRules: one row per district
        and field.related_model is not None
        and field.related_model._meta.label_lower == "core.region"
    )


def kind_of(model: type[models.Model]) -> Kind | None:
    """The model's kind, or None: a table nobody has classified."""
    opts = model._meta
    if opts.auto_created:  # a many-to-many link table: its declaring model's kind …
        owner = opts.auto_created
        kind = kind_of(owner)
        # … but a distributed link table must carry the district itself.
        return None if kind is Kind.DISTRIBUTED and not has_district(model) else kind
    if opts.label_lower in REFERENCE or opts.app_label in REFERENCE_APPS:
        return Kind.REFERENCE
    if opts.label_lower in LOCAL:
        return Kind.LOCAL
    return Kind.DISTRIBUTED if has_district(model) else None


def foreign_keys(model: type[models.Model]) -> Iterable[models.ForeignKey]:
    """The model's foreign keys (one-to-ones included) that the database holds."""
    for field in model._meta.concrete_fields:
        is_key = field.is_relation and (field.many_to_one or field.one_to_one)
        if is_key and getattr(field, "db_constraint", True):
            yield field  # type: ignore[misc]


def _ordered(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Parents before children (foreign keys among ``models_``), then by table name."""
    inside = {m._meta.db_table: m for m in models_}
    done: list[type[models.Model]] = []
    seen: set[str] = set()

    def visit(model: type[models.Model]) -> None:
        table = model._meta.db_table
        if table in seen:
            return
        seen.add(table)
        for field in foreign_keys(model):
            parent = field.related_model._meta.db_table
            if parent != table and parent in inside:
                visit(inside[parent])
        done.append(model)

    for table in sorted(inside):
        visit(inside[table])
    return done


def plan() -> Plan:
    """The distribution plan of the installed apps. Raises ``ValueError`` for a
    table nobody has classified (the schema test names it first)."""
    kinds: dict[type[models.Model], Kind] = {}
    for model in tables():
        kind = kind_of(model)
        if kind is None:
            raise ValueError(f"{model._meta.label}: 未归类的表（分布式表须有 district 列）")
        kinds[model] = kind
    distributed = _ordered([m for m, k in kinds.items() if k is Kind.DISTRIBUTED])
    reference = _ordered([m for m, k in kinds.items() if k is Kind.REFERENCE])
    fks: list[ForeignKey] = []
    one_to_one: list[tuple[str, str]] = []
    for model in distributed:
        table = model._meta.db_table
        for field in foreign_keys(model):
            parent = field.related_model
            if field.one_to_one and not field.primary_key and field.column != COLUMN:
                one_to_one.append((table, field.column))
            if kinds.get(parent) is Kind.DISTRIBUTED:
                fks.append(
                    ForeignKey(
                        table, field.column, parent._meta.db_table, field.target_field.column
                    )
                )
    return Plan(
        reference=[m._meta.db_table for m in reference],
        local={m._meta.db_table: _why_local(m) for m, k in kinds.items() if k is Kind.LOCAL},
        distributed=[m._meta.db_table for m in distributed],
        primary_keys={m._meta.db_table: m._meta.pk.column for m in distributed},
        one_to_one=one_to_one,
        foreign_keys=fks,
    )


def _why_local(model: type[models.Model]) -> str:
    owner = model._meta.auto_created or model
    return LOCAL[owner._meta.label_lower]


# -- the SQL ----------------------------------------------------------------------------------

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")

HELPERS = """\
CREATE OR REPLACE FUNCTION pg_temp.shequ_drop_foreign_key(tbl regclass, col name)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE c record; n int := 0;
BEGIN
  FOR c IN SELECT con.conname FROM pg_constraint con
           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attname = col
           WHERE con.conrelid = tbl AND con.contype = 'f' AND con.conkey = ARRAY[a.attnum]
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, c.conname);
    n := n + 1;
  END LOOP;
  IF n = 0 THEN RAISE EXCEPTION '%: no foreign key on (%)', tbl, col; END IF;
END $$;

CREATE OR REPLACE FUNCTION pg_temp.shequ_key_with_district(tbl regclass, col name, kind "char")
RETURNS void LANGUAGE plpgsql AS $$
DECLARE c record; n int := 0;
BEGIN
  FOR c IN SELECT con.conname FROM pg_constraint con
           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attname = col
           WHERE con.conrelid = tbl AND con.contype = kind AND con.conkey = ARRAY[a.attnum]
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, c.conname);
    n := n + 1;
  END LOOP;
  IF n = 0 THEN RAISE EXCEPTION '%: no % key on (%)', tbl, kind, col; END IF;
  IF kind = 'p' THEN
    EXECUTE format('ALTER TABLE %s ADD PRIMARY KEY (%I, district_id)', tbl, col);
  ELSE
    EXECUTE format('ALTER TABLE %s ADD UNIQUE (%I, district_id)', tbl, col);
  END IF;
END $$;"""


@dataclass(frozen=True)
class Statement:
    step: str  # "reference", "keys", "distribute", "foreign_keys"
    sql: str


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"unexpected table or column name: {name!r}")
    return name


def statements(p: Plan | None = None) -> list[Statement]:
    """The plan as SQL statements, in the order they must run."""
    p = p or plan()
    out = [
        Statement("reference", f"SELECT create_reference_table('{_name(t)}');") for t in p.reference
    ]
    out.append(Statement("keys", HELPERS))
    for fk in p.foreign_keys:
        out.append(
            Statement(
                "keys",
                f"SELECT pg_temp.shequ_drop_foreign_key('{_name(fk.table)}', '{_name(fk.column)}');",
            )
        )
    for table in p.distributed:
        pk = p.primary_keys[table]
        out.append(
            Statement(
                "keys", f"SELECT pg_temp.shequ_key_with_district('{table}', '{_name(pk)}', 'p');"
            )
        )
    for table, column in p.one_to_one:
        out.append(
            Statement(
                "keys",
                f"SELECT pg_temp.shequ_key_with_district('{table}', '{_name(column)}', 'u');",
            )
        )
    anchor = p.distributed[0]
    for table in p.distributed:
        colocate = "" if table == anchor else f", colocate_with => '{anchor}'"
        out.append(
            Statement(
                "distribute",
                f"SELECT create_distributed_table('{_name(table)}', '{COLUMN}'{colocate});",
            )
        )
    for fk in p.foreign_keys:
        out.append(
            Statement(
                "foreign_keys",
                f"ALTER TABLE {fk.table} ADD CONSTRAINT {fk.name} "
                f"FOREIGN KEY ({COLUMN}, {fk.column}) "
                f"REFERENCES {_name(fk.parent)} ({COLUMN}, {_name(fk.parent_column)}) "
                "DEFERRABLE INITIALLY DEFERRED;",
            )
        )
    return out


STEPS = {
    "reference": "1. 参照表（复制到每个节点）",
    "keys": (
        "2. 主键、一对一键含区，拆除分布式表之间的单列外键（Citus 拒绝分布键不含 district_id 的表）"
    ),
    "distribute": "3. 分布式表：按 district_id 分片，同一共置组",
    "foreign_keys": "4. 分布式表之间的外键：(district_id, 列) → 上级 (district_id, id)",
}


def plan_sql(p: Plan | None = None) -> str:
    """The whole script ``shequ citus-plan`` prints, for ``psql``."""
    p = p or plan()
    lines = [
        "-- Shequ 分库分片（Citus）部署方案：由 `shequ citus-plan` 按已安装的应用生成。",
        '-- 在协调节点上、`shequ migrate` 之后运行：shequ citus-plan | psql "$DATABASE_URL"',
        f"-- 分布式表 {len(p.distributed)} 张（按 {COLUMN}），参照表 {len(p.reference)} 张，"
        f"仅协调节点 {len(p.local)} 张。说明见 docs/operations.md。",
        "--",
        "-- 仅协调节点的表（不分片、不复制）：",
        *(f"--   {table}: {why}" for table, why in sorted(p.local.items())),
        "--   django_migrations: 迁移只在协调节点运行，Citus 把 DDL 传给各分片",
        "",
        "\\set ON_ERROR_STOP on",
    ]
    step = ""
    for s in statements(p):
        if s.step != step:
            step = s.step
            lines += ["", f"-- {STEPS[step]}"]
        lines.append(s.sql)
    return "\n".join(lines) + "\n"
