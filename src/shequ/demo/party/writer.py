"""The demo's party story written through the party services, each call by
the account whose work it is (the street's party secretary founds the
街道党工委, the community secretary the committee, branches and members,
demo-party-secretary keeps 站前小区's branch and station, the community
worker seats building heads and runs 双报到, each building head logs their
own visits) at the moment it happened (``story``).

Accounts the story needs and the demo lacks are made here: a party
secretary per street (``party-<street code>-s1``) and, in the communities
whose heads visit households, a resident account for each head
(``party-<community code>-h<n>``), all with unusable passwords;
demo-party-secretary and demo-building-head are linked to their register
entries (the 站前小区 branch's secretary, 站前小区1号楼's head), as the demo
resident is to theirs.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import make_password

from shequ.appeals.models import AppealCategory, AppealKind
from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.demo.party.cast import Cast, Caster, Membership, OrgPlan, Person, years_after
from shequ.demo.party.scripts import (
    ACTIVITIES,
    BRANCH_BODIES,
    COMMUNITY_BODIES,
    HOME_BUILDING,
    HOME_COMMUNITY,
    HOME_COMPOUND,
    LIMIN,
    NEEDS,
    NOHOST_ACTIVITIES,
    OTHER_SKILLS,
    SEED,
    SERVICES,
    SKILLS,
    STATIONS,
    STORY_BODIES,
    TRANSFER_IN_JOB,
    TRANSFER_IN_RETIRED,
    TRANSFER_OUT,
    TRANSFER_WITHIN_NOTE,
    UNIT_EMPLOYERS,
    UNIT_REPORTS,
    VISIT_APPEAL,
    VISIT_NOTES,
    VISITING,
    XINGHUA,
    StationSpec,
)
from shequ.demo.party.story import Story
from shequ.demo.people import MOBILE_PREFIXES, PeopleMaker
from shequ.party.models import (
    ActivityKind,
    HeadKind,
    OrgKind,
    OrgRoleKind,
    PartyOrg,
    Relation,
    Station,
    TransferKind,
    TransferReason,
)
from shequ.party.services import buildings, members, orgs, reporting, stations, transfers
from shequ.party.services.common import month_start, next_month, quarter_bounds, quarter_of
from shequ.residents.models import Household, Resident, ResidentTag, Tag
from shequ.whistles.models import Liaison, Unit

REGISTERED = 200  # days ago: the organisations and the register entered the platform
HEADS_ASSIGNED = 190
REPORTED_IN = 150
SERVICES_FROM = 135
COMMITTEE_SEATS = (OrgRoleKind.SECRETARY, OrgRoleKind.DEPUTY, OrgRoleKind.ORGANISATION,
                   OrgRoleKind.PROPAGANDA, OrgRoleKind.DISCIPLINE)  # fmt: skip
BRANCH_SEATS = (OrgRoleKind.SECRETARY, OrgRoleKind.ORGANISATION, OrgRoleKind.PROPAGANDA)


class PartyWriter:
    def __init__(self, district: Region, now: dt.datetime) -> None:
        self.district = district
        self.story = Story(now)
        self.today = self.story.today
        self.rng = random.Random(SEED)  # noqa: S311 - test data
        self.maker = PeopleMaker(f"{SEED}:people")
        self.password = make_password(None)
        self.rows = self.users = self.grants = 0
        self.orgs: dict[int, PartyOrg] = {}  # region id -> its organisation, as founded
        self.members: dict[int, Any] = {}  # person id -> PartyMember
        self.heads: dict[int, Any] = {}  # building id -> BuildingHead
        self.reports: dict[int, Any] = {}  # person id -> MemberReportIn
        self.needs: dict[str, Any] = {}  # title -> Need
        self.transfers: dict[str, Any] = {}
        self._actors: dict[tuple[int, int | None], Actor] = {}
        self.regions = {r.pk: r for r in Region.objects.filter(district=district)}
        self.by_code = {r.code: r for r in self.regions.values()}
        self.units = {u.name: u for u in Unit.objects.filter(district=district)}

    # -- who acts ------------------------------------------------------------------------------

    def actor(self, user: User, grant_id: int | None = None) -> Actor:
        key = (user.pk, grant_id)
        if key not in self._actors:
            self._actors[key] = Actor.for_user(user, grant_id=grant_id)
        return self._actors[key]

    def _account(self, username: str, full_name: str, role: str, region: Region) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username, full_name=full_name, password=self.password
            )
            self.users += 1
        if not Grant.objects.filter(user=user, role=role, region=region).exists():
            Grant.objects.create(user=user, role=role, region=region)
            self.grants += 1
        return user

    def _staff(self, region: Region, role: str) -> User | None:
        grant = (
            Grant.objects.filter(region=region, role=role)
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        return grant.user if grant else None

    def _link(self, user: User, person: Person) -> None:
        """The demo account is this resident's (their name is the account's)."""
        if person.user_id is None and not Resident.objects.filter(user=user).exists():
            Resident.objects.filter(pk=person.id).update(user=user)
            User.objects.filter(pk=user.pk).update(full_name=person.name)
            person.user_id = user.pk
            self.rows += 1

    def _accounts(self, cast: Cast) -> None:
        self.street_secretary: dict[int, User] = {}
        for street in sorted(
            (r for r in self.regions.values() if r.level == RegionLevel.STREET),
            key=lambda r: r.code,
        ):
            name = self.maker.surname() + self.maker.given_name(self.maker.rng.choice("MF"))
            self.street_secretary[street.pk] = self._account(
                f"party-{street.code}-s1", name, Role.PARTY_SECRETARY, street
            )
        self.secretary: dict[int, User] = {}
        self.worker: dict[int, User] = {}
        for c in (r for r in self.regions.values() if r.level == RegionLevel.COMMUNITY):
            fallback = self.street_secretary[c.street_id]  # type: ignore[index]
            self.secretary[c.pk] = self._staff(c, Role.COMMUNITY_SECRETARY) or fallback
            self.worker[c.pk] = self._staff(c, Role.COMMUNITY_WORKER) or self.secretary[c.pk]
        self.branch_secretary = User.objects.filter(username="demo-party-secretary").first()
        if self.branch_secretary is not None and cast.secretary is not None:
            self._link(self.branch_secretary, cast.secretary.person)
        self.head_user: dict[int, User] = {}  # building id -> the head's account
        demo_head = User.objects.filter(username="demo-building-head").first()
        home_building = self.by_code.get(HOME_BUILDING)
        visiting = {self.by_code[c].pk for c in VISITING if c in self.by_code}
        counters: dict[int, int] = defaultdict(int)
        for building_id, person in sorted(cast.heads.items()):
            building = self.regions[building_id]
            if home_building is not None and building_id == home_building.pk and demo_head:
                # demo-building-head visits its building (its own grant) and is
                # the head's account when their register entry has none
                self._link(demo_head, person)
                self.head_user[building_id] = demo_head
            elif building.community_id in visiting:
                if person.user_id is not None:
                    self.head_user[building_id] = User.objects.get(pk=person.user_id)
                    continue
                counters[building.community_id] += 1
                community = self.regions[building.community_id]  # type: ignore[index]
                user = self._account(f"party-{community.code}-h{counters[community.pk]}",
                                     person.name, Role.RESIDENT, community)  # fmt: skip
                Resident.objects.filter(pk=person.id, user__isnull=True).update(user=user)
                person.user_id = user.pk
                self.head_user[building_id] = user

    def _community_actor(self, community_id: int) -> Actor:
        return self.actor(self.secretary[community_id])

    def _keeper(self, region: Region) -> Actor:
        """Who keeps an organisation on ``region``: demo-party-secretary within
        站前小区, the community secretary elsewhere."""
        home = self.by_code.get(HOME_COMPOUND)
        if (self.branch_secretary is not None and home is not None
                and region.compound_id == home.pk):  # fmt: skip
            return self.actor(self.branch_secretary)
        return self._community_actor(region.community_id)  # type: ignore[arg-type]

    def _phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _name(self) -> str:
        return self.maker.surname() + self.maker.given_name(self.maker.rng.choice("MF"))

    # -- the story -----------------------------------------------------------------------------

    def write(self, threshold: int) -> None:
        reserved = set(
            User.objects.filter(username__startswith="demo-").values_list("id", flat=True)
        )
        cast = Caster(self.district, self.today, threshold, self.rng, reserved).plan()
        ResidentTag.objects.bulk_create(
            ResidentTag(resident_id=p.id, tag=Tag.PARTY_MEMBER, community_id=p.community_id,
                        district_id=self.district.pk)
            for p in cast.tag
        )  # fmt: skip
        self.rows += len(cast.tag)
        self._accounts(cast)
        self._organisations(cast)
        self._enrol(cast)
        self._seats(cast)
        self._bodies(cast)
        self._assign_heads(cast)
        for spec in STATIONS:
            compound = self.by_code.get(spec.compound)
            if compound is not None and any(o.region.pk == compound.pk for o in cast.orgs):
                self._station(spec, compound, cast)
        self._transfers(cast)
        self._report_in(cast)
        self._visits(cast)
        self.rows += self.story.run()
        self._judge_now()

    def _at(self, days_ago: int, hour: int, minute: int, step: Callable[[], Any]) -> None:
        self.story.at(self.story.ago(days_ago), hour, minute, step)

    # -- organisations, members, seats, bodies --------------------------------------------------

    def _organisations(self, cast: Cast) -> None:
        def found(plan: OrgPlan) -> None:
            region = plan.region
            if plan.kind == OrgKind.STREET_COMMITTEE:
                actor = self.actor(self.street_secretary[region.pk])
            else:
                actor = self._community_actor(region.community_id)  # type: ignore[arg-type]
            self.orgs[region.pk] = orgs.org_create(actor=actor, region_id=region.pk, kind=plan.kind,
                                                   name=plan.name, founded_on=plan.founded_on)  # fmt: skip

        for k, plan in enumerate(cast.orgs):
            self._at(REGISTERED, 9 + k // 60, k % 60, lambda p=plan: found(p))

    def _enrol(self, cast: Cast) -> None:
        def enrol(m: Membership) -> None:
            org = self.orgs[m.org_region]
            unit = self.units.get(m.employer_unit) if m.employer_unit else None
            self.members[m.person.id] = members.member_create(
                actor=self._keeper(org.region), resident_id=m.person.id, org_id=org.pk,
                standing=m.standing, relation=m.relation, joined_on=m.joined_on,
                probation_ends_on=m.probation_ends_on, employer_org_name=m.employer_org_name,
                employer_unit_id=unit.pk if unit else None,
                employer_name="" if unit else m.employer_name,
            )  # fmt: skip

        def confirm(m: Membership) -> None:
            member = self.members[m.person.id]
            members.member_confirm(actor=self._keeper(self.orgs[m.org_region].region),
                                   member_id=member.pk, confirmed_on=m.confirm_on)  # fmt: skip

        for k, m in enumerate(cast.members):
            self._at(REGISTERED - 1, 9 + k // 60 % 10, k % 60, lambda m=m: enrol(m))
            if m.confirm_on is not None:
                self.story.at(m.confirm_on, 10, 0, lambda m=m: confirm(m))

    def _under(self, cast: Cast, region: Region) -> list[Membership]:
        """Full members placed in the organisation on ``region`` or below it."""
        anc = region.ancestor_field or "community"
        out = []
        for m in cast.members:
            placed = self.regions[m.org_region]
            if m.standing == "full" and getattr(placed, f"{anc}_id") == region.pk:
                out.append(m)
        return out

    def _seats(self, cast: Cast) -> None:
        def seat(plan: OrgPlan, m: Membership, role: str, start: dt.date, years: int) -> None:
            org = self.orgs[plan.region.pk]
            orgs.role_add(actor=self._community_actor(plan.region.community_id),  # type: ignore[arg-type]
                          org_id=org.pk, member_id=self.members[m.person.id].pk, role=role,
                          term_start=start, term_end=years_after(start, years) - dt.timedelta(days=1))  # fmt: skip

        for plan in cast.orgs:
            if plan.kind == OrgKind.STREET_COMMITTEE:
                continue  # its cadres are registered where they live, not seated from the register
            pool = self._under(cast, plan.region)
            if plan.kind == OrgKind.COMMUNITY_COMMITTEE:
                roles, years, start = COMMITTEE_SEATS, 5, self.story.ago(REGISTERED + 400)
                pool = [m for m in pool if 30 <= m.person.age <= 68] or pool
            elif plan.kind == OrgKind.BRANCH:
                roles, years, start = BRANCH_SEATS, 3, self.story.ago(REGISTERED + 150)
                if cast.secretary is not None and cast.secretary in pool:
                    pool = [cast.secretary] + [m for m in pool if m is not cast.secretary]
            else:
                roles, years, start = (
                    (OrgRoleKind.GROUP_LEADER,),
                    3,
                    self.story.ago(REGISTERED + 150),
                )
            for role, m in zip(roles, pool, strict=False):
                self._at(
                    REGISTERED - 2,
                    9,
                    0,
                    lambda p=plan, m=m, r=role, s=start, y=years: seat(p, m, r, s, y),
                )

    def _bodies(self, cast: Cast) -> None:
        story = {s.compound for s in STATIONS}

        def add(plan: OrgPlan, kind: str, name: str, contact: str, phone: str) -> None:
            actor = self._keeper(plan.region)
            orgs.body_add(actor=actor, org_id=self.orgs[plan.region.pk].pk, kind=kind, name=name,
                          contact_name=contact, contact_phone=phone)  # fmt: skip

        for plan in cast.orgs:
            region = plan.region
            if plan.kind == OrgKind.BRANCH:
                specs = BRANCH_BODIES + STORY_BODIES if region.code in story else BRANCH_BODIES[:1]
            elif plan.kind == OrgKind.COMMUNITY_COMMITTEE and region.code in (
                HOME_COMMUNITY,
                LIMIN,
                XINGHUA,
            ):
                specs = COMMUNITY_BODIES
            else:
                continue
            community = self.regions[region.community_id]  # type: ignore[index]
            for spec in specs:
                name = spec.name.format(compound=region.name, community=community.name)
                contact, phone = self._name(), self._phone()
                self._at(REGISTERED - 3, 10, 0, lambda p=plan, s=spec, n=name, c=contact, t=phone:
                         add(p, s.kind, n, c, t))  # fmt: skip

    # -- 楼长制 ---------------------------------------------------------------------------------

    def _assign_heads(self, cast: Cast) -> None:
        start = self.story.ago(HEADS_ASSIGNED)

        def assign(building: Region, person: Person, unit: Region | None) -> None:
            head = buildings.building_head_assign(
                actor=self.actor(self.worker[building.community_id]),  # type: ignore[index]
                building_id=building.pk, resident_id=person.id,
                kind=HeadKind.UNIT if unit else HeadKind.BUILDING, unit_id=unit.pk if unit else None,
                term_start=start, term_end=years_after(start, 3) - dt.timedelta(days=1),
            )  # fmt: skip
            if unit is None:
                self.heads[building.pk] = head

        for building_id, person in sorted(cast.heads.items()):
            building = self.regions[building_id]
            self._at(HEADS_ASSIGNED, 14, 0, lambda b=building, p=person: assign(b, p, None))
        for unit_id, person in sorted(cast.unit_heads.items()):
            unit = self.regions[unit_id]
            building = self.regions[unit.building_id]  # type: ignore[index]
            self._at(HEADS_ASSIGNED, 15, 0, lambda b=building, p=person, u=unit: assign(b, p, u))

    # -- 红旗驿站 -------------------------------------------------------------------------------

    def _months(self) -> list[dt.date]:
        """The current month and the three before it, newest first."""
        months = [month_start(self.today)]
        for _ in range(3):
            months.append(month_start(months[-1] - dt.timedelta(days=1)))
        return months

    def _station(self, spec: StationSpec, compound: Region, cast: Cast) -> None:
        months = self._months()
        opened_on = months[3] + dt.timedelta(days=3)
        actor = self._keeper(compound)
        worker = (
            actor
            if compound.code == HOME_COMPOUND
            else self.actor(self.worker[compound.community_id])
        )  # type: ignore[index]
        duty = [m for m in cast.members if m.person.compound_id == compound.pk][:6]
        made: dict[str, Station] = {}

        def create() -> None:
            made["station"] = station = stations.station_create(
                actor=actor, branch_id=self.orgs[compound.pk].pk, name=spec.name,
                location_kind=spec.location, address=spec.address, area=spec.area,
                opened_on=opened_on,
            )  # fmt: skip
            for room in spec.rooms:
                stations.station_room_add(actor=actor, station_id=station.pk, kind=room.kind,
                                          name=room.name, area=room.area, capacity=room.capacity)  # fmt: skip
            stations.station_hours_set(actor=actor, station_id=station.pk, periods=list(spec.hours))
            weekdays = sorted({d for d, _o, _c in spec.hours})
            for k, weekday in enumerate(weekdays):
                for m in (
                    (duty[k % len(duty)], duty[(k + 1) % len(duty)]) if len(duty) > 1 else duty[:1]
                ):
                    stations.station_duty_add(actor=actor, station_id=station.pk, weekday=weekday,
                                              member_id=self.members[m.person.id].pk)  # fmt: skip

        self.story.at(opened_on, 9, 0, create)
        for back, month in enumerate(months):
            first = max(month, opened_on)
            last = min(next_month(month) - dt.timedelta(days=1), self.story.ago(1))
            if first > last:
                continue
            self._openings(spec, made, first, last, spec.plan.get(back, "ok"), worker)
            self._activities(made, first, last, spec.plan.get(back, "ok"), worker)
        # As ``shequ tick`` would at each month's turn: the month that ended, judged in full.
        for month in months[:3]:
            if month > opened_on:
                self.story.at(
                    month,
                    0,
                    20,
                    lambda m=month: self._refresh(
                        made["station"], month_start(m - dt.timedelta(days=1))
                    ),
                )

    def _openings(self, spec: StationSpec, made: dict[str, Station], first: dt.date, last: dt.date,
                  plan: str, actor: Actor) -> None:  # fmt: skip
        def log(day: dt.date, opened: dt.time, closed: dt.time) -> None:
            stations.station_opening_log(actor=actor, station_id=made["station"].pk, day=day,
                                         opened=opened, closed=closed)  # fmt: skip

        n = 0
        day = first
        while day <= last:
            for weekday, opens, closes in spec.hours:
                if weekday != day.weekday():
                    continue
                n += 1
                # "short": five periods in nine; otherwise every one but one in twenty
                if (n % 9 not in (0, 2, 4, 6, 7)) if plan == "short" else n % 20 == 19:
                    continue
                shut = closes
                if n % 5 == 2:  # closed a quarter of an hour early
                    shut = (dt.datetime.combine(day, closes) - dt.timedelta(minutes=15)).time()
                self.story.at(day, 20, n % 50, lambda d=day, o=opens, c=shut: log(d, o, c))
            day += dt.timedelta(days=1)

    def _activities(self, made: dict[str, Station], first: dt.date, last: dt.date, plan: str,
                    actor: Actor) -> None:  # fmt: skip
        A = ActivityKind
        if plan == "nohost":
            picks = list(NOHOST_ACTIVITIES)
        elif (
            plan == "few"
        ):  # one activity with residents present (a service), the rest members only
            picks = [(A.SERVICE, *self.rng.choice(ACTIVITIES[A.SERVICE]))] + [
                (k, *self.rng.choice([a for a in ACTIVITIES[k] if a[2] == 0]))
                for k in (A.PARTY, A.STUDY)
            ]
        else:
            kinds = (A.PARTY, A.SERVICE, A.DELIBERATION, A.STUDY)
            picks = [(k, *self.rng.choice(ACTIVITIES[k])) for k in kinds]
        span = (last - first).days

        def log(day: dt.date, kind: str, title: str, joined: int, served: int) -> None:
            stations.station_activity_log(actor=actor, station_id=made["station"].pk, day=day,
                                          kind=kind, title=title, participants=joined,
                                          residents_served=served)  # fmt: skip

        for k, (kind, title, joined, served) in enumerate(picks):
            day = first + dt.timedelta(days=span * (k + 1) // (len(picks) + 1))
            extra = self.rng.randint(-2, 3)
            self.story.at(day, 20, 30 + k, lambda d=day, ki=kind, t=title, j=joined + extra,
                          s=served + extra * (served > 0): log(d, ki, t, j, s))  # fmt: skip

    def _refresh(self, station: Station, month: dt.date) -> None:
        locked = Station.objects.select_for_update().select_related("community").get(pk=station.pk)
        stations.station_month_refresh(station=locked, month=month)

    def _judge_now(self) -> None:
        """Today's tick: the current and the previous month of the demo's stations."""
        months = self._months()
        for station in Station.objects.filter(district=self.district, active=True):
            for month in months[:2]:
                self._refresh(station, month)

    # -- 组织关系接转 ----------------------------------------------------------------------------

    def _transfers(self, cast: Cast) -> None:
        home = self.by_code.get(HOME_COMMUNITY)
        compound = self.by_code.get(HOME_COMPOUND)
        if home is None:
            return
        t = self.transfers

        def org_for(person: Person) -> PartyOrg:
            return self.orgs.get(person.compound_id) or self.orgs[home.pk]

        def arrive(key: str, person: Person, reason: str, spec: dict[str, str]) -> None:
            org = org_for(person)
            joined = years_after(person.birth, 25 if person.age > 40 else 20)
            t[key] = transfers.transfer_request(
                actor=self._keeper(org.region), kind=TransferKind.IN, reason=reason,
                resident_id=person.id, to_org_id=org.pk, from_org_name=spec["from_org_name"],
                incoming_letter_number=spec["incoming_letter_number"], standing="full",
                joined_on=min(joined, self.story.ago(800)), relation=Relation.SELF_MANAGED,
                note=spec["note"],
            )  # fmt: skip

        def decide(key: str, action: Callable[..., Any], **data: Any) -> None:
            transfer = t[key]
            region = (transfer.to_org or transfer.from_org).region
            action(actor=self._keeper(region), transfer_id=transfer.pk, **data)

        if cast.retired_in is not None:
            p = cast.retired_in
            self._at(
                40, 10, 0, lambda: arrive("retired", p, TransferReason.RETIRED, TRANSFER_IN_RETIRED)
            )
            self._at(
                38, 15, 0, lambda: decide("retired", transfers.transfer_approve, note="同意接收。")
            )
            self._at(
                35, 10, 30, lambda: decide("retired", transfers.transfer_complete, note="已办结。")
            )
        if cast.job_in is not None:
            p2 = cast.job_in
            self._at(9, 10, 0, lambda: arrive("job", p2, TransferReason.JOB, TRANSFER_IN_JOB))
            self._at(
                7,
                16,
                0,
                lambda: decide("job", transfers.transfer_approve, note="同意接收，待本人报到。"),
            )
        if cast.out is not None and self.branch_secretary is not None:
            m = cast.out

            def leave() -> None:
                t["out"] = transfers.transfer_request(
                    actor=self.actor(self.branch_secretary), kind=TransferKind.OUT,  # type: ignore[arg-type]
                    reason=TransferReason.MOVED, member_id=self.members[m.person.id].pk,
                    to_org_name=TRANSFER_OUT["to_org_name"], note=TRANSFER_OUT["note"],
                )  # fmt: skip

            self._at(25, 9, 30, leave)
            self._at(
                18,
                14,
                0,
                lambda: decide("out", transfers.transfer_return, reason=TRANSFER_OUT["returned"]),
            )
        if cast.within is not None and compound is not None and self.branch_secretary is not None:
            w = cast.within

            def move() -> None:
                t["within"] = transfers.transfer_request(
                    actor=self.actor(self.branch_secretary), kind=TransferKind.WITHIN,  # type: ignore[arg-type]
                    reason=TransferReason.MOVED, member_id=self.members[w.person.id].pk,
                    to_org_id=self.orgs[compound.pk].pk, note=TRANSFER_WITHIN_NOTE,
                )  # fmt: skip

            self._at(3, 10, 0, move)

    # -- 双报到 ---------------------------------------------------------------------------------

    def _report_in(self, cast: Cast) -> None:
        liaison = (
            Liaison.objects.filter(user__username="demo-unit-liaison")
            .select_related("user", "unit")
            .first()
        )
        for k, (unit_name, code, resources, contact) in enumerate(UNIT_REPORTS):
            community, unit = self.by_code.get(code), self.units.get(unit_name)
            if community is None or unit is None:
                continue
            by_liaison = liaison is not None and liaison.unit_id == unit.pk
            actor = (
                self.actor(liaison.user) if by_liaison else self.actor(self.worker[community.pk])
            )  # type: ignore[union-attr]
            org_name = UNIT_EMPLOYERS.get(unit_name, f"中共{unit_name}委员会")
            phone = self._phone()
            self._at(REPORTED_IN, 9, 30 + k, lambda a=actor, u=unit, c=community, o=org_name, r=resources, n=contact, p=phone:
                     reporting.unit_report_create(actor=a, unit_id=u.pk, community_id=c.pk, party_org_name=o,
                                                  resources=r, contact_name=n, contact_phone=p))  # fmt: skip
        for code in (HOME_COMMUNITY, LIMIN):
            community = self.by_code.get(code)
            if community is not None:
                self._community_report_in(cast, community)

    def _community_report_in(self, cast: Cast, community: Region) -> None:
        worker = self.actor(self.worker[community.pk])
        serving = [m for m in cast.members if m.person.community_id == community.pk
                   and m.relation == Relation.IN_SERVICE]  # fmt: skip

        def report(m: Membership) -> None:
            skills, when = SKILLS.get(m.employer_unit) or self.rng.choice(OTHER_SKILLS)
            self.reports[m.person.id] = reporting.member_report_create(
                actor=worker,
                member_id=self.members[m.person.id].pk,
                skills=skills,
                availability=when,
            )

        for k, m in enumerate(serving):
            self._at(REPORTED_IN - 2, 10, k % 60, lambda m=m: report(m))
        claimers: dict[int, list[str]] = defaultdict(list)  # person id -> needs claimed
        for n, (title, text, skills, wanted, posted, due, claims, closed) in enumerate(
            NEEDS.get(community.code, ())
        ):
            needed_by = self.story.ago(due)
            self._at(posted, 10, n, lambda t=title, d=text, s=skills, w=wanted, b=needed_by:
                     self._post(worker, community, t, d, s, w, b))  # fmt: skip
            for k in range(min(claims, len(serving))):
                m = serving[(n + k) % len(serving)]
                claimers[m.person.id].append(title)
                self._at(posted - 2, 11, k, lambda t=title, m=m: reporting.need_claim(
                    actor=worker, need_id=self.needs[t].pk, report_in_id=self.reports[m.person.id].pk))  # fmt: skip
            if closed is not None:
                self._at(closed, 16, 0, lambda t=title: reporting.need_close(
                    actor=worker, need_id=self.needs[t].pk, note="需求已满足，关闭。"))  # fmt: skip
        # The letter's quarter: the one before the quarter of the day before
        # yesterday, so it ended before the letter can go out (by yesterday).
        running = quarter_bounds(quarter_of(self.story.ago(2)))[0]
        last_first, last_end = quarter_bounds(quarter_of(running - dt.timedelta(days=1)))
        in_last_quarter: set[str] = set()
        for m in serving:
            done = list(claimers[m.person.id])
            days = []
            back = SERVICES_FROM - self.rng.randint(0, 10)
            while back >= 2:
                days.append(back)
                back -= self.rng.randint(18, 30)
            if m.employer_unit and not any(
                last_first <= self.story.ago(d) <= last_end for d in days
            ):
                days.append(
                    (self.today - last_first).days - 40
                )  # at least one in the letter's quarter
            for d in sorted(set(days), reverse=True):
                what = self.rng.choice(SERVICES.get(m.employer_unit, SERVICES[""]))
                need = done.pop(0) if done and d < 125 else None
                if last_first <= self.story.ago(d) <= last_end and m.employer_unit:
                    in_last_quarter.add(m.employer_unit)
                hours = self.rng.choice(("1.5", "2", "2.5", "3", "4"))
                self._at(d, 19, 0, lambda m=m, d=d, h=hours, w=what, nd=need: reporting.service_log_create(
                    actor=worker, report_in_id=self.reports[m.person.id].pk,
                    need_id=self.needs[nd].pk if nd else None, day=self.story.ago(d), hours=h, what=w))  # fmt: skip
        # 季度反馈: the letter to 城东第一中学 on the last quarter, a week into this one.
        unit = self.units.get("城东第一中学")
        if unit is not None and "城东第一中学" in in_last_quarter:
            send = min(last_end + dt.timedelta(days=8), self.story.ago(1))  # after last_end
            self.story.at(send, 10, 0, lambda: reporting.feedback_send(
                actor=worker, unit_id=unit.pk, quarter=quarter_of(last_first), community_id=community.pk))  # fmt: skip

    def _post(self, actor: Actor, community: Region, title: str, text: str, skills: str, wanted: int,
              due: dt.date) -> None:  # fmt: skip
        self.needs[title] = reporting.need_post(
            actor=actor,
            community_id=community.pk,
            title=title,
            description=text,
            skills=skills,
            wanted=wanted,
            needed_by=due,
        )

    # -- 入户走访 -------------------------------------------------------------------------------

    def _visits(self, cast: Cast) -> None:
        """Each visiting head's households over the last and this quarter;
        one visit in 站前小区1号楼 raises an appeal for the resident."""
        buildings_of: dict[int, list[int]] = defaultdict(list)
        for hid, bid in (
            Household.objects.filter(building_id__in=list(self.head_user))
            .order_by("id")
            .values_list("id", "building_id")
        ):
            buildings_of[bid].append(hid)
        this_first, _ = quarter_bounds(quarter_of(self.today))
        last_first, last_end = quarter_bounds(quarter_of(this_first - dt.timedelta(days=1)))
        yesterday = self.story.ago(1)
        windows = [(last_first, last_end, 0.5)]
        if this_first <= yesterday:
            elapsed = (yesterday - this_first).days + 1
            windows.append((this_first, yesterday, 0.45 * min(1.0, elapsed / 91)))

        def visit(
            building_id: int,
            household_id: int,
            day: dt.date,
            raised: str,
            follow: str,
            **appeal: Any,
        ) -> None:
            user = self.head_user[building_id]
            head = self.heads[building_id]
            grant = head.grant_id or Grant.objects.filter(
                user=user, role=Role.BUILDING_HEAD, region_id=building_id).values_list("pk", flat=True).first()  # fmt: skip
            buildings.household_visit_log(actor=self.actor(user, grant), household_id=household_id,
                                          visited_on=day, raised=raised, follow_up=follow, **appeal)  # fmt: skip

        for building_id in sorted(self.head_user):
            households = buildings_of[building_id]
            for first, last, share in windows:
                span = (last - first).days
                for hid in sorted(self.rng.sample(households, round(len(households) * share))):
                    day = first + dt.timedelta(days=self.rng.randrange(span + 1))
                    raised, follow = (
                        self.rng.choice(VISIT_NOTES) if self.rng.random() < 0.35 else ("", "")
                    )
                    self.story.at(day, 19, self.rng.randrange(60),
                                  lambda b=building_id, h=hid, d=day, r=raised, f=follow: visit(b, h, d, r, f))  # fmt: skip
        # The appeal: in demo-building-head's building when someone there has a phone.
        home = self.by_code.get(HOME_BUILDING)
        order = sorted(self.head_user, key=lambda b: (home is None or b != home.pk, b))
        for building_id in order:
            caller = (
                Resident.objects.filter(household__building_id=building_id, phone_enc__isnull=False,
                                        birth_date__lte=years_after(self.today, -18))
                .order_by("-household__unit__code", "-household__room", "-id")
                .values_list("id", "household_id").first()
            )  # fmt: skip
            if caller is None:
                continue
            resident_id, household_id = caller
            self._at(6, 19, 30, lambda b=building_id, h=household_id, r=resident_id: visit(
                b, h, self.story.ago(6), VISIT_APPEAL, "已代居民提出诉求，等社区分办。",
                raise_appeal=True, appeal_kind=AppealKind.HELP, appeal_category=AppealCategory.REPAIR,
                resident_id=r))  # fmt: skip
            return
