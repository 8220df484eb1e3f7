"""The shell: login/logout, home page counts, navigation, scope switcher, healthz."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.models import Grant, RegionLevel
from shequ.core.permissions import Role
from shequ.core.scope import SESSION_GRANT_KEY
from shequ.core.tests.factories import PASSWORD, make_region
from shequ.residents.rollups import region_stats_rebuild
from shequ.tests.test_regions import make_household, make_resident


def nav_labels(response) -> list[str]:
    return [section.label for section, _ in response.context["nav_sections"]]


def test_anonymous_home_goes_to_login(client, tree):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('core:login')}?next=/"


def test_login_then_logout(client, tree, people):
    page = client.get(reverse("core:login"))
    assert page.status_code == 200 and "登录社区治理平台" in page.content.decode()
    logged_in = client.post(reverse("core:login"), {"username": "worker", "password": PASSWORD})
    assert (logged_in.status_code, logged_in["Location"]) == (302, reverse("core:home"))
    assert client.get(reverse("core:home")).status_code == 200
    logged_out = client.post(reverse("core:logout"))
    assert (logged_out.status_code, logged_out["Location"]) == (302, reverse("core:login"))
    assert client.get(reverse("core:home")).status_code == 302


def test_disabled_account_cannot_log_in(client, tree, people):
    people.worker.is_active = False
    people.worker.save(update_fields=["is_active"])
    response = client.post(reverse("core:login"), {"username": "worker", "password": PASSWORD})
    assert response.status_code == 200
    assert "账号或密码不正确。" in response.content.decode()


def test_home_shows_the_scopes_key_counts(client, tree, people):
    # given two households with three residents in 站前社区 and one in 铁塔社区
    make_resident(make_household(tree.unit, "101"), "张伟", 1)
    household = make_household(tree.unit2, "201")
    make_resident(household, "王芳", 2)
    make_resident(household, "李娜", 3)
    make_resident(make_household(tree.far_unit, "101"), "刘洋", 4)
    region_stats_rebuild()
    # when the street officer of 站前街道 opens the home page
    client.force_login(people.street_officer)
    response = client.get(reverse("core:home"))
    # then the counts are those of his street
    assert response.context["counts"] == {
        "社区": 2,
        "小区": 2,
        "楼栋": 2,
        "单元": 3,
        "居民": 3,
        "住户": 2,
    }
    assert "站前街道" in response.content.decode()


def test_home_query_count_does_not_grow_with_regions(
    client, tree, people, django_assert_num_queries
):
    client.force_login(people.district_admin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:home"))
    for i in range(3, 9):
        make_region(
            name=f"社区{i}",
            code=f"210302001{i:03d}",
            level=RegionLevel.COMMUNITY,
            parent=tree.street,
        )
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("core:home"))
    assert response.context["counts"]["社区"] == 9


def test_navigation_follows_the_role(client, tree, people):
    expectations = {
        "worker": (["区划", "工作日历"], ["用户账号", "角色授权", "审计记录"]),
        "system_admin": (["区划", "用户账号"], ["角色授权", "审计记录", "居民档案"]),
        "security_admin": (["角色授权"], ["用户账号", "审计记录", "居民档案"]),
        "audit_admin": ([], ["区划", "用户账号", "角色授权", "居民档案"]),
        "resident": ([], ["区划", "用户账号", "角色授权", "审计记录"]),
    }
    for who, (shown, hidden) in expectations.items():
        client.force_login(getattr(people, who))
        labels = nav_labels(client.get(reverse("core:home")))
        assert set(shown) <= set(labels), who
        assert not set(hidden) & set(labels), who


def test_user_with_two_grants_switches_scope(client, tree, people):
    # given the worker of 站前社区 who is also building head of 1号楼
    head = Grant.objects.create(user=people.worker, role=Role.BUILDING_HEAD, region=tree.building)
    client.force_login(people.worker)
    home = client.get(reverse("core:home"))
    assert home.context["actor"].role == "community_worker"
    assert 'id="scope-switcher"' in home.content.decode()
    # when he switches to the building-head grant
    switched = client.post(reverse("core:switch_grant"), {"grant": head.pk}, follow=True)
    # then his active scope is the building and the navigation follows
    actor = switched.context["actor"]
    assert (actor.role, actor.region) == ("building_head", tree.building)
    assert client.session[SESSION_GRANT_KEY] == head.pk
    assert "已切换到：楼栋长·1号楼" in switched.content.decode()
    assert "工作日历" not in nav_labels(switched)
    regions = client.get(reverse("core:regions"))
    assert regions.context["root"].pk == tree.building.pk


def test_cannot_switch_to_a_grant_that_is_not_ones_own(client, tree, people):
    Grant.objects.create(user=people.worker, role=Role.BUILDING_HEAD, region=tree.building)
    foreign = people.district_admin.grants.get()
    client.force_login(people.worker)
    response = client.post(reverse("core:switch_grant"), {"grant": foreign.pk}, follow=True)
    assert "只能切换到您本人持有的授权。" in response.content.decode()
    assert SESSION_GRANT_KEY not in client.session
    assert response.context["actor"].role == "community_worker"
    bad = client.post(reverse("core:switch_grant"), {"grant": "x"}, follow=True)
    assert "只能切换到您本人持有的授权。" in bad.content.decode()


def test_a_stale_session_grant_falls_back_to_the_users_first(client, tree, people):
    # given a session whose chosen grant was revoked meanwhile
    head = Grant.objects.create(user=people.worker, role=Role.BUILDING_HEAD, region=tree.building)
    client.force_login(people.worker)
    client.post(reverse("core:switch_grant"), {"grant": head.pk})
    head.delete()
    # then the next page runs under his remaining grant
    response = client.get(reverse("core:home"))
    assert response.context["actor"].role == "community_worker"


def test_switch_needs_login_and_post(client, tree, people):
    assert client.post(reverse("core:switch_grant"), {"grant": 1})["Location"] == reverse(
        "core:login"
    )
    client.force_login(people.worker)
    assert client.get(reverse("core:switch_grant")).status_code == 405


def test_favicon_is_served_from_the_static_files(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    path = response["Location"]
    assert path.startswith("/static/shequ/favicon") and path.endswith(".ico")
    assert finders.find("shequ/favicon.ico") and finders.find("shequ/favicon.svg")
    with open(finders.find("shequ/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}


@pytest.mark.parametrize("role", ["district_admin", "worker", "secretary", "resident"])
def test_each_menu_page_lights_its_own_entry_and_no_other(client, people, role):
    # given: a role's menu
    client.force_login(getattr(people, role))
    sections = client.get(reverse("core:home")).context["nav_sections"]
    assert len(sections) >= 2

    for section, url in sections:
        # when: the entry's page opens
        page = client.get(url).content.decode()

        # then: exactly that entry is marked current
        active = re.findall(r'<a class="nav-link active" aria-current="page" href="([^"]+)"', page)
        assert active == [url], (section.label, active)
