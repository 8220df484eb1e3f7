"""双报到 API: the same services and scope as the pages — a liaison reports
its unit in, a member reports in and claims a need, the community logs a
service (counted in pairing); bad input is a Chinese 4xx with nothing
written; each list costs the same queries for one row or five."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shequ.core.models import AuditRecord
from shequ.party.models import NeedClaim, ServiceLog, UnitReportIn
from shequ.party.tests.test_reporting import CLOCK_START, counts, log_service, post_need, reported
from shequ.party.tests.test_reporting_pages import _more
from shequ.whistles.models import PairingAction
from shequ.whistles.tests.helpers import make_agreement

__all__ = ["CLOCK_START"]  # the clock of the shared builders

pytestmark = pytest.mark.django_db

API = "/api/party/report-in"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def world(tree, people, clock):
    return reported(tree, people, clock)


def test_a_liaison_reports_in_and_reads_only_its_units(tree, people, world):
    w, _unit, _member = world
    hospital = _client(w.hospital_liaison)
    body = {"unit_id": w.hospital.pk, "community_id": tree.community.pk,
            "party_org_name": "中共城东医院委员会", "resources": "每月义诊",
            "contact_name": "周敏", "contact_phone": "13800001111"}  # fmt: skip
    made = _post(hospital, f"{API}/units", body)
    assert made.status_code == 201
    assert (made.json()["unit"], made.json()["contact_name"], made.json()["contact_phone"]) == (
        "城东医院", "周*", "138****1111",
    )  # fmt: skip
    assert [r["unit"] for r in hospital.get(f"{API}/units").json()["items"]] == ["城东医院"]
    school = _client(people.unit_liaison)
    assert [r["unit"] for r in school.get(f"{API}/units").json()["items"]] == ["城东第一中学"]
    # the school's liaison cannot report the hospital in
    before = counts()
    refused = _post(school, f"{API}/units", body | {"community_id": tree.other_community.pk})
    assert refused.status_code == 403 and "您不是“城东医院”的联络员" in refused.json()["detail"]
    assert counts() == before
    assert AuditRecord.objects.filter(action="unit_report.create", success=False).count() == 1


def test_the_staff_list_shows_names_masked_to_a_worker_in_full_to_the_secretary(people, world):
    worker = _client(people.worker).get(f"{API}/members").json()["items"]
    secretary = _client(people.secretary).get(f"{API}/members").json()["items"]
    assert ([m["member"] for m in worker], [m["member"] for m in secretary]) == (
        ["王**"], ["王建军"],
    )  # fmt: skip
    assert secretary[0]["employer"] == "城东第一中学" and secretary[0]["unit_report_id"] is not None


def test_a_member_reports_in_and_claims_a_need(tree, people, world):
    w, _unit, wang = world
    colleague = _client(w.colleague_user)
    made = _post(colleague, f"{API}/members",
                 {"member_id": w.colleague.pk, "skills": "义诊", "availability": "周日"})  # fmt: skip
    assert made.status_code == 201 and made.json()["community"] == "站前社区"
    need = post_need(people)
    claim = _post(colleague, f"{API}/needs/{need.pk}/claim", {})
    assert claim.status_code == 201
    assert (claim.json()["claims"], claim.json()["need_status"]) == (1, "open")
    second = _post(_client(w.member_user), f"{API}/needs/{need.pk}/claim", {})
    assert (second.json()["claims"], second.json()["need_status"]) == (2, "claimed")
    needs = colleague.get(f"{API}/needs").json()["items"]
    assert [(n["title"], n["claims"], n["status"]) for n in needs] == [
        ("周末辅导功课", 2, "claimed")
    ]
    # and: a third claim, on a need already full
    before = counts()
    full = _post(_client(people.worker), f"{API}/needs/{need.pk}/claim", {"report_in_id": wang.pk})
    assert full.status_code == 409 and full.json()["detail"] == "该需求认领人数已满。"
    assert counts() == before


def test_a_service_through_the_api_counts_in_pairing(tree, people, world):
    w, _unit, member_report = world
    make_agreement(people, tree.community, unit=w.school)
    worker = _client(people.worker)
    body = {"report_in_id": member_report.pk, "day": "2026-03-09", "hours": "2", "what": "辅导"}
    made = _post(worker, f"{API}/services", body)
    assert made.status_code == 201
    assert made.json()["pairing_action_id"] == PairingAction.objects.get().pk
    listed = worker.get(f"{API}/services", {"quarter": "2026Q1"}).json()["items"]
    assert [(s["member"], s["hours"], s["unit"]) for s in listed] == [
        ("王**", "2.0", "城东第一中学")
    ]
    assert worker.get(f"{API}/services", {"quarter": "2025Q4"}).json()["count"] == 0
    assert worker.get(f"{API}/services", {"unit_id": 10**18}).json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"hours": "0"}, 422, "服务时长应大于0小时、不超过24小时。"),
        ({"hours": "25"}, 422, "服务时长应大于0小时、不超过24小时。"),
        ({"day": "2026-03-11"}, 422, "服务日期不能晚于今天。"),
        ({"report_in_id": 10**18}, 404, "没有找到该党员报到。"),
        ({"need_id": 123456}, 422, "该需求不属于本社区。"),
    ],
)
def test_a_bad_service_is_a_chinese_4xx_and_nothing_written(people, world, change, status, message):
    _w, _unit, member_report = world
    worker = _client(people.worker)
    before = counts()
    body = {"report_in_id": member_report.pk, "day": "2026-03-09", "hours": "2", "what": "辅导"}
    response = _post(worker, f"{API}/services", body | change)
    assert (response.status_code, response.json()["detail"]) == (status, message)
    assert counts() == before


def test_bad_report_ins_and_needs_are_refused(tree, people, world):
    w, _unit, _member = world
    worker = _client(people.worker)
    before = counts()
    not_in_service = _post(worker, f"{API}/members",
                           {"member_id": w.neighbour.pk, "skills": "x", "availability": "y"})  # fmt: skip
    assert not_in_service.status_code == 422
    assert "只有在职党员到居住地社区报到" in not_in_service.json()["detail"]
    again = _post(
        worker, f"{API}/members", {"member_id": w.member.pk, "skills": "x", "availability": "y"}
    )
    assert again.status_code == 409
    need = _post(worker, f"{API}/needs", {"title": "辅导", "wanted": 0, "needed_by": "2026-04-01"})
    assert need.status_code == 422 and "需要人数" in need.json()["detail"]
    junk = _post(
        worker, f"{API}/needs", {"title": "辅导", "wanted": "x", "needed_by": "2026-04-01"}
    )
    assert junk.status_code == 422
    status = worker.get(f"{API}/needs", {"status": "nope"})
    assert status.status_code == 422 and status.json()["detail"] == "未知的需求状态。"
    assert counts() == before


def test_who_may_call_what(people, world):
    w, _unit, _member = world
    need = post_need(people)
    lists = ("units", "members", "needs", "services")
    inspector = _client(people.inspector)
    assert [inspector.get(f"{API}/{x}").status_code for x in lists] == [403, 403, 403, 403]
    resident = _client(w.member_user)
    assert [resident.get(f"{API}/{x}").status_code for x in lists] == [403, 200, 200, 200]
    other = _client(people.other_worker)
    assert [other.get(f"{API}/{x}").json()["count"] for x in lists] == [0, 0, 0, 0]
    assert Client().get(f"{API}/units").status_code == 401
    before = counts()
    assert _post(other, f"{API}/needs/{need.pk}/claim", {"report_in_id": 1}).status_code == 404
    assert _post(inspector, f"{API}/needs", {"title": "x", "wanted": 1,
                                             "needed_by": "2026-04-01"}).status_code == 403  # fmt: skip
    assert _post(_client(people.unit_liaison), f"{API}/services",
                 {"report_in_id": 1, "day": "2026-03-09", "hours": "1", "what": "x"}).status_code == 403  # fmt: skip
    assert counts() == before
    assert not NeedClaim.objects.exists() and ServiceLog.objects.count() == 0
    assert UnitReportIn.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "who"),
    [("units", "worker"), ("members", "secretary"), ("needs", "worker"), ("services", "worker"),
     ("services", "unit_liaison"), ("members", "unit_liaison")],
)  # fmt: skip
def test_lists_cost_the_same_for_one_row_or_five(tree, people, world, path, who):
    w, _unit, member_report = world
    log_service(people, member_report, day=dt.date(2026, 3, 9))
    client = _client(getattr(people, who))

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"{API}/{path}").json()
        return len(ctx.captured_queries), body["count"]

    _more(tree, people, w, 1, 1)
    one, n1 = queries()
    _more(tree, people, w, 4, 2)
    five, n5 = queries()
    assert (five, n5 - n1) == (one, 4)
