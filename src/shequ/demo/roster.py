"""The demo windows' duty roster (排班): in each community its qualified
workers take turns at its windows, every working day from ``WEEKS_BACK``
weeks before today to ``WEEKS_AHEAD`` weeks after, so the desk home shows who
sits at each window today instead of 未排班.

Today and the days ahead are set through ``window_duty_set`` by the
community's secretary, as a secretary would (audited like any roster
change). The service refuses past dates, so the weeks already worked are
written as final rows, like the generated cases. Only missing (window, day)
pairs are filled and a worker already on duty that day is passed over, so a
second run on the same day writes nothing and a later run tops the roster
up to the new horizon.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.workdays import WorkCalendar, local_today
from shequ.desk.catalog.services import DESK_ROLES, window_duty_set
from shequ.desk.models import Qualification, Window, WindowDuty

WEEKS_BACK = 3
WEEKS_AHEAD = 2  # the window page shows the next two weeks


def working_days(today: dt.date) -> list[dt.date]:
    """The roster's span: the working days ``WEEKS_BACK`` weeks either side."""
    start = today - dt.timedelta(weeks=WEEKS_BACK)
    end = today + dt.timedelta(weeks=WEEKS_AHEAD)
    calendar = WorkCalendar.load(start, end)
    days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return [d for d in days if calendar.check(d).workday]


def load_demo_roster(district: Region) -> int:
    """Fill the roster of ``district``'s active windows; returns how many duties
    it wrote (0 when nothing was missing)."""
    today = local_today()
    days = working_days(today)
    if not days:
        return 0
    communities = {
        c.pk: c
        for c in Region.objects.filter(district=district, level=RegionLevel.COMMUNITY).order_by(
            "code"
        )
    }
    windows: dict[int, list[Window]] = defaultdict(list)
    for window in Window.objects.filter(district=district, active=True).order_by("name", "id"):
        windows[window.community_id].append(window)
    workers = _qualified_workers(district)
    secretaries = _secretaries(district)
    taken = {
        (d.window_id, d.date): d.worker_id
        for d in WindowDuty.objects.filter(district=district, date__range=(days[0], days[-1]))
    }
    busy = {(worker_id, day) for (_w, day), worker_id in taken.items()}

    past: list[WindowDuty] = []
    written = 0
    for community_id, community in communities.items():
        staff = workers.get(community_id, [])
        secretary = secretaries.get(community_id)
        if not staff or secretary is None:
            continue
        actor = Actor.for_user(secretary[0], grant_id=secretary[1])
        for day in days:
            turn = day.toordinal()  # the same rotation whichever day the demo is loaded
            for seat, window in enumerate(windows[community_id]):
                if (window.pk, day) in taken:
                    continue
                worker = _next_free(staff, turn + seat, day, busy)
                if worker is None:
                    continue
                busy.add((worker.pk, day))
                if day < today:
                    past.append(
                        WindowDuty(
                            district_id=district.pk,
                            community=community,
                            window=window,
                            worker=worker,
                            date=day,
                        )
                    )
                else:
                    window_duty_set(actor=actor, window=window, date=day, worker=worker)
                written += 1
    WindowDuty.objects.bulk_create(past, batch_size=500)
    return written


def _next_free(staff: list[User], start: int, day: dt.date, busy: set) -> User | None:
    for k in range(len(staff)):
        worker = staff[(start + k) % len(staff)]
        if (worker.pk, day) not in busy:
            return worker
    return None


def _qualified_workers(district: Region) -> dict[int, list[User]]:
    """Per community, its active qualified staff who may sit at its windows."""
    seats = set(
        Grant.objects.filter(region__district=district, role__in=DESK_ROLES).values_list(
            "user_id", "region_id"
        )
    )
    out: dict[int, list[User]] = defaultdict(list)
    for q in (
        Qualification.objects.filter(
            district=district, revoked_at__isnull=True, worker__is_active=True
        )
        .select_related("worker")
        .order_by("community_id", "worker_id")
    ):
        if (q.worker_id, q.community_id) in seats:
            out[q.community_id].append(q.worker)
    return out


def _secretaries(district: Region) -> dict[int, tuple[User, int]]:
    """Per community, the secretary who keeps its roster, with their grant's id
    (the first by account: the demo's own where it has one)."""
    out: dict[int, tuple[User, int]] = {}
    for grant in (
        Grant.objects.filter(
            region__district=district,
            region__level=RegionLevel.COMMUNITY,
            role=Role.COMMUNITY_SECRETARY,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("region_id", "user_id")
    ):
        out.setdefault(grant.region_id, (grant.user, grant.pk))
    return out
