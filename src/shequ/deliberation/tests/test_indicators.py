"""The report's figures of deliberation, from the records: the catalog's
categories and items (a community counts its local items too), meetings
held and problems solved by consultation in a period."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shequ.core import registry
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import user_with
from shequ.deliberation.indicators import catalog_categories, catalog_items, problems_solved
from shequ.deliberation.models import Outcome
from shequ.deliberation.services import consultation_item_create
from shequ.deliberation.tests.helpers import deliberation_page_args


def test_catalog_and_solved_problems_are_counted_per_region_and_period(tree, people):
    args = deliberation_page_args(tree, people)  # one district item, one outcome
    secretary = Actor.for_user(user_with(Role.COMMUNITY_SECRETARY, tree.community, "sec2"))
    consultation_item_create(actor=secretary, district=tree.district, community=tree.community,
                             code="ZQ-01", category="邻里互助", name="楼道公约", forms=["council"],
                             participants=["resident_reps"], vote_rule="majority", level="building")  # fmt: skip
    today = timezone.localdate()
    year = {"start": dt.date(today.year, 1, 1), "end": today}
    assert (
        catalog_categories(region=tree.district, **year),
        catalog_items(region=tree.district, **year),
    ) == (1, 1)
    assert (
        catalog_categories(region=tree.community, **year),
        catalog_items(region=tree.community, **year),
    ) == (2, 2)
    assert problems_solved(region=tree.district, **year) == 0
    Outcome.objects.filter(pk=args["outcome_id"]).update(status="done", completed_at=timezone.now())
    assert problems_solved(region=tree.district, **year) == 1
    assert problems_solved(region=tree.street, **year) == 1
    assert problems_solved(region=tree.other_community, **year) == 0
    last_year = {"start": dt.date(today.year - 1, 1, 1), "end": dt.date(today.year - 1, 12, 31)}
    assert problems_solved(region=tree.district, **last_year) == 0
    codes = {i.code for i in registry.indicators()}
    assert {"deliberation.catalog_categories", "deliberation.catalog_items", "deliberation.meetings_held",
            "deliberation.problems_solved"} <= codes  # fmt: skip
