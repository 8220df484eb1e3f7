"""党组织 pages: the organisations of the actor's area, founding one on the
region tree, one organisation with its committee and bodies, and the
district's party rules."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.models import RegionLevel
from shequ.core.submit import int_or_none, local_date, posted, write
from shequ.party.models import KINDS_BY_LEVEL, BodyKind, OrgKind, OrgRoleKind
from shequ.party.scope import covers_org_region
from shequ.party.selectors import members as member_selectors
from shequ.party.selectors import orgs as selectors
from shequ.party.services import orgs as services
from shequ.party.services.common import rules_for


@require_GET
@requires("party.view")
def org_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")[:24]
    return render(
        request,
        "party/orgs/list.html",
        {
            "orgs": list(selectors.org_list(actor=request.actor, kind=kind)),
            "kind": kind,
            "kinds": OrgKind.choices,
        },
    )


def _create_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    level = int_or_none(request.GET.get("level") or request.POST.get("level"))
    level = level if level in KINDS_BY_LEVEL else RegionLevel.COMPOUND
    return render(
        request,
        "party/orgs/new.html",
        {
            "level": level,
            "levels": selectors.LEVEL_CHOICES,
            "regions": list(selectors.founding_regions(actor=request.actor, level=level)),
            "kinds": [(k, OrgKind(k).label) for k in KINDS_BY_LEVEL[RegionLevel(level)]],
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("party.org")
@once
def org_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _create_page(request)
    return write(
        request,
        action="party_org.create",
        call=lambda: services.org_create(
            actor=request.actor,
            region_id=int_or_none(request.POST.get("region")) or 0,
            kind=posted(request, "kind", 24),
            name=posted(request, "name", 100),
            founded_on=local_date(request.POST.get("founded_on")),
        ),
        done=lambda org: f"已成立“{org.name}”。",
        page=_create_page,
        to=lambda org: reverse("party:org", args=[org.pk]),
    )


def _detail_page(
    request: HttpRequest, org_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    org = selectors.org_get(actor=actor, org_id=org_id)
    keeping = actor.can("party.org") and covers_org_region(actor, org.region) and org.active
    roles = list(org.roles.all())
    return render(
        request,
        "party/orgs/detail.html",
        {
            "org": org,
            "sitting": [r for r in roles if r.ended_on is None],
            "past": [r for r in roles if r.ended_on is not None],
            "keeping": keeping,
            "names": actor.can("party.members"),
            "candidates": list(member_selectors.member_choices(actor=actor, org=org))
            if keeping and actor.can("party.members")
            else [],
            "role_kinds": [
                (k, label)
                for k, label in OrgRoleKind.choices
                if (k == OrgRoleKind.GROUP_LEADER) == (org.kind == OrgKind.GROUP)
            ],
            "body_kinds": BodyKind.choices,
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_GET
@requires("party.view")
def org_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    return _detail_page(request, org_id)


def _org_write(request: HttpRequest, org_id: int, *, action: str, call, done: str) -> HttpResponse:
    return write(
        request,
        action=action,
        call=call,
        done=done,
        page=_detail_page,
        page_args=(org_id,),
        to="party:org",
        to_args=(org_id,),
    )


@require_POST
@requires("party.org")
@once
def role_add(request: HttpRequest, org_id: int) -> HttpResponse:
    return _org_write(
        request,
        org_id,
        action="party_role.add",
        call=lambda: services.role_add(
            actor=request.actor,
            org_id=org_id,
            member_id=int_or_none(request.POST.get("member")) or 0,
            role=posted(request, "role", 16),
            term_start=local_date(request.POST.get("term_start")),
            term_end=local_date(request.POST.get("term_end")),
        ),
        done="已任命。",
    )


@require_POST
@requires("party.org")
def role_end(request: HttpRequest, role_id: int) -> HttpResponse:
    seat_org = int_or_none(request.POST.get("org")) or 0
    return write(
        request,
        action="party_role.end",
        call=lambda: services.role_end(
            actor=request.actor, role_id=role_id, ended_on=local_date(request.POST.get("ended_on"))
        ),
        done="已办理离任。",
        page=_detail_page,
        page_args=(seat_org,),
        to=lambda seat: reverse("party:org", args=[seat.org_id]),
    )


@require_POST
@requires("party.org")
@once
def body_add(request: HttpRequest, org_id: int) -> HttpResponse:
    return _org_write(
        request,
        org_id,
        action="party_body.add",
        call=lambda: services.body_add(
            actor=request.actor,
            org_id=org_id,
            kind=posted(request, "kind", 20),
            name=posted(request, "name", 100),
            contact_name=posted(request, "contact_name", 60),
            contact_phone=posted(request, "contact_phone", 20),
        ),
        done="已登记共建组织。",
    )


@require_POST
@requires("party.org")
def org_dissolve(request: HttpRequest, org_id: int) -> HttpResponse:
    return _org_write(
        request,
        org_id,
        action="party_org.dissolve",
        call=lambda: services.org_dissolve(
            actor=request.actor,
            org_id=org_id,
            dissolved_on=local_date(request.POST.get("dissolved_on")),
            reason=posted(request, "reason", 300),
        ),
        done="已撤销该党组织。",
    )


def _rules_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "party/rules.html",
        {
            "rules": rules_for(actor.require_district_id()),
            "editing": actor.can("party.rules"),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("party.view")
def rules(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _rules_page(request)
    return write(
        request,
        action="party_rules.set",
        call=lambda: services.party_rules_set(
            actor=request.actor, **{n: posted(request, n, 12) for n in services.RULE_FIELDS}
        ),
        done="已保存党建规则。",
        page=_rules_page,
        to="party:rules",
    )
