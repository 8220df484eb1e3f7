"""Reads of the Open311 endpoints and of the client page.

The GET endpoints are public (the spec asks no api_key for them): they read
one jurisdiction (a district), chosen by ``jurisdiction_id`` (the district's
code), and return only what ``mapping`` lets out. The client page is scoped
to the district admin's own district.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from shequ.appeals.models import Appeal, AppealKind
from shequ.core.errors import NotFound
from shequ.core.keys import key_digest
from shequ.core.models import Region, RegionLevel, TimelineEvent
from shequ.core.scope import Actor
from shequ.desk.models import Case, CommunityItem, ServiceItem, ServiceItemVersion
from shequ.open311 import mapping
from shequ.open311.models import Open311Client, Open311Submission
from shequ.open311.params import MAX_RESULTS, RequestFilters
from shequ.open311.wire import Open311Error


def client_by_key(raw: str) -> Open311Client | None:
    """The client holding ``raw`` (revoked ones too: the caller says why it refuses)."""
    if not raw:
        return None
    return (
        Open311Client.objects.select_related("district").filter(key_digest=key_digest(raw)).first()
    )


def jurisdiction(jurisdiction_id: str) -> Region:
    """The district a request is about: by code, or the only one there is.
    The spec: 400 when it is needed and missing, 404 when it is unknown."""
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    if jurisdiction_id:
        district = districts.filter(code=jurisdiction_id).first()
        if district is None:
            raise Open311Error(404, f"jurisdiction_id“{jurisdiction_id[:24]}”不存在。")
        return district
    only = list(districts.order_by("code")[:2])
    if len(only) != 1:
        raise Open311Error(400, "本接口服务多个区，请提供 jurisdiction_id（区划代码）。")
    return only[0]


# -- services ---------------------------------------------------------------------------------


def _online_items(district: Region) -> QuerySet[ServiceItem]:
    adopted = CommunityItem.objects.filter(item=OuterRef("pk"), active=True)
    return (
        ServiceItem.objects.filter(
            district=district,
            retired_at__isnull=True,
            current_version__online_allowed=True,
        )
        .filter(Exists(adopted))
        .select_related("current_version")
        .order_by("code")
    )


def service_list(*, district: Region) -> list[dict[str, Any]]:
    return mapping.appeal_services() + [
        mapping.item_service(item) for item in _online_items(district)
    ]


def community_by_code(district: Region, code: str) -> Region | None:
    """One community of the district by its code: one indexed query (the
    POST path), where listing all of them costs more than the rest."""
    return Region.objects.filter(
        district=district, level=RegionLevel.COMMUNITY, code=code[:32]
    ).first()


def communities(district: Region) -> list[Region]:
    return list(
        Region.objects.filter(district=district, level=RegionLevel.COMMUNITY).order_by("code")
    )


@dataclass
class ItemService:
    """An online item as a service: its current version and where it is offered."""

    item: ServiceItem
    version: ServiceItemVersion
    communities: list[Region] = field(default_factory=list)


def item_service(*, district: Region, code: str) -> ItemService:
    item = _online_items(district).filter(code=code).first()
    if item is None or item.current_version is None:
        raise Open311Error(404, f"service_code“item.{code[:40]}”不存在或不可网上申请。")
    offered = list(
        Region.objects.filter(
            pk__in=CommunityItem.objects.filter(item=item, active=True).values("community_id")
        ).order_by("code")
    )
    return ItemService(item=item, version=item.current_version, communities=offered)


def service_definition(*, district: Region, code: str) -> dict[str, Any]:
    parsed = mapping.parse_service_code(code)
    if parsed is None:
        raise Open311Error(404, f"service_code“{code[:60]}”不存在。")
    if parsed.kind == "appeal":
        attributes = [
            mapping.attribute(
                code=mapping.ATTR_COMMUNITY,
                datatype="singlevaluelist",
                required=True,
                order=1,
                description="问题所在的社区",
                values=[(c.code, c.name) for c in communities(district)],
            ),
            mapping.attribute(
                code=mapping.ATTR_KIND,
                datatype="singlevaluelist",
                required=True,
                order=2,
                description="诉求类型",
                values=list(AppealKind.choices),
            ),
        ]
        return {"service_code": str(parsed), "attributes": attributes}
    found = item_service(district=district, code=parsed.value)
    attributes = [
        mapping.attribute(
            code=mapping.ATTR_COMMUNITY,
            datatype="singlevaluelist",
            required=True,
            order=1,
            description="向哪个社区申请（申请人户籍或居住地社区）",
            values=[(c.code, c.name) for c in found.communities],
        ),
        mapping.attribute(
            code=mapping.ATTR_ID_NUMBER,
            datatype="string",
            required=True,
            order=2,
            description="申请人身份证号（18位）；申请人姓名用 last_name、first_name，手机号用 phone",
            datatype_description="18位居民身份证号码",
        ),
    ]
    order = 3
    for spec in found.version.form_fields:
        datatype = mapping.FORM_DATATYPES.get(spec.get("type", ""), "string")
        options = spec.get("options") or []
        attributes.append(
            mapping.attribute(
                code=mapping.FORM_PREFIX + spec["name"],
                datatype=datatype,
                required=bool(spec.get("required")),
                order=order,
                description=spec["name"],
                datatype_description="日期，例如 2026-10-01" if datatype == "datetime" else None,
                values=[(o, o) for o in options] if datatype == "singlevaluelist" else None,
            )
        )
        order += 1
    materials = [m["name"] for m in found.version.materials]
    if materials:
        attributes.append(
            mapping.attribute(
                code=mapping.ATTR_MATERIALS,
                datatype="multivaluelist",
                required=False,
                order=order,
                description="已备齐的申请材料（受理时到窗口核验原件）",
                values=[(name, name) for name in materials],
            )
        )
    return {"service_code": str(parsed), "attributes": attributes}


# -- requests ---------------------------------------------------------------------------------


def _last_event(model: type) -> Subquery:
    return Subquery(
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
        )
        .order_by("-at")
        .values("at")[:1]
    )


def _last(row: Appeal | Case) -> dt.datetime | None:
    """The time of the row's latest timeline event (annotated by the query)."""
    return getattr(row, "last_event", None)


def _appeals(district: Region) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(district=district)
        .select_related("community", "compound", "building", "duplicate_of")
        .annotate(last_event=_last_event(Appeal))
    )


def _cases(district: Region) -> QuerySet[Case]:
    return (
        Case.objects.filter(district=district)
        .select_related("community", "item", "version")
        .annotate(last_event=_last_event(Case))
    )


def _code_filters(district: Region, codes: list[str]) -> tuple[list[str], list[str]]:
    categories: list[str] = []
    items: list[str] = []
    for code in codes:
        parsed = mapping.parse_service_code(code)
        if parsed is None:
            raise Open311Error(400, f"service_code“{code[:60]}”不存在。")
        (categories if parsed.kind == "appeal" else items).append(parsed.value)
    if items:
        known = set(
            ServiceItem.objects.filter(district=district, code__in=items).values_list(
                "code", flat=True
            )
        )
        unknown = [c for c in items if c not in known]
        if unknown:
            raise Open311Error(400, f"service_code“item.{unknown[0][:40]}”不存在。")
    return categories, items


def request_search(*, district: Region, filters: RequestFilters) -> list[dict[str, Any]]:
    """The requests asked for, newest first, at most 1,000 (the spec's volume)."""
    appeals, cases = _appeals(district), _cases(district)
    if filters.ids:
        appeals = appeals.filter(number__in=filters.ids)
        cases = cases.filter(receipt_no__in=filters.ids)
    else:
        if filters.start is not None:
            appeals = appeals.filter(submitted_at__gte=filters.start)
            cases = cases.filter(submitted_at__gte=filters.start)
        if filters.end is not None:
            appeals = appeals.filter(submitted_at__lte=filters.end)
            cases = cases.filter(submitted_at__lte=filters.end)
        if filters.service_codes:
            categories, items = _code_filters(district, filters.service_codes)
            appeals = appeals.filter(category__in=categories)
            cases = cases.filter(item__code__in=items)
        if filters.statuses == {"open"}:
            appeals = appeals.exclude(status__in=mapping.APPEAL_CLOSED)
            cases = cases.exclude(status__in=mapping.CASE_CLOSED)
        elif filters.statuses == {"closed"}:
            appeals = appeals.filter(status__in=mapping.APPEAL_CLOSED)
            cases = cases.filter(status__in=mapping.CASE_CLOSED)
    newest = ("-submitted_at", "-id")
    rows: list[tuple[dt.datetime, dict[str, Any]]] = [
        (a.submitted_at, mapping.appeal_request(a, _last(a)))
        for a in appeals.order_by(*newest)[:MAX_RESULTS]
    ]
    rows += [
        (c.submitted_at, mapping.case_request(c, _last(c)))
        for c in cases.order_by(*newest)[:MAX_RESULTS]
    ]
    rows.sort(key=lambda row: row[0], reverse=True)
    return [row for _, row in rows[:MAX_RESULTS]]


def request_get(*, district: Region, service_request_id: str) -> dict[str, Any]:
    appeal = _appeals(district).filter(number=service_request_id).first()
    if appeal is not None:
        return mapping.appeal_request(appeal, _last(appeal))
    case = _cases(district).filter(receipt_no=service_request_id).first()
    if case is not None:
        return mapping.case_request(case, _last(case))
    raise Open311Error(404, f"service_request_id“{service_request_id[:40]}”不存在。")


def token_get(*, district: Region, token: str) -> dict[str, Any]:
    row = Open311Submission.objects.filter(district=district, token=token).first()
    if row is None:
        raise Open311Error(404, f"token“{token[:40]}”不存在。")
    return {"service_request_id": row.service_request_id, "token": row.token}


# -- the client page --------------------------------------------------------------------------


def client_list(*, actor: Actor) -> QuerySet[Open311Client]:
    if actor.region is None:
        return Open311Client.objects.none()
    return (
        Open311Client.objects.filter(district_id=actor.region.district_id)
        .select_related("created_by", "revoked_by")
        .order_by("revoked_at", "-created_at")
    )


def client_get(*, actor: Actor, client_id: int) -> Open311Client:
    client = client_list(actor=actor).filter(pk=client_id).first()
    if client is None:
        raise NotFound("接入客户端不存在。")
    return client
