"""Who sees which pairing rows: communities and streets by region, liaisons
by the bodies their ``Liaison`` rows name ("they see only what is addressed
to them"). Used by selectors (filters) and services (checks) alike."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from shequ.core.permissions import LIAISON_ROLES
from shequ.core.scope import Actor
from shequ.whistles.models import Liaison, PairingAgreement


@dataclass(frozen=True)
class Bodies:
    department_ids: frozenset[int]
    unit_ids: frozenset[int]


def is_liaison(actor: Actor) -> bool:
    return actor.role in LIAISON_ROLES


def liaison_bodies(actor: Actor) -> Bodies:
    """The departments and units the liaison actor speaks for (none otherwise)."""
    if not is_liaison(actor) or actor.user is None or actor.region is None:
        return Bodies(frozenset(), frozenset())
    rows = Liaison.objects.filter(user=actor.user, district_id=actor.region.district_id)
    if actor.role == "department_liaison":
        ids = rows.filter(department__isnull=False).values_list("department_id", flat=True)
        return Bodies(frozenset(i for i in ids if i is not None), frozenset())
    ids = rows.filter(unit__isnull=False).values_list("unit_id", flat=True)
    return Bodies(frozenset(), frozenset(i for i in ids if i is not None))


def agreement_q(actor: Actor, prefix: str = "") -> Q:
    """Rows (agreements, or rows whose ``prefix`` leads to one) in scope."""
    if is_liaison(actor):
        bodies = liaison_bodies(actor)
        return Q(**{f"{prefix}department_id__in": sorted(bodies.department_ids)}) | Q(
            **{f"{prefix}unit_id__in": sorted(bodies.unit_ids)}
        )
    return actor.scope_q(community=f"{prefix}community")


def covers_agreement(actor: Actor, agreement: PairingAgreement) -> bool:
    if is_liaison(actor):
        bodies = liaison_bodies(actor)
        return (
            agreement.department_id in bodies.department_ids or agreement.unit_id in bodies.unit_ids
        )
    return actor.covers(agreement.community)


def liaison_scope_label(actor: Actor) -> str | None:
    """A liaison's scope in the navigation: the bodies it speaks for
    (“站前派出所”), not the district its grant lies on."""
    if not is_liaison(actor) or actor.user is None:
        return None
    rows = Liaison.objects.filter(user=actor.user).select_related("department", "unit")
    names = sorted(row.body.name for row in rows)
    if len(names) > 2:
        return f"{'、'.join(names[:2])}等{len(names)}个"
    return "、".join(names) if names else None
