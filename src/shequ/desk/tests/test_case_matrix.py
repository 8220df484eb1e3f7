"""Permission matrix of every page that shows one case, notice or
rectification: who reads it, who acts on it, and that everyone else gets a
403 (no permission) or a 404 (out of scope) and changes nothing.

The pages are found from the URL conf (every ``services`` pattern with a
``case_id``, ``notice_id`` or ``rectification_id``), so a new page joins the
matrix without an edit here."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from shequ.desk.cases.services import case_complete, case_intake, review_submit
from shequ.desk.models import Case, Notice, Rectification, RectificationState
from shequ.desk.tests.conftest import ALL_MATERIALS, PHONE, applicant

pytestmark = pytest.mark.django_db

OBJECT_KEYS = ("case_id", "notice_id", "rectification_id")
# role -> status of a GET of an object page of the worker's community
READ = {
    "worker": 200,
    "secretary": 200,
    "street_officer": 200,
    "district_admin": 200,
    "other_worker": 404,
    "other_street_officer": 404,
    "building_head": 403,
    "inspector": 403,
    "resident": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}


def object_patterns() -> list[tuple[str, list[str]]]:
    resolver = get_resolver()
    services = resolver.namespace_dict["services"][1]
    out = []
    for p in services.url_patterns:
        if not isinstance(p, URLPattern):
            continue
        keys = [k for k in p.pattern.regex.groupindex if k in OBJECT_KEYS]
        if keys:
            out.append((p.name, list(p.pattern.regex.groupindex)))
    return out


@pytest.fixture
def objects(desk, clock):
    clock.set("2026-11-02")
    notice = case_intake(
        actor=desk.worker_actor,
        community=desk.community,
        item=desk.item,
        applicant=applicant(name="李四", id_number="110101198011020458"),
        provided=["居民身份证"],
        window=desk.window,
    ).notice
    case = case_intake(
        actor=desk.worker_actor,
        community=desk.community,
        item=desk.item,
        applicant=applicant(),
        provided=ALL_MATERIALS,
        window=desk.window,
    ).case
    case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
    review_submit(
        receipt_no=case.receipt_no, phone_tail=PHONE[-4:], rating=1, comment="等太久", ip="10.0.0.3"
    )
    rect = Rectification.objects.get()
    return {"case_id": case.pk, "notice_id": notice.pk, "rectification_id": rect.pk}


def test_the_matrix_covers_every_object_page():
    names = {name for name, _ in object_patterns()}
    assert {
        "case",
        "case_act",
        "notice",
        "notice_pdf",
        "rectification",
        "rectification_act",
    } <= names


@pytest.mark.parametrize("role", sorted(READ))
def test_object_pages_by_role(client, people, objects, role):
    client.force_login(getattr(people, role))
    for name, params in object_patterns():
        if "action" in params or name in POST_ONLY:
            continue  # the write URLs: below
        kwargs = {k: objects[k] for k in params}
        response = client.get(reverse(f"services:{name}", kwargs=kwargs))
        assert response.status_code == READ[role], (name, role, response.status_code)


WRITE_OK = {"worker", "secretary"}
# Object pages that only take a POST (their GET is 405 for everyone).
POST_ONLY = {"notice_reissue"}
# role -> status of 重新告知 of a notice whose materials list has not changed:
# 409 for those who may reissue it, 404 for a worker of another community,
# 403 for everyone without 窗口受理 (street and district read, never reissue).
REISSUE = {role: 409 if role in WRITE_OK else 403 for role in READ} | {"other_worker": 404}


@pytest.mark.parametrize("role", sorted(READ))
def test_reissue_by_role_changes_nothing_when_refused(client, people, objects, role):
    client.force_login(getattr(people, role))
    before = Notice.objects.count()
    response = client.post(
        reverse("services:notice_reissue", kwargs={"notice_id": objects["notice_id"]})
    )
    assert response.status_code == REISSUE[role], (role, response.status_code)
    assert Notice.objects.count() == before


@pytest.mark.parametrize("role", sorted(READ))
def test_actions_by_role_change_nothing_unless_allowed(client, people, objects, role):
    client.force_login(getattr(people, role))
    case = Case.objects.get(pk=objects["case_id"])
    response = client.post(
        reverse("services:case_act", kwargs={"case_id": case.pk, "action": "deliver"}),
        {"method": "mail"},
    )
    case.refresh_from_db()
    if role in WRITE_OK:
        assert response.status_code in (200, 302)
        assert case.status == "delivered"
    else:
        assert response.status_code in (403, 404), (role, response.status_code)
        assert case.status == "completed"
    rect = Rectification.objects.get()
    response = client.post(
        reverse(
            "services:rectification_act",
            kwargs={"rectification_id": rect.pk, "action": "rectify"},
        ),
        {"measures": "窗口增设叫号提醒"},
    )
    rect.refresh_from_db()
    if role == "secretary":  # 整改 is the secretary's
        assert rect.status == RectificationState.RECTIFIED
    else:
        assert response.status_code in (403, 404), (role, response.status_code)
        assert rect.status == RectificationState.OPEN
    assert Notice.objects.count() == 1
