"""The demo district: the seed report's 城东区 with its three streets, fifteen
communities (the seven the report names among them), compounds, buildings,
units, generated residents and one demo account per role.

``load_demo`` is idempotent: whatever exists (regions by code, households by
community, accounts by username, grants, the resident link) is kept as it is
and only what is missing is created, so a second run writes no row.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shequ.core.account_policy import PRIVILEGED_ROLES
from shequ.core.history import record
from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.services.second_factor import secret_text, totp_issue
from shequ.demo.catalog import load_demo_catalog
from shequ.demo.people import PeopleMaker, household_sizes, room_name, split_evenly
from shequ.demo.roster import load_demo_roster
from shequ.demo.tree import RegionSpec, ensure_regions
from shequ.demo.workbench import load_demo_workbench
from shequ.open311.services import client_ensure
from shequ.residents.models import Household, Relation, Resident, ResidentTag
from shequ.residents.rollups import region_stats_rebuild
from shequ.residents.services import id_columns, phone_columns

DISTRICT_CODE = "210302"
DISTRICT_NAME = "城东区"
DEFAULT_RESIDENTS = 5000
DEMO_CASES = 3000  # two years of the desk's work across the district
SEED = 20260101
DEMO_OPEN311_KEY = "demo-open311-key"  # noqa: S105 - the demo's published Open311 api_key
ROOMS_PER_FLOOR = 2

# street: [(community, population served, households served,
#           [(compound, buildings, units per building), …]), …]
STREETS: tuple[
    tuple[str, tuple[tuple[str, int, int, tuple[tuple[str, int, int], ...]], ...]], ...
] = (
    (
        "站前街道",
        (
            (
                "站前社区",
                9800,
                3900,
                (("站前小区", 6, 3), ("胜利花园", 5, 2), ("解放路小区", 4, 2)),
            ),
            ("利民社区", 7600, 3100, (("利民小区", 6, 2), ("园林小区", 5, 2))),
            ("八一社区", 8200, 3300, (("八一小区", 6, 3), ("军休小区", 4, 2))),
            ("胜利社区", 6900, 2800, (("胜利小区", 5, 2), ("新华小区", 4, 2))),
            ("福民社区", 7100, 2900, (("福民小区", 5, 2), ("康乐小区", 4, 2))),
        ),
    ),
    (
        "铁塔街道",
        (
            (
                "铁塔社区",
                8800,
                3600,
                (("老城里小区", 6, 2), ("铁塔小区", 5, 3), ("民安小区", 4, 2)),
            ),
            ("新时代社区", 9300, 3700, (("新时代花园", 7, 3), ("时代广场小区", 4, 2))),
            ("北关社区", 6400, 2600, (("北关小区", 5, 2), ("永乐小区", 4, 2))),
            ("东山社区", 7000, 2800, (("东山小区", 5, 2), ("山南小区", 4, 2))),
            ("和平社区", 6600, 2700, (("和平小区", 5, 2), ("友好小区", 4, 2))),
        ),
    ),
    (
        "兴华街道",
        (
            ("兴华社区", 8500, 3400, (("兴华小区", 6, 2), ("兴华南小区", 4, 2))),
            ("中巨社区", 9100, 3600, (("化机小区", 6, 3), ("中巨小区", 5, 2))),
            ("红旗社区", 7300, 2900, (("红旗小区", 5, 2), ("建国小区", 4, 2))),
            ("建设社区", 6800, 2700, (("建设小区", 5, 2), ("工人村小区", 4, 2))),
            ("光明社区", 7200, 2900, (("光明小区", 5, 2), ("明珠花园", 4, 2))),
        ),
    ),
)

# The community where the community-level demo accounts work (the report's
# 站前社区, home of the 社会组织孵化园), and its first building.
HOME_COMMUNITY = DISTRICT_CODE + "001001"
HOME_BUILDING = HOME_COMMUNITY + "001001"
HOME_COMPOUND = HOME_COMMUNITY + "001"  # 站前小区: the party branch of demo-party-secretary
HOME_STREET = DISTRICT_CODE + "001"

# One account per role: (role, code of the region its grant covers).
ACCOUNTS: tuple[tuple[Role, str], ...] = (
    (Role.DISTRICT_ADMIN, DISTRICT_CODE),
    (Role.STREET_OFFICER, HOME_STREET),
    (Role.COMMUNITY_SECRETARY, HOME_COMMUNITY),
    (Role.COMMUNITY_WORKER, HOME_COMMUNITY),
    (Role.BUILDING_HEAD, HOME_BUILDING),
    (Role.INSPECTOR, DISTRICT_CODE),
    (Role.RESIDENT, HOME_COMMUNITY),
    (Role.SYSTEM_ADMIN, DISTRICT_CODE),
    (Role.SECURITY_ADMIN, DISTRICT_CODE),
    (Role.AUDIT_ADMIN, DISTRICT_CODE),
    (Role.PARTY_SECRETARY, HOME_COMPOUND),
)


def demo_username(role: str) -> str:
    return "demo-" + role.replace("_", "-")


def demo_totp_key(username: str) -> str:
    """The hex TOTP key of a demo administrator: fixed for this installation
    (drawn from its secret key), so a visitor adds it to an authenticator app
    once, and nowhere in the repository."""
    message = f"shequ-demo-totp:{username}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, "sha256").hexdigest()[:40]


def region_specs() -> list[RegionSpec]:
    L = RegionLevel
    specs = [RegionSpec(DISTRICT_CODE, DISTRICT_NAME, L.DISTRICT, None)]
    for s, (street, communities) in enumerate(STREETS, 1):
        street_code = f"{DISTRICT_CODE}{s:03d}"
        specs.append(RegionSpec(street_code, street, L.STREET, DISTRICT_CODE))
        for c, (community, population, households, compounds) in enumerate(communities, 1):
            community_code = f"{street_code}{c:03d}"
            specs.append(
                RegionSpec(
                    community_code,
                    community,
                    L.COMMUNITY,
                    street_code,
                    population_served=population,
                    households_served=households,
                )
            )
            for k, (compound, buildings, units) in enumerate(compounds, 1):
                compound_code = f"{community_code}{k:03d}"
                specs.append(RegionSpec(compound_code, compound, L.COMPOUND, community_code))
                for b in range(1, buildings + 1):
                    building_code = f"{compound_code}{b:03d}"
                    specs.append(RegionSpec(building_code, f"{b}号楼", L.BUILDING, compound_code))
                    specs.extend(
                        RegionSpec(f"{building_code}{u:02d}", f"{u}单元", L.UNIT, building_code)
                        for u in range(1, units + 1)
                    )
    return specs


@dataclass
class DemoResult:
    regions_created: int = 0
    households_created: int = 0
    residents_created: int = 0
    tags_created: int = 0
    users_created: int = 0
    grants_created: int = 0
    resident_linked: bool = False
    catalog_rows: int = 0
    cases_created: int = 0
    duties_created: int = 0
    open311_clients: int = 0
    governance_rows: int = 0
    deliberation_rows: int = 0  # the 协商目录, topics, meetings, votes, outcomes; floor areas
    workbench_rows: int = 0  # announcements and the morning's urgent whistle
    party_rows: int = 0  # 党建引领: organisations, members, transfers, stations, heads, 双报到
    counts: dict[str, int] = field(default_factory=dict)
    counts_extra: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, region
    # The administrators' second factor (docs/security.md): username → base32 secret.
    totp_secrets: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(
            self.regions_created
            or self.households_created
            or self.users_created
            or self.grants_created
            or self.resident_linked
            or self.catalog_rows
            or self.cases_created
            or self.duties_created
            or self.open311_clients
            or self.governance_rows
            or self.deliberation_rows
            or self.workbench_rows
            or self.party_rows
        )


def _community_households(
    community: Region, units: list[Region], residents: int
) -> tuple[list[Household], list[list]]:
    """Households and their members for one community, spread over its units."""
    maker = PeopleMaker(f"{SEED}:{community.code}")
    households, members = [], []
    for i, size in enumerate(household_sizes(residents)):
        unit = units[i % len(units)]
        households.append(
            Household(
                district_id=unit.district_id,
                community_id=unit.community_id,
                building_id=unit.building_id,
                unit=unit,
                room=room_name(i // len(units), ROOMS_PER_FLOOR),
            )
        )
        members.append(maker.household(size))
    return households, members


def _load_residents(regions: dict[str, Region], total: int, result: DemoResult) -> None:
    communities = [r for r in regions.values() if r.level == RegionLevel.COMMUNITY]
    communities.sort(key=lambda r: r.code)
    quotas = split_evenly(total, [c.population_served or 1 for c in communities])
    units_of: dict[int, list[Region]] = {}
    for region in sorted(regions.values(), key=lambda r: r.code):
        if region.level == RegionLevel.UNIT:
            units_of.setdefault(region.community_id, []).append(region)
    filled = set(
        Household.objects.filter(community__in=communities)
        .values_list("community_id", flat=True)
        .distinct()
    )
    for community, quota in zip(communities, quotas, strict=True):
        if community.pk in filled or quota == 0:
            continue
        households, members = _community_households(community, units_of[community.pk], quota)
        Household.objects.bulk_create(households, batch_size=500)
        residents, tagged = [], []
        for household, family in zip(households, members, strict=True):
            for m in family:
                resident = Resident(
                    district_id=household.district_id,
                    community_id=household.community_id,
                    household=household,
                    name=m.name,
                    relation=m.relation,
                    **id_columns(m.id_number),
                    **phone_columns(m.phone),
                )
                residents.append(resident)
                tagged.append((resident, m.tags))
        Resident.objects.bulk_create(residents, batch_size=500)
        tags = [
            ResidentTag(resident=r, tag=t, community_id=r.community_id, district_id=r.district_id)
            for r, ts in tagged
            for t in sorted(ts)
        ]
        ResidentTag.objects.bulk_create(tags, batch_size=500)
        result.households_created += len(households)
        result.residents_created += len(residents)
        result.tags_created += len(tags)


def _home_resident() -> Resident | None:
    """The head of the first flat of 站前社区: the demo resident's own entry."""
    return (
        Resident.objects.filter(
            community__code=HOME_COMMUNITY,
            relation=Relation.HEAD,
            household__unit__code=HOME_BUILDING + "01",
            household__room=room_name(0, ROOMS_PER_FLOOR),
        )
        .order_by("id")
        .first()
    )


def _load_accounts(regions: dict[str, Region], result: DemoResult) -> None:
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    home = _home_resident()
    maker = PeopleMaker(f"{SEED}:accounts")
    for role, code in ACCOUNTS:
        username = demo_username(role)
        user = users.get(username)
        # Drawn for every account, so each keeps its name whichever exist already.
        full_name = maker.surname() + maker.given_name(maker.rng.choice("MF"))
        if user is None:
            if role == Role.RESIDENT and home is not None:
                full_name = home.name
            user = User(username=username, full_name=full_name)
            user.set_password(settings.SHEQU_DEMO_PASSWORD)
            user.save()
            result.users_created += 1
        region = regions[code]
        if not Grant.objects.filter(user=user, role=role, region=region).exists():
            Grant.objects.create(user=user, role=role, region=region)
            result.grants_created += 1
        if role in PRIVILEGED_ROLES:
            device = totp_issue(
                actor=Actor.for_command("shequ demo"), user=user, key=demo_totp_key(username)
            )
            result.totp_secrets[username] = secret_text(device)
        if (
            role == Role.RESIDENT
            and home is not None
            and home.user_id is None
            and not Resident.objects.filter(user=user).exists()
        ):
            home.user = user
            home.save(update_fields=["user"])
            result.resident_linked = True
        result.accounts.append((username, role.label, _label(region, regions)))


def _load_cases(district: Region, home: Region, result: DemoResult) -> None:
    """Two years of the desk's cases (generated as final rows, like the
    register), once: the demo worker and secretary hold those of 站前社区."""
    from shequ.demo.cases import generate_desk, timeline_backfill
    from shequ.desk.models import Case

    if Case.objects.filter(district=district).exists():
        return
    communities = list(
        Region.objects.filter(district=district, level=RegionLevel.COMMUNITY).order_by("code")
    )
    adult_before = timezone.localdate().replace(year=timezone.localdate().year - 18)
    applicants = {
        c.pk: list(
            Resident.objects.filter(
                community=c, phone_enc__isnull=False, birth_date__lte=adult_before
            )
            .order_by("id")
            .values_list(
                "id",
                "name",
                "id_number_enc",
                "id_number_index",
                "id_number_tail",
                "phone_enc",
                "phone_head",
                "phone_tail",
            )
        )
        for c in communities
    }
    # A community without an adult with a phone (a tiny --residents) has no applicant.
    communities = [c for c in communities if applicants[c.pk]]
    if not communities:
        return
    own = {
        home.pk: {
            "workers": [User.objects.get(username=demo_username(Role.COMMUNITY_WORKER))],
            "secretary": [User.objects.get(username=demo_username(Role.COMMUNITY_SECRETARY))],
        }
    }
    if home.pk not in {c.pk for c in communities}:
        own = {}
    desk = generate_desk(
        district=district,
        communities=communities,
        applicants=applicants,
        cases=DEMO_CASES,
        seed=str(SEED),
        staff_prefix="desk",
        own_staff=own,
    )
    result.cases_created = desk.cases
    timeline_backfill(district)


def _load_governance(district: Region, result: DemoResult) -> None:
    """Issue 4's departments, units, liaisons, appeals, whistles and pairing."""
    from shequ.demo.governance import load_governance

    gov = load_governance(district)
    result.governance_rows = gov.rows
    result.users_created += gov.users
    result.grants_created += gov.grants
    result.accounts.extend(gov.accounts)
    result.counts_extra = gov.counts


def _load_deliberation(district: Region, result: DemoResult) -> None:
    """议事协商: the catalog and the deliberation of the appeals' three communities."""
    from shequ.demo.deliberation import load_deliberation

    delib = load_deliberation(district)
    result.deliberation_rows = delib.rows + delib.areas
    result.users_created += delib.users
    result.grants_created += delib.grants
    result.counts_extra |= delib.counts


def _load_party(district: Region, result: DemoResult) -> None:
    """党建引领, through the party services (after 双报到's units and pairing)."""
    from shequ.demo.party import load_party

    party = load_party(district)
    result.party_rows = party.rows
    result.users_created += party.users
    result.grants_created += party.grants
    result.counts_extra |= party.counts


def _label(region: Region, regions: dict[str, Region]) -> str:
    """站前社区站前小区1号楼 for a building; the plain name above a community."""
    if region.level <= RegionLevel.COMMUNITY:
        return region.name
    # Ancestors' codes are prefixes: community 12 digits, compound 15, building 18.
    return "".join(regions[region.code[:n]].name for n in (12, 15, 18) if n <= len(region.code))


def _counts(district: Region) -> dict[str, int]:
    counts = {
        RegionLevel(level).label: n
        for level, n in (
            (lv, Region.objects.filter(district=district, level=lv).count())
            for lv in RegionLevel.values
        )
    }
    counts["住户"] = Household.objects.filter(district=district).count()
    counts["居民"] = Resident.objects.filter(district=district).count()
    from shequ.desk.models import Case

    counts["办件"] = Case.objects.filter(district=district).count()
    return counts


def load_demo(*, residents: int = DEFAULT_RESIDENTS) -> DemoResult:
    """Load (or complete) the demo district. Safe to run any number of times."""
    result = DemoResult()
    with transaction.atomic():
        regions, result.regions_created = ensure_regions(region_specs())
        _load_residents(regions, residents, result)
        _load_accounts(regions, result)
        district = regions[DISTRICT_CODE]
        home = regions[HOME_COMMUNITY]
        generalists = [
            (User.objects.get(username=demo_username(role)), home)
            for role in (Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY)
        ]
        result.catalog_rows = load_demo_catalog(district, generalists=generalists)
        _load_cases(district, home, result)
        result.duties_created = load_demo_roster(district)
        result.open311_clients = int(
            client_ensure(
                district=district,
                name="演示客户端",
                raw_key=DEMO_OPEN311_KEY,
                command="shequ demo",
            )
        )
        _load_governance(district, result)
        _load_deliberation(district, result)
        _load_party(district, result)
        result.workbench_rows = load_demo_workbench(
            district=district, street=regions[HOME_STREET], community=home
        )
        if result.changed:
            region_stats_rebuild()
            record(
                actor=Actor.for_command("shequ demo"),
                action="demo.load",
                obj=district,
                changes={
                    "regions": result.regions_created,
                    "households": result.households_created,
                    "residents": result.residents_created,
                    "users": result.users_created,
                    "grants": result.grants_created,
                    "catalog": result.catalog_rows,
                    "cases": result.cases_created,
                    "duties": result.duties_created,
                    "open311_clients": result.open311_clients,
                    "governance": result.governance_rows,
                    "deliberation": result.deliberation_rows,
                    "workbench": result.workbench_rows,
                    "party": result.party_rows,
                },
                message="加载演示数据（shequ demo）",
            )
        result.counts = _counts(district) | result.counts_extra
    return result
