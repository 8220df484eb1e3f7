"""The whistle list on a 375-px phone: one card per whistle whose title keeps
to one line (cut with an ellipsis), not a nine-column table whose titles wrap
one character per line; from md up the table again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shequ.whistles.tests.whistle_helpers import blow, other_department

pytestmark = pytest.mark.browser

LONG_TITLE = "化机小区三号楼北侧长期占道经营并堵塞消防通道，夜间噪音扰民，居民多次反映未果"


def _boxes(tab, selector: str) -> list[dict]:
    """Width and height of each element, with its line height and font size, in px."""
    return tab.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map((el) => {
            const style = getComputedStyle(el);
            const r = el.getBoundingClientRect();
            return {width: r.width, height: r.height, right: r.right,
                    line: parseFloat(style.lineHeight), font: parseFloat(style.fontSize),
                    cut: el.scrollWidth > el.clientWidth};
        })""",
        selector,
    )


def test_phone_list_shows_cards_with_one_line_titles(
    page, phone_page, live_server, login, tree, people
):
    # given: two whistles of 站前社区, one with a title far longer than a phone is wide
    blow(people, tree.community, title=LONG_TITLE)
    blow(people, tree.community, lead=other_department(tree), title="楼道堆物")
    url = f"{live_server.url}{reverse('whistles:list')}"

    # when: the community worker opens the list on a phone
    login(phone_page, people.worker.username)
    phone_page.goto(url)

    # then: the cards show, the table does not, and nothing runs past the screen
    expect(phone_page.locator("#whistle-cards")).to_be_visible()
    expect(phone_page.locator("#whistles")).to_be_hidden()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    titles = _boxes(phone_page, "#whistle-cards .whistle-title")
    assert len(titles) == 2
    for box in titles:
        assert box["height"] < 1.5 * box["line"]  # one line high
        assert box["width"] >= 6 * box["font"]  # at least six characters wide
        assert box["right"] <= 375
    assert [box["cut"] for box in titles] == [False, True]  # newest first: the long one is cut
    expect(phone_page.locator("#whistle-cards li").first).to_contain_text("区城管执法局")
    assert phone_page.problems == []

    # and: on a desktop the table is back, its long title on one line too
    login(page, people.worker.username)
    page.goto(url)
    expect(page.locator("#whistles")).to_be_visible()
    expect(page.locator("#whistle-cards")).to_be_hidden()
    cells = _boxes(page, "#whistles .whistle-title")
    assert len(cells) == 2
    assert all(box["height"] < 1.5 * box["line"] for box in cells)
    assert page.problems == []
