"""Who may raise, see and act on which appeals: other communities get a 404,
a building head only their building's community, a resident only their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.appeals import selectors
from shequ.appeals.models import Appeal
from shequ.appeals.services import (
    appeal_close,
    appeal_create,
    appeal_rate,
    appeal_reopen,
    appeal_triage,
)
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.scope import Actor


def test_building_head_registers_only_in_their_community(tree, people, folks):
    appeal = raise_appeal(
        folks.building_head, tree.community, channel="building_head", place=tree.unit
    )
    assert (appeal.channel, appeal.owner_id, appeal.submitted_by_id) == (
        "building_head", None, people.building_head.pk,
    )  # fmt: skip
    assert appeal.building_id == tree.building.pk
    with pytest.raises(PermissionDenied, match="只能登记本社区"):
        raise_appeal(folks.building_head, tree.other_community, channel="building_head")
    assert Appeal.objects.count() == 1


def test_place_must_be_inside_the_community(tree, folks):
    with pytest.raises(Exception, match="地点须是本社区内"):
        raise_appeal(folks.worker, tree.community, place=tree.other_unit)


def test_resident_raises_only_in_own_community(tree, folks):
    with pytest.raises(PermissionDenied, match="本人所在社区"):
        raise_appeal(folks.resident_actor, tree.other_community)
    assert Appeal.objects.count() == 0


def test_who_sees_what(tree, people, folks):
    mine = raise_appeal(folks.resident_actor, tree.community, place=tree.building)
    elsewhere = raise_appeal(folks.worker, tree.community)  # no place
    far = raise_appeal(Actor.for_user(people.other_worker), tree.other_community)

    def seen(user) -> set[int]:
        return set(selectors.appeal_list(actor=Actor.for_user(user)).values_list("pk", flat=True))

    assert seen(people.worker) == {mine.pk, elsewhere.pk}
    assert seen(people.street_officer) == {mine.pk, elsewhere.pk, far.pk}
    assert seen(people.other_street_officer) == set()
    assert seen(people.district_admin) == {mine.pk, elsewhere.pk, far.pk}
    assert seen(people.building_head) == {mine.pk}  # placed in their building
    assert seen(people.other_worker) == {far.pk}
    with pytest.raises(NotFound):
        selectors.appeal_get(actor=folks.other_worker, appeal_id=mine.pk)
    assert [a.pk for a in selectors.my_appeals(actor=folks.resident_actor)] == [mine.pk]
    assert list(selectors.my_appeals(actor=folks.neighbour_actor)) == []


def test_other_community_cannot_act(tree, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    with pytest.raises(NotFound):
        appeal_triage(actor=folks.other_worker, appeal_id=appeal.pk, decision="self")
    with pytest.raises(PermissionDenied):
        appeal_triage(actor=folks.building_head, appeal_id=appeal.pk, decision="self")
    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")
    appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="已处理")
    with pytest.raises(NotFound):
        appeal_rate(actor=folks.neighbour_actor, appeal_id=appeal.pk, rating="satisfied")
    with pytest.raises(NotFound):
        appeal_reopen(actor=folks.neighbour_actor, appeal_id=appeal.pk, reason="我也不满意")
    with pytest.raises(PermissionDenied):
        appeal_rate(actor=folks.worker, appeal_id=appeal.pk, rating="satisfied")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating) == ("closed", "")


def test_roles_without_appeal_permissions_cannot_raise(tree, people):
    for user in (people.inspector, people.system_admin, people.street_officer):
        with pytest.raises(PermissionDenied):
            appeal_create(
                actor=Actor.for_user(user), community=tree.community, kind="help",
                category="other", description="测试", channel="window",
                contact_name="张三", contact_phone="13800001111",
            )  # fmt: skip
    assert Appeal.objects.count() == 0


PAGE_MATRIX = {
    # role: (list, detail of own-community appeal, register, new, mine)
    "worker": (200, 200, 200, 403, 403),
    "secretary": (200, 200, 200, 403, 403),
    "other_worker": (200, 404, 200, 403, 403),
    "building_head": (200, 404, 200, 403, 403),
    "street_officer": (200, 200, 403, 403, 403),
    "district_admin": (200, 200, 403, 403, 403),
    "inspector": (403, 403, 403, 403, 403),
    "resident": (403, 403, 403, 200, 200),
}


@pytest.mark.parametrize("role", sorted(PAGE_MATRIX))
def test_page_matrix(client, tree, people, folks, role):
    appeal = raise_appeal(folks.worker, tree.community)  # no place: not in the building
    client.force_login(getattr(people, role))
    urls = [
        reverse("appeals:list"),
        reverse("appeals:detail", kwargs={"appeal_id": appeal.pk}),
        reverse("appeals:register"),
        reverse("appeals:new"),
        reverse("appeals:mine"),
    ]
    assert tuple(client.get(u).status_code for u in urls) == PAGE_MATRIX[role]


def test_triage_post_refused_for_wrong_roles_changes_nothing(client, tree, people, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    url = reverse("appeals:triage", kwargs={"appeal_id": appeal.pk})
    for role, status in (("other_worker", 404), ("building_head", 403), ("resident", 403),
                         ("street_officer", 403)):  # fmt: skip
        client.force_login(getattr(people, role))
        assert client.post(url, {"decision": "self"}).status_code == status, role
    appeal.refresh_from_db()
    assert (appeal.status, appeal.owner_id) == ("submitted", None)
