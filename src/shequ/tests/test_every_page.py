"""The permission matrix over the whole URL conf and API schema: every page
and every API operation, called by every role (and anonymously) with no
input, with junk input and with a junk query string, answers exactly the
status ``matrix/<role>.json`` records — never a server error — and a refused
write leaves every table as it was (see ``matrix.py`` for how the files are
kept)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from shequ.appeals.tests.helpers import appeal_page_args
from shequ.core.api_auth import token_issue
from shequ.core.models import AuditRecord, Holiday, Notification
from shequ.core.permissions import ROLE_PERMISSIONS, Role
from shequ.core.scope import Actor
from shequ.core.services.announcements import announcement_publish
from shequ.core.tests.test_url_permissions import PUBLIC
from shequ.deliberation.tests.helpers import deliberation_page_args
from shequ.desk.cases.services import Applicant, case_complete, case_intake, review_submit
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify
from shequ.party.tests.page_args import party_page_args
from shequ.residents.models import Relation
from shequ.residents.tests.helpers import resident
from shequ.tests import matrix
from shequ.whistles.tests.helpers import pairing_page_args
from shequ.whistles.tests.whistle_helpers import whistle_page_args


@pytest.fixture
def args(tree, people) -> dict[str, object]:
    """URL arguments of every page and operation, filled from the test district."""
    someone = resident(tree.unit, name="王芳", seq=7, relation=Relation.HEAD)
    token, _raw = token_issue(user=people.worker, name="测试")
    holiday = Holiday.objects.order_by("date").first()
    item = make_item(tree.district)
    window = make_window(tree.community)
    qualification = qualify(people.worker, tree.community)
    case_id, notice_id, rectification_id = _case_pages(tree, people, item, window)
    record = AuditRecord.objects.order_by("id").last()  # the case's: one always exists
    pages = {
        "region_id": tree.community.pk,
        "parent_id": tree.community.pk,
        "community_id": tree.community.pk,
        "user_id": people.worker.pk,
        "grant_id": people.worker.grants.get().pk,
        "token_id": token.pk,
        "holiday_id": holiday.pk,
        "record_id": record.pk,
        "resident_id": someone.pk,
        "household_id": someone.household_id,
        "item_id": item.pk,
        "window_id": window.pk,
        "qualification_id": qualification.pk,
        "case_id": case_id,
        "notice_id": notice_id,
        "rectification_id": rectification_id,
        "action": "start",
        "client_id": _open311_client(tree),
        **pairing_page_args(tree, people),
        **appeal_page_args(tree, people),
        **whistle_page_args(tree, people),
        **deliberation_page_args(tree, people),
        **party_page_args(tree, people),
        # The desk's one-time notice and the whistles' escalation notice share
        # the URL argument ``notice_id``: each namespace gets its own.
        "services:notice_id": notice_id,
    }
    # The whistle above notified its department's liaison; the street posts
    # an announcement to the community.
    pages["notification_id"] = Notification.objects.filter(recipient=people.department_liaison)[
        0
    ].pk
    pages["announcement_id"] = announcement_publish(
        actor=Actor.for_user(people.street_officer),
        region_id=tree.community.pk,
        title="测试公告",
        body="正文",
    ).pk
    return pages


def _open311_client(tree) -> int:
    from shequ.open311.models import Open311Client
    from shequ.open311.services import client_ensure

    client_ensure(district=tree.district, name="测试", raw_key="test-key", command="test")
    return Open311Client.objects.get().pk


def _case_pages(tree, people, item, window):
    """A one-time notice, then the case it led to, completed and rated 非常不满意
    (which opens a rectification): ids for the case pages."""
    adopt(tree.community, item)
    worker = Actor.for_user(people.worker)
    who = Applicant(name="王芳", id_number="210302195003150014", phone="13840001234")
    intake = {"actor": worker, "community": tree.community, "item": item, "window": window}
    notice = case_intake(**intake, applicant=who, provided=[]).notice
    case = case_intake(
        **intake, applicant=who, provided=["居民身份证", "户口簿", "近期一寸免冠照片"]
    ).case
    case_complete(actor=worker, case_id=case.pk, outcome="approved")
    review = review_submit(
        receipt_no=case.receipt_no, phone_tail="1234", rating=1, comment="态度差", ip=None
    )
    return case.pk, notice.pk, review.rectification.pk


def _pages(args) -> list[tuple[str, str, str | None]]:
    """(name, url, declared permission) of every page that needs an account."""
    out = []
    for name, route, view in matrix.routes():
        if name in PUBLIC:
            continue
        own = {
            k.split(":", 1)[1]: v for k, v in args.items() if k.startswith(name.split(":")[0] + ":")
        }
        kwargs = {k: v for k, v in (args | own).items() if f":{k}>" in route}
        out.append((name, reverse(name, kwargs=kwargs), getattr(view, "permission", None)))
    return out


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_ACTION = re.compile(r'action="([^"]*)"')


def forms_without_once(url: str, html: str) -> list[str]:
    """The POST forms of a page that go to a view claiming one-time tokens
    (``@once``, core/formtokens.py) but carry no ``_once`` field."""
    missing = []
    for attrs, body in _FORM.findall(html):
        if 'method="post"' not in attrs.lower():
            continue
        found = _ACTION.search(attrs)
        target = (found.group(1) if found and found.group(1) else url).split("?")[0]
        try:
            view = resolve(target).func
        except Resolver404:
            continue
        if getattr(view, "once", False) and 'name="_once"' not in body:
            missing.append(target)
    return missing


class Calls:
    """One role's calls: the status of each, and the refusals that wrote."""

    def __init__(self, client: Client, login) -> None:
        self.client, self.login = client, login
        self.seen: dict[str, int] = {}
        self.wrote: list[str] = []
        # Forms of the pages seen that post to an @once view without a token.
        self.tokenless: dict[str, list[str]] = {}
        # The data as the last write left it: the next write's "before", as
        # long as no read came between (a read may audit, e.g. an unmask).
        self.state: tuple | None = None

    def get(self, key: str, url: str) -> int:
        response = self.client.get(url)
        status = response.status_code
        self.seen[key] = status
        if status == 200 and response.get("Content-Type", "").startswith("text/html"):
            missing = forms_without_once(url, response.content.decode())
            if missing:
                self.tokenless[key] = missing
        self.state = None
        return status

    def write(self, key: str, method: str, url: str, **kw) -> int:
        before = self.state if self.state is not None else matrix.fingerprint()
        status = getattr(self.client, method.lower())(url, **kw).status_code
        self.seen[key] = status
        self.state = matrix.fingerprint()
        if status >= 400 and self.state != before:
            self.wrote.append(key)
        return status


@pytest.mark.parametrize("role", matrix.ROLES)
def test_every_page_and_operation_answers_exactly_for_every_role(role, people, args):
    expected = matrix.load(role)
    client = Client()
    user = None if role == "anonymous" else getattr(people, role)

    def login() -> None:
        if user is not None:
            client.force_login(user)

    login()
    held = ROLE_PERMISSIONS.get(user.grants.get().role, frozenset()) if user else frozenset()
    calls = Calls(client, login)
    pages = _pages(args)
    assert len(pages) >= 90 and len(list(matrix.operations())) >= 30
    if user is not None:
        assert {getattr(people, r).grants.get().role for r in matrix.ROLES[1:]} == set(Role.values)

    for name, url, _ in pages:
        status = calls.get(f"GET {name}", url)
        if user is None and status != 405:  # POST-only actions refuse a GET first
            assert status == 302 and client.get(url)["Location"].startswith("/login/"), name
    # A page whose declared permission the role lacks is refused by
    # ``requires`` before the view reads any input: junk is tried only where
    # the view runs (the plain GET and POST above and below show the refusal).
    shut = {name for name, _, perm in pages if perm and (user is None or perm not in held)}
    for name, url, _ in pages:
        if name not in shut:
            calls.get(f"GET? {name}", url + matrix.JUNK_QUERY)
    for name, url, _ in pages:
        calls.write(f"POST {name}", "POST", url, data={})
        if name not in shut:
            calls.write(f"POST! {name}", "POST", url, data=matrix.JUNK_POST)
        if name == "core:logout":
            login()
            calls.state = None
    for method, path in matrix.operations():
        url = matrix.fill(path, args)
        if method == "GET":
            calls.get(f"API {method} {path}", url)
            calls.get(f"API? {method} {path}", url + "?page=-5&limit=abc&q=%25")
            continue
        for mark, body in (("", {}), ("!", matrix.JUNK_BODY)):
            calls.write(f"API{mark} {method} {path}", method, url,
                        data=json.dumps(body), content_type="application/json")  # fmt: skip

    assert [k for k, s in calls.seen.items() if s >= 500] == []
    assert calls.wrote == [], "refused writes that changed data"
    assert calls.tokenless == {}, "creating forms without a one-time token ({% once %})"
    # A page whose declared permission the role lacks never answers with the page.
    lacking = {f"{m} {name}" for name in shut for m in ("GET", "POST")} if user else set()
    assert {k: calls.seen[k] for k in lacking if calls.seen[k] < 400} == {}
    if matrix.WRITE:
        matrix.save(role, calls.seen)
        return
    diff = {k: (expected.get(k), s) for k, s in calls.seen.items() if expected.get(k) != s}
    gone = sorted(set(expected) - set(calls.seen))
    assert (diff, gone) == ({}, []), (
        f"{role}: (expected, got) differs; if the change is intended, regenerate with "
        "SHEQU_WRITE_MATRIX=1 .venv/bin/pytest src/shequ/tests/test_every_page.py and review"
    )
