"""Fixtures shared by every app: a small district tree and one user per role.

district 城东区
├── street 站前街道 ── community 站前社区 ── compound 化机小区 ── building 1号楼 ── unit 1单元, 2单元
│                   └─ community 利民社区 ── compound 利民小区 ── building 1号楼 ── unit 1单元
└── street 铁塔街道 ── community 铁塔社区 ── compound 老城里小区 ── building 1号楼 ── unit 1单元
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shequ.core.models import Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.tests.clock import Clock
from shequ.core.tests.factories import make_region, user_with

pytest_plugins = ["shequ.browser_fixtures"]


@dataclass
class Tree:
    district: Region
    street: Region
    community: Region
    compound: Region
    building: Region
    unit: Region
    unit2: Region
    other_community: Region  # same street
    other_street: Region
    far_community: Region  # in the other street
    far_unit: Region
    other_unit: Region  # in other_community


def build_tree() -> Tree:
    L = RegionLevel
    d = make_region(name="城东区", code="210302", level=L.DISTRICT)
    s1 = make_region(name="站前街道", code="210302001", level=L.STREET, parent=d)
    s2 = make_region(name="铁塔街道", code="210302002", level=L.STREET, parent=d)
    c1 = make_region(
        name="站前社区",
        code="210302001001",
        level=L.COMMUNITY,
        parent=s1,
        population_served=8000,
        households_served=3000,
    )
    c2 = make_region(
        name="利民社区",
        code="210302001002",
        level=L.COMMUNITY,
        parent=s1,
        population_served=6000,
        households_served=2200,
    )
    c3 = make_region(
        name="铁塔社区",
        code="210302002001",
        level=L.COMMUNITY,
        parent=s2,
        population_served=7000,
        households_served=2600,
    )
    k1 = make_region(name="化机小区", code="210302001001001", level=L.COMPOUND, parent=c1)
    b1 = make_region(name="1号楼", code="210302001001001001", level=L.BUILDING, parent=k1)
    u1 = make_region(name="1单元", code="21030200100100100101", level=L.UNIT, parent=b1)
    u2 = make_region(name="2单元", code="21030200100100100102", level=L.UNIT, parent=b1)
    k2 = make_region(name="利民小区", code="210302001002001", level=L.COMPOUND, parent=c2)
    b2 = make_region(name="1号楼", code="210302001002001001", level=L.BUILDING, parent=k2)
    u3 = make_region(name="1单元", code="21030200100200100101", level=L.UNIT, parent=b2)
    k3 = make_region(name="老城里小区", code="210302002001001", level=L.COMPOUND, parent=c3)
    b3 = make_region(name="1号楼", code="210302002001001001", level=L.BUILDING, parent=k3)
    u4 = make_region(name="1单元", code="21030200200100100101", level=L.UNIT, parent=b3)
    return Tree(
        district=d,
        street=s1,
        community=c1,
        compound=k1,
        building=b1,
        unit=u1,
        unit2=u2,
        other_community=c2,
        other_street=s2,
        far_community=c3,
        far_unit=u4,
        other_unit=u3,
    )


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@dataclass
class People:
    district_admin: User
    street_officer: User
    other_street_officer: User
    secretary: User
    worker: User
    other_worker: User  # community worker of another community, same street
    building_head: User
    inspector: User
    resident: User
    system_admin: User
    security_admin: User
    audit_admin: User
    department_liaison: User  # speaks for 站前派出所 (whistles.Liaison)
    unit_liaison: User  # speaks for 城东第一中学
    party_secretary: User  # secretary of 化机小区's party branch (granted on the compound)


@pytest.fixture
def people(tree: Tree) -> People:
    R = Role
    return People(
        district_admin=user_with(R.DISTRICT_ADMIN, tree.district, "district_admin"),
        street_officer=user_with(R.STREET_OFFICER, tree.street, "street_officer"),
        other_street_officer=user_with(R.STREET_OFFICER, tree.other_street, "other_street"),
        secretary=user_with(R.COMMUNITY_SECRETARY, tree.community, "secretary"),
        worker=user_with(R.COMMUNITY_WORKER, tree.community, "worker"),
        other_worker=user_with(R.COMMUNITY_WORKER, tree.other_community, "other_worker"),
        building_head=user_with(R.BUILDING_HEAD, tree.building, "building_head"),
        inspector=user_with(R.INSPECTOR, tree.district, "inspector"),
        resident=user_with(R.RESIDENT, tree.community, "resident"),
        system_admin=user_with(R.SYSTEM_ADMIN, tree.district, "system_admin"),
        security_admin=user_with(R.SECURITY_ADMIN, tree.district, "security_admin"),
        audit_admin=user_with(R.AUDIT_ADMIN, tree.district, "audit_admin"),
        department_liaison=_liaison(R.DEPARTMENT_LIAISON, tree, "department_liaison"),
        unit_liaison=_liaison(R.UNIT_LIAISON, tree, "unit_liaison"),
        party_secretary=user_with(R.PARTY_SECRETARY, tree.compound, "party_secretary"),
    )


def _liaison(role: Role, tree: Tree, username: str) -> User:
    """A liaison account with its whistles.Liaison row (imported late: the
    whistles app builds on core, not the other way round)."""
    from shequ.whistles.models import Department, DepartmentKind, Liaison, Unit, UnitKind

    user = user_with(role, tree.district, username)
    if role == Role.DEPARTMENT_LIAISON:
        body = Department.objects.create(
            district=tree.district, name="站前派出所", kind=DepartmentKind.POLICE
        )
        Liaison.objects.create(user=user, district=tree.district, department=body)
    else:
        unit = Unit.objects.create(
            district=tree.district, name="城东第一中学", kind=UnitKind.SCHOOL
        )
        Liaison.objects.create(user=user, district=tree.district, unit=unit)
    return user


@pytest.fixture
def clock(request, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """``timezone.now`` pinned; starts at the module's ``CLOCK_START`` if it has one."""
    return Clock(monkeypatch, getattr(request.module, "CLOCK_START", None))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _flush_past_audit_triggers(request):
    """Every transactional test on SQLite ends with a flush that the audit
    tables' append-only triggers would refuse (see browser_fixtures)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        request.getfixturevalue("_sqlite_flush_past_triggers")


_MATRIX = "src/shequ/tests/test_every_page.py::"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The page matrix first: it counts the rows of every table after each
    refused write, and on PostgreSQL a count also walks the dead rows that
    the earlier tests' rolled-back transactions leave until autovacuum has
    been by — twice the time late in the run. The rest keeps its order."""
    first = [item for item in items if item.nodeid.startswith(_MATRIX)]
    if first:
        items[:] = first + [item for item in items if not item.nodeid.startswith(_MATRIX)]
