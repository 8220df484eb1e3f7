"""党建数据 page (the module's home) and the district's 建支部提示 list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shequ.core.http import requires
from shequ.core.submit import int_or_none
from shequ.party.functioning import rule_text
from shequ.party.models import OrgKind, Relation
from shequ.party.selectors import figures as selectors
from shequ.party.selectors.orgs import eligibility as eligibility_of
from shequ.party.services.common import rules_for

YEARS = range(2000, 2101)


@require_GET
@requires("party.view")
def figures(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    year = int_or_none(request.GET.get("year"))
    found = selectors.party_figures(
        actor=actor,
        region_id=int_or_none(request.GET.get("region")),
        year=year if year in YEARS else None,
    )
    parent = found.region.parent_id if found.region != actor.region else None
    return render(
        request,
        "party/figures.html",
        {
            "figures": found,
            "parent": parent if parent and actor.covers(found.region.parent) else None,
            "org_kinds": OrgKind.choices,
            "relations": Relation.choices,
            "rule": rule_text(rules_for(found.region.district_id)),
        },
    )


@require_GET
@requires("party.view")
def eligibility(request: HttpRequest) -> HttpResponse:
    return render(request, "party/eligibility.html", {"found": eligibility_of(actor=request.actor)})
