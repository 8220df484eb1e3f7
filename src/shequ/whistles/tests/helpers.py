"""Builders for the pairing tests (and the page-by-role matrix in core)."""

from __future__ import annotations

import datetime as dt

from shequ.core.models import Region
from shequ.core.scope import Actor
from shequ.whistles.models import Commitment, Department, Liaison, PairingAgreement, Unit
from shequ.whistles.pairing.services import agreement_create, commitment_add


def liaison_unit(people) -> Unit:
    unit = Liaison.objects.get(user=people.unit_liaison).unit
    assert unit is not None
    return unit


def liaison_department(people) -> Department:
    department = Liaison.objects.get(user=people.department_liaison).department
    assert department is not None
    return department


def make_agreement(
    people,
    community: Region,
    *,
    unit: Unit | None = None,
    department: Department | None = None,
    starts_on: dt.date = dt.date(2026, 1, 1),
    ends_on: dt.date = dt.date(2027, 12, 31),
    by=None,
) -> PairingAgreement:
    """An agreement signed by the community's secretary (or ``by``)."""
    if unit is None and department is None:
        unit = liaison_unit(people)
    return agreement_create(
        actor=Actor.for_user(by or people.secretary),
        community=community,
        unit=unit,
        department=department,
        starts_on=starts_on,
        ends_on=ends_on,
        contact_name="刘建国",
        contact_phone="13912345678",
    )


def add_commitment(people, agreement: PairingAgreement, by=None) -> Commitment:
    return commitment_add(
        actor=Actor.for_user(by or people.secretary),
        agreement_id=agreement.pk,
        kind="parking",
        quantity="20",
        description="夜间向居民开放停车位",
    )


def pairing_page_args(tree, people) -> dict[str, int]:
    """URL kwargs of the whistles pages for core's every-page matrix."""
    agreement = make_agreement(people, tree.community)
    add_commitment(people, agreement)
    liaison = Liaison.objects.get(user=people.unit_liaison)
    return {
        "department_id": liaison_department(people).pk,
        "unit_id": liaison_unit(people).pk,
        "liaison_id": liaison.pk,
        "agreement_id": agreement.pk,
    }
