"""Whistle pages: list, raise (from scratch and from an appeal), detail with
actions, scorecard; refusals in Chinese with the right status.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.core.models import AuditRecord
from shequ.whistles.models import WhistleState
from shequ.whistles.tests.whistle_helpers import blow, other_department

pytestmark = pytest.mark.django_db


def test_wrong_department_report_in_is_403(client, tree, people):
    whistle = blow(people, tree.community, lead=other_department(tree))
    client.force_login(people.department_liaison)
    assert (
        client.get(reverse("whistles:whistle", kwargs={"whistle_id": whistle.pk})).status_code
        == 404
    )
    act = reverse("whistles:whistle_act", kwargs={"whistle_id": whistle.pk})
    response = client.post(act, {"action": "report_in", "responsible_name": "张警官"})
    assert response.status_code == 403
    assert "不是您所在的部门" in response.content.decode()
    assert AuditRecord.objects.filter(action="whistle.report_in", success=False).exists()
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.RAISED


def test_scorecard_page_links_to_drill_down(client, tree, people):
    blow(people, tree.community)
    client.force_login(people.district_admin)
    page = client.get(reverse("whistles:scorecard")).content.decode()
    assert "站前派出所" in page and "figure=resolved_on_time" in page
    assert client.get(reverse("whistles:scorecard") + "?month=bad").status_code == 400
    client.force_login(people.department_liaison)
    assert client.get(reverse("whistles:scorecard")).status_code == 403


def test_list_is_scoped(client, tree, people):
    mine = blow(people, tree.community)
    other = blow(people, tree.other_community, by=people.street_officer,
                 lead=other_department(tree))  # fmt: skip
    client.force_login(people.worker)
    page = client.get(reverse("whistles:list")).content.decode()
    assert mine.number in page and other.number not in page
    client.force_login(people.department_liaison)
    page = client.get(reverse("whistles:list")).content.decode()
    assert mine.number in page and other.number not in page
    assert client.get(reverse("whistles:list") + "?status=nope").status_code == 400
