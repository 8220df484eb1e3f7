"""Actor scope at every level: regions(), covers(), scope_q(), community_ids."""

from __future__ import annotations

import pytest

from shequ.core.errors import PermissionDenied
from shequ.core.models import Grant
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import UserFactory, actor_for
from shequ.residents.models import Household, Resident
from shequ.tests.test_regions import make_household, make_resident


@pytest.fixture
def rows(tree):
    """One household with one resident in each of four units."""
    out = {}
    for i, unit in enumerate((tree.unit, tree.unit2, tree.other_unit, tree.far_unit), start=1):
        household = make_household(unit, f"{i}01")
        make_resident(household, f"居民{i}", i)
        out[unit.pk] = household
    return out


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


def rooms(actor: Actor, **paths) -> set[str]:
    return set(Household.objects.filter(actor.scope_q(**paths)).values_list("room", flat=True))


def test_district_admin_sees_the_whole_district(tree, people, rows):
    actor = actor_for(people.district_admin)
    assert actor.regions().count() == 16
    assert all(actor.covers(r) for r in (tree.district, tree.far_unit, tree.other_unit))
    assert rooms(actor) == {"101", "201", "301", "401"}
    assert sorted(actor.community_ids) == sorted(
        [tree.community.pk, tree.other_community.pk, tree.far_community.pk]
    )


def test_street_officer_sees_his_street_only(tree, people, rows):
    actor = actor_for(people.street_officer)
    assert names(actor.regions().filter(level=3)) == {"站前社区", "利民社区"}
    assert actor.regions().count() == 10
    assert actor.covers(tree.street) and actor.covers(tree.other_unit)
    assert not actor.covers(tree.district)
    assert not actor.covers(tree.far_community)
    assert rooms(actor) == {"101", "201", "301"}
    assert set(Resident.objects.filter(actor.scope_q()).values_list("name", flat=True)) == {
        "居民1",
        "居民2",
        "居民3",
    }
    with pytest.raises(PermissionDenied) as refused:
        actor.require_region(tree.far_unit)
    assert refused.value.message == "该区划不在您的管辖范围内。"


def test_community_worker_sees_his_community_only(tree, people, rows):
    actor = actor_for(people.worker)
    assert names(actor.regions()) == {"站前社区", "化机小区", "1号楼", "1单元", "2单元"}
    assert not actor.covers(tree.other_community) and not actor.covers(tree.street)
    assert rooms(actor) == {"101", "201"}
    assert actor.community_ids == [tree.community.pk]


def test_building_head_sees_his_building_only_when_rows_say_where_they_are(tree, people, rows):
    # given a second building in the same compound, with a household
    from shequ.core.models import RegionLevel
    from shequ.core.tests.factories import make_region

    b2 = make_region(
        name="2号楼", code="210302001001001002", level=RegionLevel.BUILDING, parent=tree.compound
    )
    u = make_region(name="1单元", code="21030200100100100201", level=RegionLevel.UNIT, parent=b2)
    make_household(u, "901")
    actor = actor_for(people.building_head)
    # then his regions are the building and its units
    assert names(actor.regions()) == {"1号楼", "1单元", "2单元"}
    assert actor.covers(tree.unit2) and not actor.covers(b2) and not actor.covers(tree.compound)
    # and rows filtered by their unit are those of his building only
    assert rooms(actor, region="unit") == {"101", "201"}
    assert set(
        Resident.objects.filter(actor.scope_q(region="household__unit")).values_list(
            "name", flat=True
        )
    ) == {"居民1", "居民2"}
    # and a selector that forgets the region path gets nothing, not the community
    assert rooms(actor) == set()


def test_unit_grant_covers_that_unit_alone(tree, rows):
    user = UserFactory(username="unit_holder")
    Grant.objects.create(user=user, role=Role.BUILDING_HEAD, region=tree.unit)
    actor = actor_for(user)
    assert list(actor.regions()) == [tree.unit]
    assert actor.covers(tree.unit) and not actor.covers(tree.unit2)
    assert rooms(actor, region="unit") == {"101"}


def test_no_grant_and_anonymous_see_nothing(tree, rows):
    lonely = actor_for(UserFactory(username="lonely"))
    for actor in (lonely, Actor.anonymous()):
        assert actor.regions().count() == 0
        assert not actor.covers(tree.unit)
        assert rooms(actor) == set()
        assert actor.community_ids == []
        assert actor.permissions == frozenset()


def test_disabled_account_has_no_grants(tree, people):
    people.worker.is_active = False
    people.worker.save(update_fields=["is_active"])
    actor = actor_for(people.worker)
    assert actor.grant is None and actor.permissions == frozenset()


def test_active_grant_is_chosen_among_the_users_own(tree, people):
    # given a worker who is also building head
    head = Grant.objects.create(user=people.worker, role=Role.BUILDING_HEAD, region=tree.building)
    first = people.worker.grants.get(role=Role.COMMUNITY_WORKER)
    # then the default is his first grant, and he can pick the other one
    assert Actor.for_user(people.worker).grant == first
    chosen = Actor.for_user(people.worker, grant_id=head.pk)
    assert (chosen.role, chosen.region) == ("building_head", tree.building)
    assert "resident.sensitive_tags" not in chosen.permissions
    # and someone else's grant id falls back to his own first grant
    foreign = people.other_worker.grants.get()
    assert Actor.for_user(people.worker, grant_id=foreign.pk).grant == first
