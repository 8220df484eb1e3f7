"""What `shequ demo` loads: the seed report's district, its residents, the
demo accounts, appeals, whistles and pairing. The demo is loaded once for
the module (``demo`` below) and each test only reads it.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from shequ.core.idcard import parse_id_number
from shequ.core.models import Grant, Region, RegionLevel, RegionStat, User
from shequ.core.permissions import LIAISON_ROLES, Role
from shequ.core.pii import blind_index, decrypt
from shequ.demo.people import REFERENCE_DAY, household_sizes
from shequ.residents.models import Household, Relation, Resident, ResidentTag, Tag

NAMED_COMMUNITIES = {
    "铁塔社区",
    "八一社区",
    "站前社区",
    "利民社区",
    "兴华社区",
    "中巨社区",
    "新时代社区",
}

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """`shequ demo` loaded once for the module, inside a transaction that is
    rolled back after its last test; each test runs in a savepoint of it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("demo", residents=300, stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_demo_loads_the_district_streets_and_named_communities(demo):
    # when

    # then
    district = Region.objects.get(code="210302")
    assert (district.name, district.level) == ("城东区", RegionLevel.DISTRICT)
    streets = Region.objects.filter(level=RegionLevel.STREET, district=district)
    assert list(streets.values_list("code", "name")) == [
        ("210302001", "站前街道"),
        ("210302002", "铁塔街道"),
        ("210302003", "兴华街道"),
    ]
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY, district=district)
    names = set(communities.values_list("name", flat=True))
    assert len(names) == 15
    assert names >= NAMED_COMMUNITIES
    assert not communities.filter(population_served__isnull=True).exists()
    assert not communities.filter(households_served__isnull=True).exists()
    assert Region.objects.get(code="210302001001").name == "站前社区"


def test_demo_tree_has_compounds_buildings_and_units_with_codes_and_ancestors(demo):
    # when

    # then
    huaji = Region.objects.get(name="化机小区")
    assert (huaji.community.name, huaji.street.name) == ("中巨社区", "兴华街道")
    assert Region.objects.get(name="老城里小区").community.name == "铁塔社区"
    per_level = {
        lv: Region.objects.filter(district__code="210302", level=lv).count()
        for lv in RegionLevel.values
    }
    assert per_level == {1: 1, 2: 3, 3: 15, 4: 32, 5: 155, 6: 340}
    code_lengths = {1: 6, 2: 9, 3: 12, 4: 15, 5: 18, 6: 20}
    for region in Region.objects.filter(district__code="210302").select_related("parent"):
        assert len(region.code) == code_lengths[region.level]
        if region.parent is not None:
            assert region.code.startswith(region.parent.code)
        own = region.ancestor_field
        if own:
            assert getattr(region, f"{own}_id") == region.pk
    unit = Region.objects.get(code="21030200300200100103")  # 化机小区1号楼3单元
    assert (unit.community_id, unit.compound_id) == (huaji.community_id, huaji.pk)


def test_demo_residents_are_valid_encrypted_and_rolled_up(demo):

    # then: 300 residents in households, each with exactly one head
    assert Resident.objects.count() == 300
    households = Household.objects.count()
    assert households == 116
    assert Resident.objects.filter(relation=Relation.HEAD).count() == households
    for resident in Resident.objects.select_related("household", "community"):
        number = parse_id_number(decrypt(resident.id_number_enc))
        assert number.birth_date == resident.birth_date
        assert number.gender == resident.gender
        assert resident.id_number_index == blind_index(number.value, purpose="id_number")
        assert resident.id_number_tail == number.value[-4:]
        assert resident.id_region_code == number.value[:6]
        assert resident.community_id == resident.household.community_id
        assert resident.district_id == resident.community.district_id
        if resident.phone_enc is None:
            assert (resident.phone_index, resident.phone_head, resident.phone_tail) == ("", "", "")
        else:
            phone = decrypt(resident.phone_enc)
            assert len(phone) == 11
            assert (resident.phone_head, resident.phone_tail) == (phone[:3], phone[-4:])
            assert resident.phone_index == blind_index(phone, purpose="phone")
    # and the ages include the old and the very old
    births = list(Resident.objects.values_list("birth_date", flat=True))
    ages = [(REFERENCE_DAY - b).days // 365 for b in births]
    assert sum(a >= 60 for a in ages) > 0
    assert sum(a >= 80 for a in ages) > 0
    # and tags carry the resident's community
    tags = ResidentTag.objects.select_related("resident")
    assert tags.exists()
    assert all(t.community_id == t.resident.community_id for t in tags)
    assert set(tags.values_list("tag", flat=True)) <= set(Tag.values)
    # and the rollups equal the rows
    district_stat = RegionStat.objects.get(region__code="210302")
    assert (district_stat.residents, district_stat.households) == (300, households)


def test_demo_spreads_residents_by_population_served(demo):
    # given: the same split the loader makes

    # then: 站前社区 (population 9,800 of 119,100) gets 25 of the 300
    station = Region.objects.get(code="210302001001")
    assert Resident.objects.filter(community=station).count() == 25
    assert Household.objects.filter(community=station).count() == len(household_sizes(25))


def test_demo_accounts_one_per_role_can_log_in(demo, client):
    output = demo

    # then
    expected_region = {
        Role.DISTRICT_ADMIN: "210302",
        Role.STREET_OFFICER: "210302001",
        Role.COMMUNITY_SECRETARY: "210302001001",
        Role.COMMUNITY_WORKER: "210302001001",
        Role.BUILDING_HEAD: "210302001001001001",
        Role.INSPECTOR: "210302",
        Role.RESIDENT: "210302001001",
        Role.SYSTEM_ADMIN: "210302",
        Role.SECURITY_ADMIN: "210302",
        Role.AUDIT_ADMIN: "210302",
        Role.PARTY_SECRETARY: "210302001001001",  # 站前小区党支部
    }
    assert User.objects.filter(username__startswith="demo-").count() == len(Role.values)
    # The liaisons' grants lie on the district; their Liaison row names the body.
    for role in LIAISON_ROLES:
        liaison = User.objects.get(username="demo-" + role.value.replace("_", "-"))
        assert list(Grant.objects.filter(user=liaison).values_list("role", "region__code")) == [
            (role.value, "210302")
        ]
        assert liaison.liaisons.count() == 1
        assert client.login(username=liaison.username, password=settings.SHEQU_DEMO_PASSWORD)
        assert client.get(reverse("core:home")).status_code == 200
        client.logout()
    for role, code in expected_region.items():
        username = "demo-" + role.value.replace("_", "-")
        user = User.objects.get(username=username)
        grants = list(Grant.objects.filter(user=user).values_list("role", "region__code"))
        assert grants == [(role.value, code)]
        assert username in output
        assert client.login(username=username, password=settings.SHEQU_DEMO_PASSWORD)
        assert client.get(reverse("core:home")).status_code == 200
        client.logout()
    assert settings.SHEQU_DEMO_PASSWORD in output


def test_demo_administrators_have_a_second_factor_printed_with_them(demo, client):
    """The district and the three separated administrators log in with a code
    (docs/security.md): `shequ demo` prints each one's TOTP secret."""
    from base64 import b32encode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from shequ.core.tests.otp import OtpTime, code_at

    devices = TOTPDevice.objects.filter(user__username__startswith="demo-", confirmed=True)
    assert sorted(d.user.username for d in devices) == [
        "demo-audit-admin", "demo-district-admin", "demo-security-admin", "demo-system-admin"
    ]  # fmt: skip
    for device in devices:
        secret = b32encode(device.bin_key).decode().rstrip("=")
        printed = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        assert f"{device.user.username}" in demo and printed in demo
    # and the secret works: the form's two steps log the district admin in
    admin = devices.get(user__username="demo-district-admin")
    with pytest.MonkeyPatch.context() as patch:
        at = OtpTime(patch)
        first = client.post(
            "/login/",
            {"username": "demo-district-admin", "password": settings.SHEQU_DEMO_PASSWORD},
        )
        assert first["Location"] == "/login/otp/"
        assert client.post("/login/otp/", {"code": code_at(admin, at.at)})["Location"] == "/"


def test_demo_resident_account_is_linked_to_its_register_entry(demo):

    # then
    user = User.objects.get(username="demo-resident")
    resident = Resident.objects.select_related("household__unit").get(user=user)
    assert resident.community.code == "210302001001"
    assert resident.relation == Relation.HEAD
    assert (resident.household.unit.code, resident.household.room) == (
        "21030200100100100101",
        "101",
    )
    assert user.full_name == resident.name


def test_demo_has_appeals_whistles_scorecard_and_pairing(demo):
    import datetime as dt

    from django.utils import timezone

    from shequ.appeals.models import Appeal
    from shequ.core.scope import Actor
    from shequ.whistles.models import PairingAgreement, Whistle, WhistleDispute
    from shequ.whistles.whistle.selectors import scorecard

    appeals = Appeal.objects.filter(district__code="210302")
    assert 60 <= appeals.count() <= 120
    assert set(appeals.values_list("community__name", flat=True)) == {
        "站前社区",
        "利民社区",
        "铁塔社区",
    }
    assert {"submitted", "handling", "merged", "closed", "whistled"} <= set(
        appeals.values_list("status", flat=True)
    )
    assert appeals.filter(supporters__gt=0).exists()
    assert appeals.filter(status="closed").exclude(rating="").exists()
    states = set(Whistle.objects.values_list("status", flat=True))
    assert {"raised", "reported", "handling", "resolved", "closed", "disputed"} <= states
    assert Whistle.objects.filter(escalation__gt=0).exists()
    reassigned = Whistle.objects.filter(disputes=1).exclude(status="disputed").get()
    dispute = WhistleDispute.objects.get(whistle=reassigned)
    assert dispute.department_id != reassigned.lead_department_id
    # every whistle's timeline starts with its raising
    from shequ.core.workflow import timeline_for

    assert timeline_for(reassigned).first().action == "raise"
    # the scorecard of last month has figures
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    admin = Actor.for_user(User.objects.get(username="demo-district-admin"))
    _, rows = scorecard(actor=admin, month=last_month)
    assert len(rows) == 9
    assert sum(r.received for r in rows) > 0 and sum(r.resolved for r in rows) > 0
    # the department liaison has whistles of its own
    liaison = User.objects.get(username="demo-department-liaison")
    department = liaison.liaisons.get().department
    assert Whistle.objects.filter(lead_department=department).exists()
    # pairing: agreements with commitments and actions, one on paper only
    agreements = PairingAgreement.objects.filter(district__code="210302")
    assert agreements.count() >= 4
    assert all(a.commitments.exists() for a in agreements)
    paper = agreements.get(paper_only_since__isnull=False)
    assert not paper.actions.filter(date__gte=paper.paper_only_since).exists()
    assert agreements.filter(paper_only_since__isnull=True, actions__isnull=False).exists()


def test_demo_liaison_opens_on_the_urgent_whistle_and_two_announcements(demo, client):
    """The morning after `make demo`: the bell rings for 站前派出所's liaison,
    its workbench opens on the report-in it owes, and the street's and the
    district's announcements wait unread for the community."""
    from shequ.core.models import Announcement, Notification, OutboxMessage

    liaison = User.objects.get(username="demo-department-liaison")
    note = Notification.objects.get(recipient=liaison, kind="whistle.raised")
    assert (note.level, note.title.startswith("紧急吹哨：")) == ("urgent", True)
    assert OutboxMessage.objects.filter(recipient=liaison, channel="wechat").count() == 1
    client.force_login(liaison)
    html = client.get(reverse("core:home")).content.decode()
    assert "站前小区3号楼地下车库燃气味道浓" in html
    assert "吹哨待报到（紧急" in html
    assert "职能部门联络员·站前派出所" in html
    assert sorted(Announcement.objects.values_list("region__level", flat=True)) == [1, 2]
    client.force_login(User.objects.get(username="demo-community-worker"))
    html = client.get(reverse("core:home")).content.decode()
    assert html.count("未读 · ") == 2
