"""The resident register in a real browser: find a resident, see the ID masked,
and use the list on a 375-px phone screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shequ.core.tests.factories import actor_for
from shequ.residents.services import resident_register

pytestmark = pytest.mark.browser

WANG_ID = "110101195603081234"
WANG_PHONE = "13812345678"
LI_ID = "110101198011020458"
PHONE_SCREENSHOT = "/tmp/shequ-browser-residents-phone.png"  # noqa: S108 - for a person to look at


@pytest.fixture
def two_residents(tree, people):
    actor = actor_for(people.worker)
    resident_register(
        actor=actor,
        unit=tree.unit,
        room="101",
        name="王秀英",
        id_number=WANG_ID,
        phone=WANG_PHONE,
        relation="head",
    )
    resident_register(
        actor=actor,
        unit=tree.unit2,
        room="202",
        name="李建国",
        id_number=LI_ID,
        relation="head",
    )


def test_worker_finds_a_resident_by_name_and_sees_the_id_masked(
    page, live_server, login, people, two_residents
):
    # given: the community worker on the resident list
    login(page, people.worker.username)
    page.goto(f"{live_server.url}/residents/")
    table = page.locator("#resident-table")
    expect(table).to_contain_text("王秀英")
    expect(table).to_contain_text("李建国")

    # when: the worker searches for 王秀英
    page.fill("input[name=q]", "王秀英")
    page.press("input[name=q]", "Enter")

    # then: one row, with the ID and phone masked; the full numbers are nowhere in the page
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王秀英")
    masked = [text.strip() for text in rows.first.locator(".masked").all_inner_texts()]
    assert "110101********1234" in masked
    html = page.content()
    assert WANG_ID not in html
    assert WANG_PHONE not in html
    assert LI_ID not in html
    assert page.problems == []


def test_resident_list_fits_a_phone_screen(phone_page, live_server, login, people, two_residents):
    # given: the community worker on a 375-px phone
    login(phone_page, people.worker.username)

    # when: the resident list opens
    phone_page.goto(f"{live_server.url}/residents/")

    # then: nothing runs off the right edge and the search and the table are usable
    expect(phone_page.locator("#resident-table")).to_contain_text("王秀英")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone_page.evaluate("document.body.scrollWidth") <= 375
    search = phone_page.locator("input[name=q]")
    expect(search).to_be_visible()
    box = search.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    # The name and the masked ID, what a worker looks for, need no sideways scrolling.
    row = phone_page.locator("#resident-table tbody tr", has_text="王秀英")
    for cell in (row.get_by_text("王秀英"), row.locator(".masked").first):
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert phone_page.problems == []
    phone_page.screenshot(path=PHONE_SCREENSHOT, full_page=True)
