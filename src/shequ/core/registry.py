"""What each capability app contributes to the platform, registered in its
``AppConfig.ready()``: menu sections, ``shequ tick`` jobs, region-move
hooks, to-do providers (the workbench) and indicators (the reports). The
permission codes and the roles that hold them are declared in the app's
``permissions.py`` (``PERMISSIONS``) and registered before any ``ready()``
(``discover_permissions``, called by core's).

Core reads these registries and names no app; an import contract in CI
(``.importlinter``) keeps it so. Registering the same key twice replaces the
entry, so a ``ready()`` that runs again (a test re-populating the app
registry) changes nothing.

    class DeskConfig(AppConfig):
        def ready(self):
            from shequ.core import registry
            registry.register_sections(SECTIONS)
            registry.register_tick_job("shequ.desk.stats.services.case_stats_rebuild", order=200)
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shequ.core.models import Region
    from shequ.core.scope import Actor


# -- permissions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    """One permission code: its Chinese label and the roles that hold it."""

    label: str
    roles: frozenset[str] = frozenset()


# The two tables every check reads (``core.permissions`` re-exports them):
# code -> label, and role -> codes. Filled by ``register_permissions`` only.
PERMISSIONS: dict[str, str] = {}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {}
_PERMISSION_OWNERS: dict[str, str] = {}


def register_permissions(owner: str, permissions: Mapping[str, Permission]) -> None:
    """Add ``owner``'s permission codes (an app label) and grant each to its roles."""
    for code, permission in permissions.items():
        previous = _PERMISSION_OWNERS.get(code)
        if previous is not None and previous != owner:
            raise ValueError(f"permission {code!r} is registered by both {previous} and {owner}")
        _PERMISSION_OWNERS[code] = owner
        PERMISSIONS[code] = permission.label
        for role in list(ROLE_PERMISSIONS):
            if code in ROLE_PERMISSIONS[role] and role not in permission.roles:
                ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS[role] - {code}
        for role in permission.roles:
            ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS.get(role, frozenset()) | {code}


def permission_owner(code: str) -> str:
    return _PERMISSION_OWNERS[code]


def discover_permissions() -> None:
    """Register every installed app's ``permissions.PERMISSIONS``, before any
    app's ``ready()`` runs (core's runs first): a workflow or view built while
    another app gets ready then finds every code it names, whatever the order
    of INSTALLED_APPS."""
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        if config.module is None or not module_has_submodule(config.module, "permissions"):
            continue
        module = importlib.import_module(f"{config.name}.permissions")
        declared = getattr(module, "PERMISSIONS", None)
        if isinstance(declared, Mapping) and declared is not PERMISSIONS:  # core re-exports
            register_permissions(config.name.rsplit(".", 1)[-1], declared)


# -- navigation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One menu entry: shown when the active grant holds ``permission``."""

    label: str
    url_name: str
    permission: str
    group: str
    order: int


SECTIONS: dict[str, Section] = {}


def register_sections(sections: Iterable[Section]) -> None:
    for section in sections:
        SECTIONS[section.url_name] = section


def sections() -> list[Section]:
    """Every registered section, in menu order."""
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.label))


# What the navigation bar names as the actor's scope: an app that knows
# better than the grant's region (a liaison speaks for a department, not
# for the district its grant lies on) returns a name, others None.
SCOPE_LABELS: dict[str, Callable[[Actor], str | None]] = {}


def register_scope_label(name: str, label: Callable[[Actor], str | None]) -> None:
    SCOPE_LABELS[name] = label


def scope_label(actor: Actor) -> str:
    for label in SCOPE_LABELS.values():
        found = label(actor)
        if found:
            return found
    return actor.region.name if actor.region is not None else ""


# -- shequ tick --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TickJob:
    """A periodic job: the dotted path of a function taking no arguments and
    returning what it did. ``order`` decides when it runs (lower first).
    ``atomic``: run in one transaction (the default); a job that talks to
    the outside world (the outbox) opens its own short ones instead, so
    nothing is sent from inside an open transaction."""

    path: str
    order: int
    atomic: bool = True


TICK_JOBS: dict[str, TickJob] = {}
# The paths in running order, kept in step with TICK_JOBS (``core.tick`` reads it).
TICK_JOB_PATHS: list[str] = []


def _sort_tick_jobs() -> None:
    jobs = sorted(TICK_JOBS.values(), key=lambda j: (j.order, j.path))
    TICK_JOB_PATHS[:] = [job.path for job in jobs]


def register_tick_job(path: str, *, order: int, atomic: bool = True) -> None:
    TICK_JOBS[path] = TickJob(path, order, atomic)
    _sort_tick_jobs()


# -- region moves ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionMove:
    """A street, community, compound, building or unit that has just moved
    under ``new_parent`` (its subtree's ancestor columns already rewritten)."""

    region: Region
    old_parent: Region
    new_parent: Region


# A hook brings the app's denormalised region columns up to date and returns
# what it changed ({"households": 12}), which goes into the move's audit record.
RegionMoveHook = Callable[[RegionMove], Mapping[str, int]]


@dataclass(frozen=True)
class _MoveHook:
    order: int
    hook: RegionMoveHook
    own_tables: frozenset[str]


REGION_MOVE_HOOKS: dict[str, _MoveHook] = {}


def register_region_move_hook(
    name: str, hook: RegionMoveHook, *, order: int = 100, own_tables: Iterable[str] = ()
) -> None:
    """``own_tables`` (``"residents.household"`` …): tables whose district and
    community this hook keeps itself. Every other table that carries both a
    ``district`` and a ``community`` has its district moved by core."""
    REGION_MOVE_HOOKS[name] = _MoveHook(order, hook, frozenset(own_tables))


def region_move_hooks() -> list[RegionMoveHook]:
    return [h.hook for h in sorted(REGION_MOVE_HOOKS.values(), key=lambda h: h.order)]


def region_move_own_tables() -> frozenset[str]:
    return frozenset().union(*(h.own_tables for h in REGION_MOVE_HOOKS.values()))


# -- the workbench's to-dos and the reports' indicators ----------------------------------------


@dataclass(frozen=True)
class ToDoItem:
    """One waiting thing, linked to the page where it is acted on."""

    title: str
    url: str
    due: dt.date | None = None  # its deadline (a date in Beijing time)
    note: str = ""  # "紧急", "督办（街道）" …


@dataclass(frozen=True)
class ToDo:
    """One line of a workbench: ``count`` things waiting, one click from the
    list where they are acted on. ``kind`` "todo" is what this person must do
    now; "alert" (预警) is what is late or nearly late in their scope."""

    label: str
    count: int
    url: str
    level: str = "info"  # "urgent" (overdue, 督办), "warning" (due soon), "info"
    kind: str = "todo"  # "todo" 待办 / "alert" 预警
    due: dt.date | None = None  # the oldest deadline among them


@dataclass(frozen=True)
class ToDoProvider:
    """Gives an actor its to-dos; asked only when the actor holds ``permission``.

    ``provide`` counts every line it gives in one query; ``items`` returns
    the ``limit`` things with the nearest deadlines across its to-do lines
    (one more query); ``overdue_by_community`` counts the overdue things of
    the actor's scope per community (one query), for the street's and the
    district's ranking of communities."""

    name: str
    permission: str
    provide: Callable[[Actor], list[ToDo]]
    items: Callable[[Actor, int], list[ToDoItem]] | None = None
    overdue_by_community: Callable[[Actor], Mapping[int, int]] | None = None


TODO_PROVIDERS: dict[str, ToDoProvider] = {}


def register_todo_provider(provider: ToDoProvider) -> None:
    TODO_PROVIDERS[provider.name] = provider


def todo_providers(actor: Actor) -> list[ToDoProvider]:
    """The providers whose permission the actor holds, in registration order."""
    held = actor.permissions
    return [p for p in TODO_PROVIDERS.values() if p.permission in held]


_LEVEL_RANK = {"urgent": 0, "warning": 1, "info": 2}


def todo_sort_key(todo: ToDo) -> tuple[int, dt.date, str]:
    """Urgent first, then the oldest deadline, then the label."""
    return (_LEVEL_RANK.get(todo.level, 3), todo.due or dt.date.max, todo.label)


# -- a resident's history (the resident page) ----------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One thing a resident did or asked for: a case, an appeal, an activity…"""

    kind: str  # "办件", "诉求"
    title: str
    url: str
    at: dt.datetime
    status: str = ""


@dataclass(frozen=True)
class HistoryProvider:
    """Lists one kind of a resident's records, as the actor may see them:
    staff within their scope, the resident their own; anyone else nothing.
    ``entries(actor, resident_id, user_id, limit)``: ``user_id`` is the
    resident's own account (None when it has none). One query."""

    name: str
    entries: Callable[[Actor, int, int | None, int], list[HistoryEntry]]


HISTORY_PROVIDERS: dict[str, HistoryProvider] = {}


def register_history_provider(provider: HistoryProvider) -> None:
    HISTORY_PROVIDERS[provider.name] = provider


def resident_history(
    actor: Actor, *, resident_id: int, user_id: int | None, limit: int = 50
) -> list[HistoryEntry]:
    """Every registered kind of the resident's records, newest first."""
    found = [
        entry
        for provider in HISTORY_PROVIDERS.values()
        for entry in provider.entries(actor, resident_id, user_id, limit)
    ]
    return sorted(found, key=lambda e: e.at, reverse=True)[:limit]


# -- a person's data: their copy, and its erasure (PIPL) ---------------------------------------


@dataclass(frozen=True)
class PersonalData:
    """One part of what an app holds about a resident, for the copy the
    person may ask for (个人信息查阅、复制): a title, column names, rows of text."""

    title: str  # "党员信息"
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# (resident_id, user_id) -> the parts the app holds. Called only after the
# caller has checked that the actor is the person or the staff who may
# produce their copy; the rows are the person's own, unmasked.
PersonalDataProvider = Callable[[int, "int | None"], list[PersonalData]]
PERSONAL_DATA_PROVIDERS: dict[str, PersonalDataProvider] = {}


def register_personal_data_provider(name: str, provider: PersonalDataProvider) -> None:
    PERSONAL_DATA_PROVIDERS[name] = provider


def personal_data(*, resident_id: int, user_id: int | None) -> list[PersonalData]:
    """Every registered app's parts of the resident's data, in registration order."""
    return [
        part
        for provider in PERSONAL_DATA_PROVIDERS.values()
        for part in provider(resident_id, user_id)
    ]


@dataclass(frozen=True)
class ErasureSubject:
    """A resident whose personal data is being erased, as the hooks need it.

    ``name``, ``id_number`` and ``phone`` are the register row's, to clear
    from what an app holds about the rows linked to it (and from the texts it
    wrote about them: ``core.privacy.redact``); ``erased_name`` replaces the
    name. ``id_number_index`` and ``unlinked_phone`` find the rows an app
    holds that are not linked to the register row (a desk notice, a hotline
    appeal, an SMS): None / "" when the same number is still registered to a
    current resident of the district, who keeps those records."""

    resident_id: int
    district_id: int
    community_id: int
    user_id: int | None
    name: str
    id_number: str
    phone: str
    id_number_index: str | None
    unlinked_phone: str
    erased_name: str


# Clears the app's copies of the resident's identity (names, ID and phone
# numbers) inside the erasure's transaction and returns what it cleared
# ({"cases": 2}): counts only, they go into the erasure's audit record.
ErasureHook = Callable[[ErasureSubject], Mapping[str, int]]
ERASURE_HOOKS: dict[str, ErasureHook] = {}


def register_erasure_hook(name: str, hook: ErasureHook) -> None:
    ERASURE_HOOKS[name] = hook


def erasure_hooks() -> list[tuple[str, ErasureHook]]:
    """(name, hook) of every registered hook, in registration order."""
    return list(ERASURE_HOOKS.items())


@dataclass(frozen=True)
class Indicator:
    """A figure of the inspection report, computed for a region and a period
    from the owning app's records or rollups (``None``: not measured)."""

    code: str  # "desk.cases_completed"
    label: str  # "共处理办结群众服务事项"
    unit: str  # "项", "人", "万元"
    seed: str  # where the report asks for it: "一（二）"
    compute: Callable[..., Any]  # (*, region: Region, start: date, end: date) -> number | None
    drill_url_name: str = ""


INDICATORS: dict[str, Indicator] = {}


def register_indicator(indicator: Indicator) -> None:
    INDICATORS[indicator.code] = indicator


def indicators() -> list[Indicator]:
    return sorted(INDICATORS.values(), key=lambda i: i.code)


# -- the audit log's words --------------------------------------------------------------------

# action code -> its Chinese name: "case.accept" -> "受理办件". The audit pages
# show the name and keep the code in a tooltip; a test finds every code the
# source writes and fails on one without a name.
AUDIT_ACTIONS: dict[str, str] = {}

# Names the objects of one type ("services.case") as they are now: given the
# object ids of a page's records, returns {id: name} in one query. Personal
# data in a name is masked ("张*").
AuditObjectNames = Callable[[list[str]], Mapping[str, str]]
AUDIT_OBJECT_NAMES: dict[str, AuditObjectNames] = {}


def register_audit_actions(labels: Mapping[str, str]) -> None:
    AUDIT_ACTIONS.update(labels)


def audit_action_label(code: str) -> str:
    """The Chinese name of an action code, or the code itself when it has none."""
    return AUDIT_ACTIONS.get(code, code)


def register_audit_object_names(namers: Mapping[str, AuditObjectNames]) -> None:
    """``namers``: object type (``Model._meta.label_lower``) -> its namer."""
    AUDIT_OBJECT_NAMES.update(namers)


def object_namer(
    model: Any, *fields: str, label: Callable[..., str] = lambda *values: " ".join(map(str, values))
) -> AuditObjectNames:
    """A namer that reads ``fields`` of ``model``'s rows for the ids in one
    query and joins them with ``label`` (by default with spaces)."""

    def names(ids: list[str]) -> dict[str, str]:
        rows = model.objects.filter(pk__in=ids).values_list("pk", *fields)
        return {str(pk): label(*values) for pk, *values in rows}

    return names


# -- tests -------------------------------------------------------------------------------------


_TABLES: tuple[dict[Any, Any], ...] = (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    _PERMISSION_OWNERS,
    SECTIONS,
    SCOPE_LABELS,
    TICK_JOBS,
    REGION_MOVE_HOOKS,
    TODO_PROVIDERS,
    HISTORY_PROVIDERS,
    PERSONAL_DATA_PROVIDERS,
    ERASURE_HOOKS,
    INDICATORS,
    AUDIT_ACTIONS,
    AUDIT_OBJECT_NAMES,
)


@contextlib.contextmanager
def restored() -> Iterator[None]:
    """Undo whatever is registered inside the block (for tests that register
    a dummy app's contributions)."""
    saved = [copy.copy(table) for table in _TABLES]
    try:
        yield
    finally:
        for table, before in zip(_TABLES, saved, strict=True):
            table.clear()
            table.update(before)
        _sort_tick_jobs()


__all__ = [
    "ErasureSubject",
    "HistoryEntry",
    "HistoryProvider",
    "Indicator",
    "Permission",
    "PersonalData",
    "RegionMove",
    "RegionMoveHook",
    "Section",
    "TickJob",
    "ToDo",
    "ToDoItem",
    "ToDoProvider",
]
