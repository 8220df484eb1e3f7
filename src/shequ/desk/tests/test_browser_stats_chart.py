"""The street statistics chart under the Content-Security-Policy: ECharts and
the page's own script are static files, and the chart draws from the JSON the
page embeds."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shequ.core.tests.factories import actor_for
from shequ.desk.cases.services import case_intake
from shequ.desk.models import Channel
from shequ.desk.tests.conftest import ALL_MATERIALS, applicant

pytestmark = pytest.mark.browser


def test_the_chart_draws_with_no_blocked_script(page, live_server, login, desk, people):
    # given: one case accepted at the window of 站前社区
    worker = actor_for(desk.worker)
    case_intake(
        actor=worker,
        community=desk.community,
        item=desk.item,
        applicant=applicant(),
        provided=ALL_MATERIALS,
        channel=Channel.WINDOW,
        window=desk.window,
    )

    # when: the street officer opens the statistics page
    login(page, people.street_officer.username)
    page.goto(f"{live_server.url}/services/stats/")

    # then: ECharts drew its canvas, and nothing was blocked
    expect(page.locator("#stats-chart canvas")).to_have_count(1)
    assert page.problems == []
