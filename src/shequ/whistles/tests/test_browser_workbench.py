"""The department liaison's morning: the urgent whistle raised a minute ago
is on the workbench (待办, 最紧迫的事项, the bell), one click from the page
where it is reported in; reported in, it leaves the workbench."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shequ.whistles.models import Whistle, WhistleState
from shequ.whistles.tests.whistle_helpers import blow

pytestmark = pytest.mark.browser


def test_liaison_reports_in_from_the_workbench(page, live_server, login, tree, people):
    # given: the community raised an urgent whistle to 站前派出所
    whistle = blow(people, tree.community, urgency="urgent", title="化机小区燃气泄漏")

    # when: the liaison signs in, the home page is the workbench
    login(page, people.department_liaison.username)
    expect(page.locator("#active-scope")).to_have_text("职能部门联络员·站前派出所")
    expect(page.locator("#bell-count")).to_have_text("1")
    todo = page.locator("#todos li").filter(has_text="吹哨待报到")
    expect(todo).to_contain_text("吹哨待报到（紧急1件）")
    expect(todo.locator(".todo-count")).to_have_text("1")
    item = page.locator("#due-items a").filter(has_text=whistle.number)
    expect(item).to_contain_text("紧急")

    # and: one click opens the whistle, where the report-in is made
    item.click()
    page.wait_for_url(f"**/whistles/{whistle.pk}/")
    page.fill("#rn", "张警官")
    page.get_by_role("button", name="报到").click()
    expect(page.locator("body")).to_contain_text("张警官")

    # then: the whistle is reported in and gone from the workbench's 待办
    whistle.refresh_from_db()
    assert (whistle.status, whistle.responsible_name) == (WhistleState.REPORTED, "张警官")
    page.goto(live_server.url + "/")
    expect(page.locator("#todos")).not_to_contain_text("吹哨待报到")
    expect(page.locator("#todos")).to_contain_text("吹哨处置中待办结")
    assert Whistle.objects.count() == 1
    assert page.problems == []
