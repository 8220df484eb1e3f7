"""What the party services share: the district's rules, the first day of a month, a member's placement, a percentage; and
the quarters, which are the pairing module's (``whistles.checks``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shequ.core.models import Region
from shequ.party.models import PartyOrg, PartyRules
from shequ.residents.models import Resident
from shequ.whistles.checks import quarter_bounds, quarter_of


def rules_for(district_id: int) -> PartyRules:
    """The district's rules; the defaults (unsaved) until an admin sets them."""
    found = PartyRules.objects.filter(district_id=district_id).first()
    return found if found is not None else PartyRules(district_id=district_id)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def placement(org: PartyOrg) -> dict[str, Any]:
    """The columns a member row takes from its organisation (scope keys).
    A member's ``compound`` is where they live (``home_compound_id``), not
    the organisation's: a branch is counted from the members of a compound."""
    return {"org": org, "org_region_id": org.region_id, "community_id": org.community_id}


def home_compound_id(resident: Resident) -> int | None:
    """The compound of the resident's household (one query unless loaded)."""
    return (
        Region.objects.filter(pk=resident.household.unit_id)
        .values_list("compound_id", flat=True)
        .first()
    )


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent to one decimal; None when nothing is counted."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


__all__ = [
    "home_compound_id",
    "month_start",
    "next_month",
    "percent",
    "placement",
    "quarter_bounds",
    "quarter_of",
    "rules_for",
]
