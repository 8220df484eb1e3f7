"""Accessibility of every role's main pages: axe-core (WCAG 2 A and AA) in
Chromium, on a desktop (1366 px) and on a phone (375 px), finds no serious
or critical violation.

The test loads ``shequ demo`` once (its district, cases, appeals, whistles
and pairing agreements give every list rows and every badge its colours),
opens the public pages, then signs in with each role's demo account and opens
what the role reaches: the home page (the workbench), each page of its menu,
notifications and announcements, and on the desktop the pages their content
links to inside that section, two links deep (one of each kind:
``/services/cases/12/`` stands for every case, checked for the first role
that reaches it). axe-core comes from npm (``npm ci``) and is injected
from ``node_modules``: there is no CDN in the 政务外网.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from shequ.browser_fixtures import give_code
from shequ.desk.models import Case

pytestmark = pytest.mark.browser

AXE = Path(settings.PROJECT_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = {
    "1366px": {"viewport": {"width": 1366, "height": 768}},
    "375px": {
        "viewport": {"width": 375, "height": 812},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
BLOCKING = frozenset({"serious", "critical"})
# Downloads and files: not pages.
NOT_PAGES = re.compile(r"\.(xlsx|pdf|csv|zip)$|/pdf/|/receipt/|/photos?/|export")
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""
# The links of the page's own content that stay on the site and inside ``prefix``.
CONTENT_LINKS = """prefix => [...document.querySelectorAll("main a[href]")]
  .filter(a => a.origin === location.origin && !a.search && !a.hash)
  .map(a => a.pathname)
  .filter(path => path.startsWith(prefix))"""


@dataclass(frozen=True)
class Finding:
    screen: str
    path: str
    text: str  # "color-contrast (serious): Elements must meet … — a.btn, td > .badge"

    def __str__(self) -> str:
        return f"[{self.screen}] {self.path}  {self.text}"


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


class Walk:
    """One screen's tab: opens pages once each, runs axe on every one and
    keeps what it finds (a page that does not open is a finding too)."""

    def __init__(self, tab, base: str, screen: str, *, depth: int, seen: set[str]) -> None:
        self.tab, self.base, self.screen = tab, base, screen
        self.depth = depth
        self.opened: list[str] = []
        self.menu: list[str] = []
        self.findings: list[Finding] = []
        self._kinds: set[str] = set()
        # Detail pages an earlier role's walk on this screen already checked.
        self._seen = seen

    def open(self, path: str) -> bool:
        if _kind(path) in self._kinds or NOT_PAGES.search(path):
            return False
        self._kinds.add(_kind(path))
        response = self.tab.goto(self.base + path)
        self.check(path, response.status if response else 0)
        return True

    def check(self, path: str, status: int = 200) -> None:
        self.opened.append(path)
        if status != 200:
            self.findings.append(Finding(self.screen, path, f"HTTP {status}"))
            return
        self.tab.add_script_tag(path=str(AXE))
        for v in self.tab.evaluate(RUN_AXE):
            if v["impact"] in BLOCKING:
                targets = ", ".join(v["targets"])
                text = f"{v['id']} ({v['impact']}): {v['help']} — {targets}"
                self.findings.append(Finding(self.screen, path, text))

    def role_pages(self) -> None:
        """Home, the menu, and from each menu page two links deep inside its
        section (the desk's home, its case list, a case)."""
        self.open("/")
        self.menu = self.tab.eval_on_selector_all(
            "#mainnav a.nav-link", "as => as.map(a => a.pathname)"
        )
        # The workbench's own pages, reached from the bell and the home page.
        for section in [*self.menu, "/notifications/", "/announcements/"]:
            # breadth first: a page reached at once is not first met deeper
            # down, in a sub-menu every page of the section repeats
            waiting = [(section, self.depth)]
            while waiting:
                path, depth = waiting.pop(0)
                if _kind(path) in self._seen:
                    continue  # the same page, checked for an earlier role
                if not self.open(path):
                    continue
                self._seen.add(_kind(path))
                if depth:
                    links = self.tab.evaluate(CONTENT_LINKS, section)
                    waiting += [(link, depth - 1) for link in links]


def _report(findings: list[Finding]) -> str:
    return "axe found serious or critical violations:\n" + "\n".join(map(str, findings))


@pytest.fixture
def demo(transactional_db):
    call_command("demo", residents=60, stdout=StringIO())


@pytest.fixture
def walk(browser, live_server, _sqlite_flush_past_triggers):
    """``walk(screen, depth, seen)``: a fresh tab on that screen (closed after the test)."""
    contexts = []

    def open_walk(screen: str, depth: int = 0, seen: set[str] | None = None) -> Walk:
        # axe is injected as an inline script, which the pages' CSP refuses
        # (rightly): this tab lets it in. test_browser_csp.py checks the policy.
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True, **SCREENS[screen]
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Walk(
            context.new_page(),
            live_server.url,
            screen,
            depth=depth,
            seen=set() if seen is None else seen,
        )

    yield open_walk
    for context in contexts:
        context.close()


def _sign_in(walk: Walk, username: str) -> None:
    tab = walk.tab
    tab.goto(f"{walk.base}/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", settings.SHEQU_DEMO_PASSWORD)
    with tab.expect_navigation():
        tab.locator("main form button[type=submit]").click()
    give_code(tab, username)  # the demo administrators' TOTP, as `shequ demo` prints it
    assert tab.url == f"{walk.base}/", f"{username} did not get to the home page: {tab.url}"


ROLES = [
    "community_worker",  # the secretary's pages are the worker's, with more buttons
    "street_officer",
    "district_admin",
    "department_liaison",
    "resident",
    "audit_admin",
    "system_admin",
    "security_admin",
]
# How far from each menu page the walk follows content links: two on the
# desktop (a list, a record, what the record links to), none on the phone
# (the same templates, narrower). Each role's home page (its workbench) is
# checked for every role; any other page for the first role that reaches it
# (one page of each kind per screen: the walk costs the same for 8 roles or 12).
DEPTH = {"1366px": 2, "375px": 0}


def test_every_roles_main_pages_and_the_public_ones_pass_axe(demo, walk):
    # One demo load for the whole walk (each load is a few seconds).
    findings = _public_pages(walk)
    seen: dict[str, set[str]] = {screen: set() for screen in SCREENS}
    for role in ROLES:
        # given: the role's demo account, on a desktop and on a phone
        walks = {screen: walk(screen, DEPTH[screen], seen[screen]) for screen in SCREENS}
        for tab in walks.values():
            _sign_in(tab, "demo-" + role.replace("_", "-"))

            # when: it opens its home, its menu and their pages
            tab.role_pages()

        findings += [f for tab in walks.values() for f in tab.findings]
        assert walks["1366px"].menu, role
        for tab in walks.values():  # every menu page checked, for this role or an earlier one
            assert {_kind(p) for p in tab.menu} <= seen[tab.screen], (role, tab.screen)
    # then: axe finds nothing serious on any of them
    assert findings == [], _report(findings)


def _public_pages(walk) -> list[Finding]:
    """Nobody signed in: the login page, the case lookup, and a looked-up case."""
    receipt_no, phone_tail = Case.objects.order_by("pk").values_list("receipt_no", "phone_tail")[0]
    findings: list[Finding] = []
    for screen in SCREENS:
        tab = walk(screen)
        for path in ("/login/", "/services/banshi/"):
            tab.open(path)
        tab.tab.fill("#id_receipt_no", receipt_no)
        tab.tab.fill("#id_phone_tail", phone_tail)
        with tab.tab.expect_navigation():
            tab.tab.locator("#lookup-form button[type=submit]").click()
        tab.check(f"/services/banshi/{receipt_no}/")
        findings += tab.findings
    return findings
