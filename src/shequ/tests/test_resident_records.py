"""A resident's page lists their cases and appeals (the apps register what
they hold), each linked and scoped: staff see what lies in their scope, the
resident their own, nobody else anything."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.scope import Actor
from shequ.desk.cases.services import Applicant, case_intake
from shequ.desk.models import Case
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify
from shequ.residents.tests.helpers import resident as make_resident

pytestmark = pytest.mark.django_db


def _records(html: str) -> str:
    start = html.index('id="resident-records"')
    return html[start : html.index("</section>", start)]


def test_resident_page_lists_cases_and_appeals_in_scope(client, tree, people, clock):
    me = make_resident(tree.unit, name="王秀兰", seq=11, phone="13840001234")
    me.user = people.resident
    me.save(update_fields=["user"])
    item = make_item(tree.district)
    adopt(tree.community, item)
    qualify(people.worker, tree.community)
    case = case_intake(
        actor=Actor.for_user(people.worker),
        community=tree.community,
        item=item,
        applicant=Applicant(name="王秀兰", id_number="210302195003150014", phone="13840001234"),
        provided=["居民身份证", "户口簿", "近期一寸免冠照片"],
        window=make_window(tree.community),
    ).case
    Case.objects.filter(pk=case.pk).update(resident=me)
    clock.advance(minutes=5)
    appeal = raise_appeal(Actor.for_user(people.resident), tree.community)

    client.force_login(people.worker)
    block = _records(client.get(reverse("residents:detail", args=[me.pk])).content.decode())
    assert block.index(appeal.number) < block.index(case.receipt_no)  # newest first
    assert f'href="{reverse("appeals:detail", args=[appeal.pk])}"' in block
    assert f'href="{reverse("services:case", args=[case.pk])}"' in block
    assert "待分办" in block and "已受理" in block

    client.force_login(people.resident)
    block = _records(client.get(reverse("residents:me")).content.decode())
    assert f'href="{reverse("appeals:mine")}"' in block
    assert f'href="{reverse("services:my_applications")}"' in block

    # A worker of another community cannot open the page at all; a building
    # head sees the appeals of their building but holds no case view.
    client.force_login(people.other_worker)
    assert client.get(reverse("residents:detail", args=[me.pk])).status_code == 404
    client.force_login(people.building_head)
    response = client.get(reverse("residents:detail", args=[me.pk]))
    assert response.status_code == 200
    block = _records(response.content.decode())
    assert case.receipt_no not in block
    assert (appeal.number in block) == (appeal.building_id == tree.building.pk)
