"""A new app plugs its menu, permissions, tick job and region-move hook into
the platform through ``core.registry`` alone: installing it (here: a dummy
app that exists only in tests) needs no edit in core."""

from __future__ import annotations

import contextlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from shequ.core import registry
from shequ.core.models import AuditRecord, RegionLevel
from shequ.core.navigation import visible_sections
from shequ.core.permissions import ROLE_PERMISSIONS, Role
from shequ.core.scope import Actor
from shequ.core.services.regions import region_move
from shequ.core.tests.dummy import apps as dummy
from shequ.core.tick import TICK_JOBS, run_tick

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def _installed(settings):
    dummy.CALLS.clear()
    try:
        with (
            registry.restored(),
            override_settings(
                INSTALLED_APPS=[*settings.INSTALLED_APPS, "shequ.core.tests.dummy"],
                ROOT_URLCONF="shequ.core.tests.dummy.urls",
            ),
        ):
            clear_url_caches()
            yield
    finally:
        clear_url_caches()


@pytest.fixture
def dummy_installed(settings):
    with _installed(settings):
        yield


def test_installed_app_adds_permission_section_and_page(dummy_installed, client, people):
    assert "dummy.view" in ROLE_PERMISSIONS[Role.COMMUNITY_WORKER]
    assert "dummy.view" not in ROLE_PERMISSIONS[Role.COMMUNITY_SECRETARY]
    labels = [s.label for s, _ in visible_sections(Actor.for_user(people.worker))]
    assert labels[labels.index("结对共建") + 1] == "测试模块"  # order 95: after pairing (90)
    assert "测试模块" not in [
        s.label for s, _ in visible_sections(Actor.for_user(people.secretary))
    ]
    client.force_login(people.worker)
    page = client.get(reverse("dummy:home"))
    assert (page.status_code, page.content.decode()) == (200, "测试模块首页")
    assert 'href="/dummy/"' in client.get("/").content.decode()
    client.force_login(people.secretary)
    assert client.get(reverse("dummy:home")).status_code == 403


def test_installed_app_tick_job_runs_in_its_order(dummy_installed):
    assert TICK_JOBS.index("shequ.core.tests.dummy.apps.dummy_job") == 4  # after the rollups
    [result] = run_tick(only="dummy_job")
    assert (result.ok, result.result, dummy.CALLS) == (True, 7, [("tick", None)])


def test_installed_app_region_move_hook_is_called_and_audited(dummy_installed, tree, people):
    actor = Actor.for_user(people.district_admin)
    region_move(
        actor=actor,
        region=tree.compound,
        new_parent=tree.other_community,
        new_code="210302001002009",
    )
    [(kind, move)] = dummy.CALLS
    assert (kind, move.region.pk, move.old_parent.pk, move.new_parent.pk) == (
        "move",
        tree.compound.pk,
        tree.community.pk,
        tree.other_community.pk,
    )
    assert move.region.level == RegionLevel.COMPOUND
    record = AuditRecord.objects.filter(action="region.move").latest("pk")
    assert record.changes["dummy_rows"] == 3


def test_uninstalling_the_app_takes_its_contributions_away(settings):
    before = (dict(registry.SECTIONS), list(TICK_JOBS), dict(ROLE_PERMISSIONS))
    with _installed(settings):
        assert "dummy:home" in registry.SECTIONS
        assert "shequ.core.tests.dummy.apps.dummy_job" in TICK_JOBS
    assert (dict(registry.SECTIONS), list(TICK_JOBS), dict(ROLE_PERMISSIONS)) == before
    assert all("dummy.view" not in codes for codes in ROLE_PERMISSIONS.values())
