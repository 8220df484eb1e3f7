"""Who plays which part in the demo's party module, decided before anything
is written: the members (the residents the register tags 党员, topped up in
the stations' compounds of a small demo), their standing and relation, the
organisations the tree should have and where each member is placed, the
residents whose transfers the story tells, and the building heads.

Everything here is plain data drawn with one seeded ``random.Random`` in a
fixed order, so a load is the same every time for the same register.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from shequ.core.models import Region, RegionLevel
from shequ.demo.party.scripts import (
    HEADED,
    HOME_BUILDING,
    HOME_COMMUNITY,
    HOME_COMPOUND,
    LIMIN,
    OUTSIDE_EMPLOYERS,
    STATIONS,
    STORY_MEMBERS,
    TIETA,
    UNIT_EMPLOYERS,
)
from shequ.party.models import HELD_HERE, OrgKind, Relation, Standing
from shequ.residents.models import Resident, ResidentTag, Tag

ADULT = 22  # members are enrolled from this age (joined at 18 at the earliest)
RETIRED_AGE = 58
REGISTERED_DAYS = 200  # the register entered the platform this many days ago


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Person:
    id: int
    name: str
    birth: dt.date
    household_id: int
    unit_id: int
    building_id: int
    compound_id: int
    community_id: int
    phone: bool
    user_id: int | None
    tagged: bool
    age: int = 0


@dataclass
class Membership:
    person: Person
    standing: str
    relation: str
    joined_on: dt.date
    probation_ends_on: dt.date | None = None
    employer_unit: str = ""  # a stationed unit's name
    employer_name: str = ""
    employer_org_name: str = ""
    org_region: int = 0  # the region of the organisation the member is placed in
    confirm_on: dt.date | None = None  # 转正 during the story


@dataclass
class OrgPlan:
    region: Region
    kind: str
    name: str
    founded_on: dt.date


@dataclass
class Cast:
    members: list[Membership] = field(default_factory=list)
    orgs: list[OrgPlan] = field(default_factory=list)
    tag: list[Person] = field(default_factory=list)  # topped-up: they get the 党员 tag
    retired_in: Person | None = None  # 转入 (离退休), completed
    job_in: Person | None = None  # 转入 (工作变动), approved
    out: Membership | None = None  # 转出, returned
    within: Membership | None = None  # 区内转移, waiting (placed in the community committee)
    secretary: Membership | None = None  # 站前小区党支部书记 = demo-party-secretary
    heads: dict[int, Person] = field(default_factory=dict)  # building id -> head
    unit_heads: dict[int, Person] = field(default_factory=dict)  # unit id -> head
    should_found: int | None = None  # a compound left without the branch it should have
    below: int | None = None  # a compound whose old branch has too few members


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class Caster:
    def __init__(self, district: Region, today: dt.date, threshold: int, rng: random.Random,
                 reserved_users: set[int]) -> None:  # fmt: skip
        self.district, self.today, self.threshold, self.rng = district, today, threshold, rng
        self.registered = today - dt.timedelta(days=REGISTERED_DAYS)
        regions = list(Region.objects.filter(district=district).order_by("code"))
        self.regions = {r.pk: r for r in regions}
        self.by_code = {r.code: r for r in regions}
        self.level = lambda lv: [r for r in regions if r.level == lv]
        tagged = set(
            ResidentTag.objects.filter(district=district, tag=Tag.PARTY_MEMBER).values_list(
                "resident_id", flat=True
            )
        )
        self.people: list[Person] = []
        for row in (
            Resident.objects.filter(district=district)
            .order_by("id")
            .values_list("id", "name", "birth_date", "household_id", "household__unit_id",
                         "household__building_id", "household__unit__compound_id",
                         "community_id", "phone_tail", "user_id")
        ):  # fmt: skip
            person = Person(*row[:8], phone=bool(row[8]), user_id=row[9], tagged=row[0] in tagged)
            person.age = age_on(person.birth, today)
            self.people.append(person)
        # Residents linked to other demo accounts keep out of the party's parts.
        self.reserved_users = reserved_users
        self.cast = Cast()

    # -- members -------------------------------------------------------------------------------

    def _joined(self, person: Person) -> dt.date:
        """A joining day between 18 and 60 and at least two years back."""
        low = years_after(person.birth, 18) + dt.timedelta(days=30)
        high = min(years_after(person.birth, 60), self.today - dt.timedelta(days=730))
        if high <= low:
            return low
        return low + dt.timedelta(days=self.rng.randrange((high - low).days))

    def _membership(self, person: Person, k: int, community_code: str) -> Membership:
        r = self.rng.random()
        if person.age >= RETIRED_AGE:
            relation = Relation.RETIRED if r < 0.7 else Relation.SELF_MANAGED
        else:
            relation = (
                Relation.IN_SERVICE if r < 0.35
                else Relation.MOBILE if r < 0.45
                else Relation.SELF_MANAGED
            )  # fmt: skip
        m = Membership(person, Standing.FULL, relation, self._joined(person))
        if person.age < 45 and self.rng.random() < 0.08:
            self._probation(m, self.rng.randint(40, 160))
        if relation == Relation.IN_SERVICE:
            self._employer(m, k, community_code)
        return m

    def _probation(self, m: Membership, ends_in: int) -> None:
        """预备党员 whose probation ends ``ends_in`` days from today (negative: ended)."""
        ends = self.today + dt.timedelta(days=ends_in)
        m.standing, m.probation_ends_on = Standing.PROBATIONARY, ends
        m.joined_on = ends - dt.timedelta(days=365)

    def _employer(self, m: Membership, k: int, community_code: str) -> None:
        units = {HOME_COMMUNITY: ["城东第一中学", "城东区中心医院", ""],
                 LIMIN: ["城东区图书馆", ""]}.get(community_code, [""])  # fmt: skip
        unit = units[k % len(units)]
        if unit:
            m.employer_unit, m.employer_name, m.employer_org_name = unit, unit, UNIT_EMPLOYERS[unit]
        else:
            m.employer_name, m.employer_org_name = self.rng.choice(OUTSIDE_EMPLOYERS)

    def plan(self) -> Cast:
        cast = self.cast
        story_compounds = {
            self.by_code[s.compound].pk for s in STATIONS if s.compound in self.by_code
        }
        for community in self.level(RegionLevel.COMMUNITY):
            if community.code == TIETA:
                continue
            adults = [p for p in self.people if p.community_id == community.pk and p.age >= ADULT
                      and p.user_id not in self.reserved_users]  # fmt: skip
            chosen = [p for p in adults if p.tagged]
            for compound_id in sorted(story_compounds):
                if self.regions[compound_id].community_id != community.pk:
                    continue
                have = [p for p in chosen if p.compound_id == compound_id]
                extra = [p for p in adults if p.compound_id == compound_id and not p.tagged
                         and p.age <= 80]  # fmt: skip
                top_up = self.rng.sample(extra, min(len(extra), max(0, STORY_MEMBERS - len(have))))
                chosen.extend(top_up)
                cast.tag.extend(top_up)
            chosen.sort(key=lambda p: p.id)
            if community.code == HOME_COMMUNITY:
                chosen = self._home_transfers_in(chosen)
            for k, person in enumerate(chosen):
                cast.members.append(self._membership(person, k, community.code))
        self._story_members(story_compounds)
        self._orgs(story_compounds)
        self._heads()
        return cast

    def _home_transfers_in(self, chosen: list[Person]) -> list[Person]:
        """Two of 站前社区's party members are not enrolled: their membership
        is on its way in (one retired, one after a job change)."""
        retired = [p for p in chosen if p.age >= 62]
        if retired:
            self.cast.retired_in = retired[-1]
        younger = [p for p in chosen if 28 <= p.age <= 50 and p is not self.cast.retired_in]
        if len(chosen) >= 8 and younger:
            self.cast.job_in = younger[-1]
        return [p for p in chosen if p not in (self.cast.retired_in, self.cast.job_in)]

    def _story_members(self, story_compounds: set[int]) -> None:
        """The stations' compounds hold enough full members held here for a
        branch; 站前小区 holds the story's probations, transfers and its
        secretary, and 站前社区 and 利民社区 in-service members."""
        forced: list[Membership] = []
        for compound_id in sorted(story_compounds):
            ms = [m for m in self.cast.members if m.person.compound_id == compound_id]
            forced.extend(ms[: self.threshold + 1])
            for m in ms[: self.threshold + 1]:
                m.standing, m.probation_ends_on = Standing.FULL, None
                if m.relation not in HELD_HERE:
                    m.relation = Relation.SELF_MANAGED
                    m.employer_unit = m.employer_name = m.employer_org_name = ""
                m.joined_on = self._joined(m.person)
        home = self.by_code.get(HOME_COMPOUND)
        ms = [m for m in self.cast.members if home is not None and m.person.compound_id == home.pk]
        # (full, held here, 35–70) first: the secretary; then the within-transfer,
        # the member whose transfer out is returned, the two probations.
        steady = [m for m in ms if m.standing == Standing.FULL and m.relation in HELD_HERE]
        fit = [m for m in steady if 35 <= m.person.age <= 70] or steady
        fit.sort(key=lambda m: m.person.user_id is not None)  # one without an account: linked
        if fit:
            self.cast.secretary = fit[0]
        rest = [m for m in steady if m is not self.cast.secretary]
        if len(rest) > self.threshold:
            self.cast.within, self.cast.out = rest[-1], rest[-2]
        young = [m for m in ms if m.person.age < 45 and m not in forced
                 and m not in (self.cast.secretary, self.cast.within, self.cast.out)]  # fmt: skip
        if young:
            self._probation(young[0], 18)  # the reminder fires: within the 30 days' notice
            young[0].relation = Relation.SELF_MANAGED
            young[0].employer_unit = young[0].employer_name = young[0].employer_org_name = ""
        if len(young) > 1:
            self._probation(young[1], -10)  # ended: confirmed during the story
            young[1].confirm_on = self.today - dt.timedelta(days=5)
        busy = {id(m) for m in forced} | {
            id(m)
            for m in (self.cast.secretary, self.cast.within, self.cast.out, *young[:2])
            if m is not None
        }
        for code, unit in ((HOME_COMMUNITY, "城东第一中学"), (HOME_COMMUNITY, "城东区中心医院"),
                           (LIMIN, "城东区图书馆")):  # fmt: skip
            community = self.by_code.get(code)
            if community is None:
                continue
            ms = [m for m in self.cast.members if m.person.community_id == community.pk]
            if any(m.employer_unit == unit for m in ms):
                continue
            spare = [m for m in ms if m.relation in (Relation.SELF_MANAGED, Relation.MOBILE)
                     and 25 <= m.person.age < RETIRED_AGE and id(m) not in busy]  # fmt: skip
            if spare:
                m = spare[0]
                busy.add(id(m))
                m.relation = Relation.IN_SERVICE
                m.standing, m.probation_ends_on = Standing.FULL, None
                m.employer_unit, m.employer_name = unit, unit
                m.employer_org_name = UNIT_EMPLOYERS[unit]

    # -- organisations -------------------------------------------------------------------------

    def _orgs(self, story_compounds: set[int]) -> None:
        cast, plans = self.cast, self.cast.orgs
        for k, street in enumerate(self.level(RegionLevel.STREET)):
            plans.append(OrgPlan(street, OrgKind.STREET_COMMITTEE, f"中共{street.name}工作委员会",
                                 dt.date(2019, 7, 1) + dt.timedelta(days=7 * k)))  # fmt: skip
        for k, community in enumerate(self.level(RegionLevel.COMMUNITY)):
            plans.append(OrgPlan(community, OrgKind.COMMUNITY_COMMITTEE, f"中共{community.name}委员会",
                                 dt.date(2020, 6, 28) + dt.timedelta(days=3 * k)))  # fmt: skip
        held: dict[int, int] = defaultdict(int)
        for m in cast.members:
            if m.standing == Standing.FULL and m.relation in HELD_HERE:
                held[m.person.compound_id] += 1
        compounds = self.level(RegionLevel.COMPOUND)
        qualify = [c for c in compounds if held[c.pk] >= self.threshold]
        # 建支部提示: one compound that qualifies is still without its branch,
        # one old branch has fallen below the threshold.
        left = [c for c in qualify if c.pk not in story_compounds]
        if len(left) > 1:
            cast.should_found = left[-1].pk
        small = [c for c in compounds if 0 < held[c.pk] < self.threshold
                 and c.pk not in story_compounds]  # fmt: skip
        if small:
            cast.below = small[0].pk
        branches = [c for c in compounds if (c in qualify and c.pk != cast.should_found)
                    or c.pk == cast.below]  # fmt: skip
        latest = self.registered - dt.timedelta(days=30)
        for k, compound in enumerate(branches):
            founded = (
                dt.date(2021, 5, 20)
                if compound.pk == cast.below
                else dt.date(2022 + k % 3, 3 + k % 8, 1 + k % 27)
            )
            founded = min(founded, latest)
            plans.append(
                OrgPlan(compound, OrgKind.BRANCH, f"中共{compound.name}支部委员会", founded)
            )
        branch_ids = {c.pk for c in branches}
        groups = []
        for compound_id in sorted(story_compounds & branch_ids):
            per_building: dict[int, int] = defaultdict(int)
            for m in cast.members:
                if m.person.compound_id == compound_id and m not in (cast.secretary, cast.within):
                    per_building[m.person.building_id] += 1
            if per_building:
                building_id, n = max(sorted(per_building.items()), key=lambda kv: kv[1])
                if n >= 3:
                    groups.append(self.regions[building_id])
        for building in groups:
            compound = self.regions[building.compound_id]
            plans.append(OrgPlan(building, OrgKind.GROUP, f"{compound.name}{building.name}党小组",
                                 min(dt.date(2023, 4, 12), latest)))  # fmt: skip
        group_ids = {b.pk for b in groups}
        for m in cast.members:
            p = m.person
            if m is cast.within:
                m.org_region = p.community_id
            elif p.building_id in group_ids and m is not cast.secretary:
                m.org_region = p.building_id
            elif p.compound_id in branch_ids:
                m.org_region = p.compound_id
            else:
                m.org_region = p.community_id

    # -- 楼长制 ---------------------------------------------------------------------------------

    def _heads(self) -> None:
        """A head for every building of the headed communities that has an
        adult: a full member living there when there is one (the list shows
        the few who are not), and unit heads on 站前小区's first two buildings."""
        members = {m.person.id: m for m in self.cast.members}
        taken = {m.person.id for m in (self.cast.secretary,) if m is not None}
        headed = {self.by_code[c].pk for c in HEADED if c in self.by_code}
        home_building = self.by_code.get(HOME_BUILDING)
        for building in self.level(RegionLevel.BUILDING):
            if building.community_id not in headed:
                continue
            adults = [p for p in self.people if p.building_id == building.pk and 25 <= p.age <= 75
                      and p.id not in taken and p.user_id not in self.reserved_users]  # fmt: skip
            full = [
                p for p in adults if p.id in members and members[p.id].standing == Standing.FULL
            ]
            pick = (full or adults)[:1]
            if home_building is not None and building.pk == home_building.pk:
                # demo-building-head's own register entry: one without an account
                free = [p for p in adults if p.user_id is None]
                pick = ([p for p in full if p.user_id is None] or free or pick)[:1]
            if pick:
                self.cast.heads[building.pk] = pick[0]
                taken.add(pick[0].id)
        if home_building is None:
            return
        for unit in self.level(RegionLevel.UNIT):
            if unit.compound_id != home_building.compound_id or unit.building_id is None:
                continue
            if self.regions[unit.building_id].name not in ("1号楼", "2号楼"):
                continue
            adults = [p for p in self.people if p.unit_id == unit.pk and 25 <= p.age <= 75
                      and p.id not in taken and p.user_id not in self.reserved_users]  # fmt: skip
            if adults:
                self.cast.unit_heads[unit.pk] = adults[0]
                taken.add(adults[0].id)
