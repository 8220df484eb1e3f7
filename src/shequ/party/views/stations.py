"""红旗驿站 pages: the stations of the actor's area with the last full
month's verdict and the current month so far, setting one up, one station
with its rooms, timetable, duty, registrations and months (the rule beside
the figures), the forms that post to it, and its activity photos."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core import photos as photo_store
from shequ.core.errors import NotFound
from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.submit import int_or_none, local_date, posted, write
from shequ.core.workdays import local_today
from shequ.party.functioning import WEEKDAY_LABELS, rule_text
from shequ.party.models import PHOTO_DIR, ActivityKind, LocationKind, RoomKind, Station
from shequ.party.selectors import stations as selectors
from shequ.party.services import stations as services
from shequ.party.services.common import month_start, rules_for

HOUR_SLOTS = 3  # periods per weekday the timetable form offers
FUNCTIONING_CHOICES = {"1": True, "0": False}


def _time(raw: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat((raw or "").strip()[:5])
    except ValueError:
        return None


def _month_choices() -> list[dt.date]:
    """This month and the eleven before it, newest first."""
    month, out = selectors.current_month(), []
    for _ in range(12):
        out.append(month)
        month = month_start(month - dt.timedelta(days=1))
    return out


@require_GET
@requires("party.view")
def station_list(request: HttpRequest) -> HttpResponse:
    actor, g = request.actor, request.GET
    chosen = selectors.parse_month(g.get("month"))
    functioning = FUNCTIONING_CHOICES.get(g.get("functioning", ""))
    community_id = int_or_none(g.get("community"))
    rows = selectors.station_list(
        actor=actor, month=chosen, functioning=functioning, community_id=community_id
    )
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(g.get("page"))
    query = g.copy()
    query.pop("page", None)
    return render(
        request,
        "party/stations/list.html",
        {
            "page": page,
            "month": chosen or selectors.last_full_month(),
            "current": selectors.current_month(),
            "months": _month_choices(),
            "functioning": g.get("functioning", "") if functioning is not None else "",
            "community_id": community_id,
            "figures": selectors.station_figures(actor=actor, month=chosen),
            "query": query.urlencode(),
        },
    )


def _create_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    return render(
        request,
        "party/stations/new.html",
        {
            "branches": list(selectors.station_branches(actor=request.actor)),
            "location_kinds": LocationKind.choices,
            "today": local_today(),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("party.station")
@once
def station_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _create_page(request)
    return write(
        request,
        action="station.create",
        call=lambda: services.station_create(
            actor=request.actor,
            branch_id=int_or_none(request.POST.get("branch")),
            name=posted(request, "name", 100),
            location_kind=posted(request, "location_kind", 20),
            address=posted(request, "address", 200),
            area=posted(request, "area", 20),
            opened_on=local_date(request.POST.get("opened_on")),
        ),
        done=lambda s: f"已建立红旗驿站“{s.name}”，请登记房间并公示开放时间。",
        page=_create_page,
        to=lambda s: reverse("party:station", args=[s.pk]),
    )


def _hours_grid(
    station: Station, posted_values
) -> list[tuple[int, str, list[tuple[int, str, str]]]]:
    """Each weekday with its timetable slots as the form shows them: what
    was posted (after a refusal) or the published periods, padded to
    ``HOUR_SLOTS`` empty ones."""
    published: dict[int, list[tuple[str, str]]] = {d: [] for d in range(7)}
    for h in station.hours.all():
        published[h.weekday].append((f"{h.opens:%H:%M}", f"{h.closes:%H:%M}"))
    grid = []
    for d, label in enumerate(WEEKDAY_LABELS):
        spans = published[d]
        count = max(HOUR_SLOTS, len(spans))
        if posted_values and any(k.startswith(("opens_", "closes_")) for k in posted_values):
            spans = [
                (posted_values.get(f"opens_{d}_{i}", ""), posted_values.get(f"closes_{d}_{i}", ""))
                for i in range(count)
            ]
        spans = spans + [("", "")] * (count - len(spans))
        grid.append((d, label, [(i, o, c) for i, (o, c) in enumerate(spans)]))
    return grid


def _detail_page(
    request: HttpRequest, station_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    station = selectors.station_get(actor=actor, station_id=station_id)
    keeping = actor.can("party.station") and actor.covers(station.compound) and station.active
    duties: dict[int, list] = {d: [] for d in range(7)}
    for duty in station.duties.all():
        duties[duty.weekday].append(duty)
    return render(
        request,
        "party/stations/detail.html",
        {
            "station": station,
            "keeping": keeping,
            "names": actor.can("party.members"),
            "hours": services.hours_text(
                (h.weekday, h.opens, h.closes) for h in station.hours.all()
            ),
            "grid": _hours_grid(station, request.POST if error else None),
            "hours_refused": bool(error) and "opens_0_0" in request.POST,
            "duties": [(WEEKDAY_LABELS[d], rows) for d, rows in duties.items() if rows],
            "weekdays": list(enumerate(WEEKDAY_LABELS)),
            "candidates": list(selectors.duty_candidates(station=station)) if keeping else [],
            "room_kinds": RoomKind.choices,
            "activity_kinds": ActivityKind.choices,
            "current": selectors.current_month(),
            "rule": rule_text(rules_for(station.district_id)),
            "today": local_today(),
            "max_photos": photo_store.MAX_PHOTOS,
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_GET
@requires("party.view")
def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    return _detail_page(request, station_id)


def _station_write(
    request: HttpRequest, station_id: int, *, action: str, call, done: str
) -> HttpResponse:
    return write(
        request,
        action=action,
        call=call,
        done=done,
        page=_detail_page,
        page_args=(station_id,),
        to="party:station",
        to_args=(station_id,),
    )


@require_POST
@requires("party.station")
@once
def room_add(request: HttpRequest, station_id: int) -> HttpResponse:
    return _station_write(
        request,
        station_id,
        action="station_room.add",
        call=lambda: services.station_room_add(
            actor=request.actor,
            station_id=station_id,
            kind=posted(request, "room_kind", 20),
            name=posted(request, "room_name", 60),
            area=posted(request, "room_area", 20),
            capacity=posted(request, "capacity", 12),
        ),
        done="已登记房间。",
    )


@require_POST
@requires("party.station")
def hours_set(request: HttpRequest, station_id: int) -> HttpResponse:
    periods = []
    for d in range(7):
        for i in range(services.MAX_PERIODS_PER_DAY + 1):
            opens = request.POST.get(f"opens_{d}_{i}", "").strip()
            closes = request.POST.get(f"closes_{d}_{i}", "").strip()
            if opens or closes:
                periods.append((d, _time(opens), _time(closes)))
    return _station_write(
        request,
        station_id,
        action="station_hours.set",
        call=lambda: services.station_hours_set(
            actor=request.actor, station_id=station_id, periods=periods
        ),
        done="已公示开放时间。",
    )


@require_POST
@requires("party.station")
@once
def duty_add(request: HttpRequest, station_id: int) -> HttpResponse:
    return _station_write(
        request,
        station_id,
        action="station_duty.add",
        call=lambda: services.station_duty_add(
            actor=request.actor,
            station_id=station_id,
            weekday=int_or_none(request.POST.get("weekday")),
            member_id=int_or_none(request.POST.get("member")),
        ),
        done="已安排值班。",
    )


@require_POST
@requires("party.station")
def opening_log(request: HttpRequest, station_id: int) -> HttpResponse:
    return _station_write(
        request,
        station_id,
        action="station_opening.log",
        call=lambda: services.station_opening_log(
            actor=request.actor,
            station_id=station_id,
            day=local_date(request.POST.get("day")),
            opened=_time(request.POST.get("opened")),
            closed=_time(request.POST.get("closed")),
        ),
        done="已登记开放。",
    )


@require_POST
@requires("party.station")
def activity_log(request: HttpRequest, station_id: int) -> HttpResponse:
    return _station_write(
        request,
        station_id,
        action="station_activity.log",
        call=lambda: services.station_activity_log(
            actor=request.actor,
            station_id=station_id,
            day=local_date(request.POST.get("activity_day")),
            kind=posted(request, "activity_kind", 20),
            title=posted(request, "title", 200),
            participants=posted(request, "participants", 12),
            residents_served=posted(request, "residents_served", 12),
            photos=request.FILES.getlist("photos"),
        ),
        done="已登记活动。",
    )


@require_GET
@requires("party.view")
def activity_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.activity_photo_get(actor=request.actor, photo_id=photo_id)
    path = photo_store.open_stored(photo.path, subdir=PHOTO_DIR)
    if path is None:
        raise NotFound("照片文件不存在。")
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response
