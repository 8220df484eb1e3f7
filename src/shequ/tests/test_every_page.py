"""A safety net over the whole URL conf: every page, opened by every kind of
account, answers with a page, a redirect or a refusal — never a server error —
and anonymous visitors are always sent to the login page."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shequ.appeals.tests.helpers import appeal_page_args
from shequ.core.api_auth import token_issue
from shequ.core.models import AuditRecord, Holiday
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.test_url_permissions import PUBLIC
from shequ.desk.cases.services import Applicant, case_act, case_intake, review_submit
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify
from shequ.residents.models import Relation
from shequ.residents.tests.helpers import resident
from shequ.whistles.tests.helpers import pairing_page_args
from shequ.whistles.tests.whistle_helpers import whistle_page_args

PEOPLE = [
    "district_admin", "street_officer", "other_street_officer", "secretary", "worker",
    "other_worker", "building_head", "inspector", "resident", "system_admin",
    "security_admin", "audit_admin", "department_liaison", "unit_liaison",
]  # fmt: skip


@pytest.fixture
def pages(tree, people):
    """Every routed page with its arguments filled from the test district."""
    someone = resident(tree.unit, name="王芳", seq=7, relation=Relation.HEAD)
    token, _raw = token_issue(user=people.worker, name="测试")
    holiday = Holiday.objects.order_by("date").first()
    record = AuditRecord.objects.order_by("id").first()
    item = make_item(tree.district)
    window = make_window(tree.community)
    qualification = qualify(people.worker, tree.community)
    case_id, notice_id, rectification_id = _case_pages(tree, people, item, window)
    args = {
        "region_id": tree.community.pk,
        "parent_id": tree.community.pk,
        "user_id": people.worker.pk,
        "grant_id": people.worker.grants.get().pk,
        "token_id": token.pk,
        "holiday_id": holiday.pk,
        "record_id": record.pk if record else 1,
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
    }
    out = []
    for name, route in _routes(get_resolver().url_patterns):
        if name in PUBLIC:
            continue
        kwargs = {k: v for k, v in args.items() if f":{k}>" in route}
        out.append((name, reverse(name, kwargs=kwargs)))
    return out


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
    case_act(actor=worker, case_id=case.pk, action="complete", data={"outcome": "approved"})
    review = review_submit(
        receipt_no=case.receipt_no, phone_tail="1234", rating=1, comment="态度差", ip=None
    )
    return case.pk, notice.pk, review.rectification.pk


def _routes(patterns, namespace="", prefix=""):
    """(namespaced name, full route) of every page outside the API."""
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith("api/"):
                continue  # the API's own matrices cover it
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, ns, route)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", route


def test_no_page_fails_for_anyone(client, people, pages):
    assert len(pages) >= 30
    assert {getattr(people, who).grants.get().role for who in PEOPLE} == set(Role.values)
    for name, url in pages:
        client.logout()
        anonymous = client.get(url)
        if anonymous.status_code != 405:  # POST-only actions refuse a GET first
            assert anonymous.status_code == 302, name
            assert anonymous["Location"].startswith("/login/"), name
        for who in PEOPLE:
            client.force_login(getattr(people, who))
            status = client.get(url).status_code
            assert status in {200, 302, 403, 404, 405}, (name, who, status)


def test_no_empty_or_junk_post_fails_for_anyone(client, people, pages):
    # Bad input gets a message and a 4xx (or the form again), never a 500.
    junk = {"name": "<script>", "code": "x" * 300, "date": "2026-02-30", "grant": "abc",
            "role": "king", "q": "%", "page": "-1", "room": "", "file": ""}  # fmt: skip
    for name, url in pages:
        for who in PEOPLE:
            client.force_login(getattr(people, who))
            for data in ({}, junk):
                status = client.post(url, data).status_code
                assert status in {200, 302, 400, 403, 404, 405, 409, 422}, (name, who, status)


def test_junk_query_strings_fail_for_no_one(client, people, pages):
    junk = (
        "?page=abc&building=x&tag=zzz&year=99999&level=9&success=maybe&date_from=2026-13-01"
        "&date_to=x&region=%25&user=%00&action=%27&q=%25%25&parent=-1&age=old"
    )
    for name, url in pages:
        for who in PEOPLE:
            client.force_login(getattr(people, who))
            status = client.get(url + junk).status_code
            assert status in {200, 302, 400, 403, 404, 405, 422}, (name, who, status)
