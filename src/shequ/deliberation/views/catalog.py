"""协商目录 and 协商工作统计: the district's catalog (kept by the district,
adopted by communities, which add local items), its Excel file, and the
figures of topics, meetings, decisions and outcomes per region and category."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from shequ.core.errors import NotFound
from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.models import Region, RegionLevel
from shequ.core.submit import int_or_none, local_date, posted, write
from shequ.core.workdays import local_today
from shequ.deliberation import selectors, services
from shequ.deliberation.catalog_excel import catalog_import, catalog_xlsx
from shequ.deliberation.models import MatterLevel, MeetingForm, Participant, VoteRule

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _catalog_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    community = selectors.actor_community(actor)
    rows = selectors.catalog(district_id=actor.require_district_id(), community=community)
    categories: dict[str, list[selectors.CatalogRow]] = {}
    for row in rows:
        categories.setdefault(row.item.category, []).append(row)
    return render(
        request,
        "deliberation/catalog.html",
        {
            "community": community,
            "categories": categories,
            "items": len(rows),
            "not_adopted": sum(1 for r in rows if not r.adopted) if community else 0,
            "can_keep": actor.can("deliberation.catalog"),
            "can_adopt": actor.can("deliberation.adopt") and community is not None,
            "forms": MeetingForm.choices,
            "participants": Participant.choices,
            "rules": VoteRule.choices,
            "levels": MatterLevel.choices,
            "posted": request.POST if error else {},
            "error": error,
        },
        status=status,
    )


@require_GET
@requires("deliberation.view")
def catalog(request: HttpRequest) -> HttpResponse:
    return _catalog_page(request)


def _fields(request: HttpRequest) -> dict[str, object]:
    p = request.POST
    return {
        "category": posted(request, "category", 40),
        "name": posted(request, "name", 120),
        "content": posted(request, "content", 2100),
        "forms": p.getlist("forms")[:10],
        "participants": p.getlist("participants")[:10],
        "vote_rule": posted(request, "vote_rule", 16),
        "level": posted(request, "level", 16),
        "legal_basis": posted(request, "legal_basis", 220),
    }


@require_POST
@requires("deliberation.view")
@once
def catalog_item_add(request: HttpRequest) -> HttpResponse:
    """A district item (the district's office) or a local item of the community."""
    actor = request.actor
    community = selectors.actor_community(actor) if not actor.can("deliberation.catalog") else None
    district = Region.objects.get(pk=actor.require_district_id())
    return write(
        request,
        action="consultation_item.create",
        call=lambda: services.consultation_item_create(
            actor=actor,
            district=district,
            community=community,
            code=posted(request, "code", 40),
            **_fields(request),
        ),  # fmt: skip
        done=lambda i: f"已增加协商条目 {i.code} {i.name}。",
        page=_catalog_page,
        to="deliberation:catalog",
    )


@require_POST
@requires("deliberation.view")
def catalog_item_revise(request: HttpRequest, item_id: int) -> HttpResponse:
    return write(
        request,
        action="consultation_item.revise",
        call=lambda: services.consultation_item_revise(
            actor=request.actor, item_id=item_id, **_fields(request)
        ),
        done=lambda i: f"已发布 {i.code} 的新版本，此前提出的议题仍按原版本办理。",
        page=_catalog_page,
        to="deliberation:catalog",
    )


@require_POST
@requires("deliberation.adopt")
def catalog_adopt(request: HttpRequest) -> HttpResponse:
    community = selectors.actor_community(request.actor)
    if community is None:
        raise NotFound("请切换到社区的角色后再采用协商目录。")
    ids = request.POST.getlist("item_ids")[:500]
    return write(
        request,
        action="consultation.adopt",
        call=lambda: services.catalog_adopt(
            actor=request.actor, community=community, item_ids=ids or None
        ),  # fmt: skip
        done=lambda n: f"本社区新采用 {n} 个协商条目。",
        page=_catalog_page,
        to="deliberation:catalog",
    )


@require_GET
@requires("deliberation.view")
def catalog_export(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    district = Region.objects.get(pk=actor.require_district_id())
    data = catalog_xlsx(district=district, community=selectors.actor_community(actor))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-catalog-{district.code}.xlsx"'
    )
    return response


@require_POST
@requires("deliberation.catalog")
@once
def catalog_upload(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    district = Region.objects.get(pk=actor.require_district_id())
    upload = request.FILES.get("file")
    return write(
        request,
        action="consultation.import",
        call=lambda: catalog_import(actor=actor, district=district, file=upload),
        done=lambda r: (
            f"导入完成：新增 {r.created} 条，修订 {r.revised} 条，未变 {r.unchanged} 条。"
        ),
        page=_catalog_page,
        to="deliberation:catalog",
    )


# -- figures -----------------------------------------------------------------------------------


@require_GET
@requires("deliberation.view")
def figures(request: HttpRequest) -> HttpResponse:
    """协商工作统计 of a region (default: the actor's) over a period (default: this year)."""
    actor = request.actor
    region = actor.region
    region_id = int_or_none(request.GET.get("region"))
    if region_id is not None:
        region = Region.objects.filter(pk=region_id).first()
    if region is None or not actor.covers(region):
        raise NotFound("该区划不存在，或不在您的管辖范围内。")
    if region.level > RegionLevel.COMMUNITY:
        region = Region.objects.get(pk=region.community_id)
    today = local_today()
    start = local_date(request.GET.get("start")) or dt.date(today.year, 1, 1)
    end = local_date(request.GET.get("end")) or today
    if end < start:
        start, end = end, start
    data = selectors.figures(actor=actor, region=region, start=start, end=end)
    return render(
        request,
        "deliberation/figures.html",
        {
            "figures": data,
            "drill": region.level < RegionLevel.COMMUNITY,
            "parent": region.parent_id
            if region.parent_id and actor.covers(region.parent)
            else None,
        },  # fmt: skip
    )
