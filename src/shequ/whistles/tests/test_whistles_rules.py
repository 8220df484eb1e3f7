"""吹哨时限规则: the district admin sets each category's deadlines, validated
and audited; new whistles use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.scope import Actor
from shequ.whistles.models import WhistleRule
from shequ.whistles.tests.whistle_helpers import blow
from shequ.whistles.whistle.selectors import whistle_rules
from shequ.whistles.whistle.services import whistle_rule_set

pytestmark = pytest.mark.django_db


def test_set_rule_applies_to_new_whistles_and_is_audited(tree, people, clock):
    admin = Actor.for_user(people.district_admin)
    rows = {r.category: r for r in whistle_rules(actor=admin)}
    assert rows["sanitation"].is_default and rows["sanitation"].urgent_report_hours == 2
    whistle_rule_set(actor=admin, category="sanitation", urgent_report_hours="4",
                     normal_report_days=2, resolve_days=10)  # fmt: skip
    row = WhistleRule.objects.get(district=tree.district, category="sanitation")
    assert (row.urgent_report_hours, row.normal_report_days, row.resolve_days) == (4, 2, 10)
    rows = {r.category: r for r in whistle_rules(actor=admin)}
    assert not rows["sanitation"].is_default and rows["sanitation"].resolve_days == 10
    audit = AuditRecord.objects.get(action="whistle.rule_set")
    assert audit.changes["urgent_report_hours"] == [2, 4]
    assert audit.changes["category"] == "sanitation"
    whistle = blow(people, tree.community, urgency="urgent")
    assert whistle.report_in_due == whistle.addressed_at + dt.timedelta(hours=4)
    # Changing it again updates the same row.
    whistle_rule_set(actor=admin, category="sanitation", urgent_report_hours=3,
                     normal_report_days=2, resolve_days=10)  # fmt: skip
    assert WhistleRule.objects.count() == 1


@pytest.mark.parametrize(
    ("hours", "report", "resolve", "field"),
    [
        (0, 1, 5, "urgent_report_hours"),
        (73, 1, 5, "urgent_report_hours"),
        ("x", 1, 5, "urgent_report_hours"),
        (2, -1, 5, "normal_report_days"),
        (2, 11, 20, "normal_report_days"),
        (2, 1, 61, "resolve_days"),
        (2, 6, 5, "normal_report_days"),
    ],
)
def test_bad_rules_refused_nothing_written(tree, people, hours, report, resolve, field):
    admin = Actor.for_user(people.district_admin)
    with pytest.raises(ValidationError) as caught:
        whistle_rule_set(actor=admin, category="sanitation", urgent_report_hours=hours,
                         normal_report_days=report, resolve_days=resolve)  # fmt: skip
    assert caught.value.field == field
    assert not WhistleRule.objects.exists()


def test_only_district_admin_sets_rules(tree, people):
    for user in (people.street_officer, people.secretary, people.department_liaison):
        with pytest.raises(PermissionDenied):
            whistle_rule_set(actor=Actor.for_user(user), category="sanitation",
                             urgent_report_hours=3, normal_report_days=1, resolve_days=5)  # fmt: skip
    with pytest.raises(ValidationError):
        whistle_rule_set(actor=Actor.for_user(people.district_admin), category="nope",
                         urgent_report_hours=3, normal_report_days=1, resolve_days=5)  # fmt: skip
    assert not WhistleRule.objects.exists()


def test_rules_page(client, tree, people):
    client.force_login(people.district_admin)
    url = reverse("whistles:rules")
    page = client.get(url)
    assert page.status_code == 200 and "吹哨时限规则" in page.content.decode()
    data = {"category": "sanitation", "urgent_report_hours": "6", "normal_report_days": "1",
            "resolve_days": "7"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert WhistleRule.objects.get().urgent_report_hours == 6
    bad = client.post(url, {**data, "resolve_days": "999"})
    assert bad.status_code == 422 and "办结时限" in bad.content.decode()
    assert WhistleRule.objects.get().resolve_days == 7
    client.force_login(people.street_officer)
    assert client.get(url).status_code == 403
