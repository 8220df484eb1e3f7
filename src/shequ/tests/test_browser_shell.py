"""The shell in a real browser: login, home counts, scope switcher, logout."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shequ.core.permissions import Role
from shequ.core.tests.factories import actor_for, grant
from shequ.residents.services import resident_register

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/shequ-browser-login.png"  # noqa: S108 - looked at by a person after the run


def key_counts(page) -> dict[str, int]:
    """The home page's figures (the workbench's 概况 card) as {label: number}."""
    cards = page.locator("#key-counts .key-count")
    return {
        card.locator(".key-label").inner_text(): int(
            card.locator(".fw-bold").inner_text().replace(",", "")
        )
        for card in cards.all()
    }


def test_login_page_is_chinese_and_served_without_a_cdn(page, live_server):
    # given: nobody signed in
    # when: the login page opens
    page.goto(f"{live_server.url}/login/")

    # then: it speaks Chinese and every asset came from Shequ itself
    expect(page.locator("h1")).to_have_text("登录社区治理平台")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("label[for=id_username]").inner_text() == "账号"
    assert page.locator("label[for=id_password]").inner_text() == "密码"
    sources = page.eval_on_selector_all(
        "link[rel=stylesheet], script[src]", "els => els.map(e => e.href || e.src)"
    )
    assert sources and all(s.startswith(f"{live_server.url}/static/") for s in sources)
    # Bootstrap's CSS is applied (btn-danger red) and its JS and htmx are loaded.
    button_colour = page.eval_on_selector(
        "main button[type=submit]", "b => getComputedStyle(b).backgroundColor"
    )
    assert button_colour == "rgb(220, 53, 69)"
    assert page.evaluate("typeof bootstrap.Collapse") == "function"
    assert page.evaluate("typeof htmx.ajax") == "function"
    assert page.problems == []
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_wrong_password_is_refused_in_chinese(page, live_server, people):
    # given: the community worker's account
    page.goto(f"{live_server.url}/login/")

    # when: the password is wrong
    page.fill("#id_username", people.worker.username)
    page.fill("#id_password", "not-the-password")
    page.locator("main form button[type=submit]").click()

    # then: the form says so and nobody is signed in
    expect(page.locator("main .alert-danger")).to_have_text("账号或密码不正确。")
    assert page.url == f"{live_server.url}/login/"
    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/login/?next=/"


def test_home_shows_the_key_counts_of_the_scope(page, live_server, login, tree, people):
    # given: one resident registered in 站前社区
    resident_register(
        actor=actor_for(people.worker),
        unit=tree.unit,
        room="101",
        name="王秀英",
        id_number="110101195603081234",
        relation="head",
    )

    # when: its community worker signs in
    login(page, people.worker.username)

    # then: the home page shows the community's regions and register counts
    expect(page.locator("main h1")).to_contain_text("站前社区")
    expect(page.locator("main h1")).to_contain_text("社区工作者")
    assert key_counts(page) == {"小区": 1, "楼栋": 1, "单元": 2, "居民": 1, "住户": 1}
    assert page.problems == []


def test_user_with_two_grants_switches_scope(page, live_server, login, tree, people):
    # given: the worker of 站前社区 is also street officer of 铁塔街道
    grant(people.worker, Role.STREET_OFFICER, tree.other_street)
    login(page, people.worker.username)
    expect(page.locator("main h1")).to_contain_text("站前社区")

    # when: the switcher picks the street grant
    switcher = page.locator("#grant-select")
    expect(switcher.locator("option")).to_have_text(["社区工作者·站前社区", "街道干部·铁塔街道"])
    with page.expect_navigation():
        switcher.select_option(label="街道干部·铁塔街道")

    # then: the whole shell now works in 铁塔街道, and stays there
    expect(page.locator("main .alert-success")).to_contain_text("已切换到：街道干部·铁塔街道")
    expect(page.locator("main h1")).to_contain_text("铁塔街道")
    assert key_counts(page) == {"社区": 1, "小区": 1, "楼栋": 1, "单元": 1, "居民": 0, "住户": 0}
    page.goto(f"{live_server.url}/")
    expect(page.locator("#grant-select option:checked")).to_have_text("街道干部·铁塔街道")


def test_logout_ends_the_session(page, live_server, login, people):
    # given: a signed-in community worker
    login(page, people.worker.username)

    # when: 退出 is clicked
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()

    # then: the login page is back and the home page asks to sign in again
    assert page.url == f"{live_server.url}/login/"
    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/login/?next=/"


def test_api_docs_work_without_the_internet(page, live_server):
    # given: a browser that records every address the page asks for
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # when: the OpenAPI page opens
    page.goto(f"{live_server.url}/api/docs")

    # then: Swagger UI renders from Shequ's own static files, no CDN
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Shequ")
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
    assert page.problems == []
