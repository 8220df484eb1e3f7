"""The one workflow engine behind cases, appeals, whistles, topics and bookings.

An app declares its states as a ``TextChoices`` on the model's state field and
its transitions as data, in one table::

    CASE_FLOW = Workflow(
        name="case",
        model=Case,
        transitions=[
            Transition("accept", sources=[CaseState.SUBMITTED], target=CaseState.ACCEPTED,
                       label="受理", permission="case.accept", guards=[_has_window]),
            ...
        ],
    )

and each service is one line: ``transition(workflow=CASE_FLOW, actor=actor,
obj_or_pk=case_id, action="accept", note=note)``. ``transition`` locks the
row, checks permission, scope, current state and guards, writes the new state,
a ``TimelineEvent`` and an ``AuditRecord`` in one transaction, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, json_safe, record
from shequ.core.models import Region, TimelineEvent
from shequ.core.permissions import PERMISSIONS

if TYPE_CHECKING:
    from shequ.core.scope import Actor

# A guard looks at the locked object, the actor and the action's data and
# raises ValidationError / Conflict (with a Chinese message) to refuse.
Guard = Callable[..., None]
# ``apply`` sets the extra fields an action changes (e.g. ``resolved_at``) on
# the locked object and returns their names, to be saved with the state.
Apply = Callable[..., Iterable[str]]
# ``scope`` answers whether the actor may act on this object at all.
Scope = Callable[["Actor", models.Model], bool]


def by_region(field_name: str = "community") -> Scope:
    """Scope through the object's region foreign key: the actor's active grant
    must cover that region (a community row, a unit, a building...)."""

    def covers(actor: Actor, obj: models.Model) -> bool:
        region = getattr(obj, field_name)
        return isinstance(region, Region) and actor.covers(region)

    covers.field_name = field_name  # type: ignore[attr-defined]
    return covers


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of ``sources`` to ``target``.

    ``apply`` may set further fields; their old and new values go into the
    audit record as they are, so it must not set personal data (ID or phone
    numbers) — those change through their own services, masked.
    """

    action: str
    sources: Sequence[str]
    target: str
    label: str  # 中文动作名, shown on buttons and in the timeline: "受理"
    permission: str
    guards: Sequence[Guard] = ()
    apply: Apply | None = None


def _concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """``model``'s field ``name``: the state field and the fields an ``apply``
    step changes are columns of the row, never reverse relations."""
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field):
        raise ValueError(f"{model.__name__}.{name} is not a field of the row")
    return found


@dataclass
class Workflow:
    """A model's state machine: the transitions table is the only source of
    truth for what may happen to an object and who may make it happen."""

    name: str  # audit action prefix: "case" -> "case.accept"
    model: type[models.Model]
    transitions: Sequence[Transition]
    state_field: str = "status"
    scope: Scope = field(default_factory=by_region)

    def __post_init__(self) -> None:
        states = dict(_concrete_field(self.model, self.state_field).choices or [])
        seen: set[str] = set()
        for t in self.transitions:
            if t.action in seen:
                raise ValueError(f"{self.name}: duplicate action {t.action!r}")
            seen.add(t.action)
            if t.permission not in PERMISSIONS:
                raise ValueError(f"{self.name}.{t.action}: unknown permission {t.permission!r}")
            unknown = {str(s) for s in (*t.sources, t.target)} - set(states)
            if unknown:
                raise ValueError(f"{self.name}.{t.action}: unknown states {sorted(unknown)}")
        self._by_action = {t.action: t for t in self.transitions}
        self._state_labels = {str(k): str(v) for k, v in states.items()}

    def get(self, action: str) -> Transition:
        try:
            return self._by_action[action]
        except KeyError:
            raise ValidationError(f"没有“{action}”这项操作。") from None

    def state_label(self, state: str) -> str:
        return self._state_labels.get(str(state), str(state))

    def state_of(self, obj: models.Model) -> str:
        return str(getattr(obj, self.state_field))

    def available(self, obj: models.Model, actor: Actor) -> list[Transition]:
        """The actions ``actor`` may offer on ``obj`` now: state, permission and
        scope match. Guards are not run here (they may need the action's
        data); ``transition`` runs them and explains a refusal."""
        state = self.state_of(obj)
        if not self.scope(actor, obj):
            return []
        return [
            t
            for t in self.transitions
            if state in {str(s) for s in t.sources} and actor.can(t.permission)
        ]


def transition(
    *,
    workflow: Workflow,
    actor: Actor,
    obj_or_pk: models.Model | int,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> models.Model:
    """Take ``action`` on the object, all or nothing, and return it.

    Order of checks: the action exists, the actor holds its permission, the
    row exists (locked and re-read, so a decision made on a stale page cannot
    win), the actor's scope covers it, its current state is a source of the
    action, every guard passes. Then the state (and any fields ``apply``
    sets) is saved with ``update_fields``, and a timeline event and an audit
    record are written in the same transaction.
    """
    t = workflow.get(action)
    actor.require(t.permission)
    data = dict(data or {})
    pk = obj_or_pk.pk if isinstance(obj_or_pk, models.Model) else obj_or_pk
    model = workflow.model
    with transaction.atomic():
        obj = model._default_manager.select_for_update().filter(pk=pk).first()
        if obj is None:
            raise NotFound(f"{model._meta.verbose_name}不存在或已被删除。")
        if not workflow.scope(actor, obj):
            raise PermissionDenied(f"该{model._meta.verbose_name}不在您的管辖范围内。")
        before = workflow.state_of(obj)
        if before not in {str(s) for s in t.sources}:
            raise Conflict(
                f"该事项当前状态为“{workflow.state_label(before)}”，不能执行“{t.label}”。"
            )
        for guard in t.guards:
            guard(obj, actor, **data)
        extra: list[str] = []
        before_extra: dict[str, Any] = {}
        if t.apply is not None:
            snapshot = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            extra = [name for name in t.apply(obj, actor, **data) if name != workflow.state_field]
            before_extra = {
                name: snapshot.get(_concrete_field(model, name).attname) for name in extra
            }
        setattr(obj, workflow.state_field, t.target)
        obj.save(update_fields=[workflow.state_field, *extra])
        after = str(t.target)
        changes: dict[str, Any] = {workflow.state_field: [before, after]}
        for name in extra:
            changes[name] = [before_extra[name], getattr(obj, _concrete_field(model, name).attname)]
        changes = json_safe(changes)
        region_field = getattr(workflow.scope, "field_name", None)
        region = getattr(obj, region_field, None) if region_field else None
        record(
            actor=actor,
            action=f"{workflow.name}.{t.action}",
            obj=obj,
            region=region if isinstance(region, Region) else None,
            changes=changes,
            message=note,
            event=Event(t.action, t.label, from_state=before, to_state=after, note=note, data=data),
        )
    return obj


def timeline_for(obj: models.Model) -> QuerySet[TimelineEvent]:
    """The object's history, oldest first, with who did each step. The caller
    has already loaded ``obj`` through a scoped selector."""
    return (
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            # The district too: on Citus the query then goes to one shard.
            district_id=obj.district_id,  # type: ignore[attr-defined]
        )
        .select_related("actor")
        .order_by("at", "id")
    )
