"""双报到 pages: the permission matrix (anonymous, resident, wrong community,
wrong role, the unit liaison of another unit, right role: exact statuses),
the forms driven as staff and liaisons drive them, refusals in Chinese with
their 4xx and nothing written, the letter's PDF and its sending, and list
pages whose query count does not grow with their rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.models import AuditRecord
from shequ.core.tests.pdfs import pdf_text
from shequ.party.models import (
    FeedbackLetter,
    MemberReportIn,
    Need,
    PartyMember,
    Relation,
    ServiceLog,
    UnitReportIn,
)
from shequ.party.services import reporting as services
from shequ.party.tests.helpers import member, resident_account
from shequ.party.tests.page_args import reporting_page_args
from shequ.party.tests.test_reporting import (
    CLOCK_START,
    actor,
    counts,
    in_service,
    log_service,
    post_need,
    report_member,
    reported,
)
from shequ.tests import matrix
from shequ.whistles.models import Liaison, PairingAction, Unit, UnitKind
from shequ.whistles.tests.helpers import make_agreement

__all__ = ["CLOCK_START"]  # the clock of the shared builders

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(tree, people, clock):
    w, unit_report, member_report = reported(tree, people, clock)
    need = post_need(people)
    log_service(people, member_report)
    return w, unit_report, member_report, need


WHO = ["anonymous", "resident", "other_worker", "inspector", "unit_liaison", "other_liaison",
       "worker", "secretary"]  # fmt: skip

# GET status per page and role (the school's report-in and need of 站前社区;
# the resident is 王建军, who reported in).
MATRIX = {
    "report_in": [302, 403, 200, 403, 403, 403, 200, 200],
    "unit_report_create": [302, 403, 200, 403, 200, 200, 200, 200],
    "unit_report": [302, 403, 404, 403, 200, 404, 200, 200],
    "member_report_create": [302, 403, 200, 403, 403, 403, 200, 200],
    "need_create": [302, 403, 200, 403, 403, 403, 200, 200],
    "need": [302, 403, 404, 403, 403, 403, 200, 200],
    "service_log_create": [302, 403, 200, 403, 403, 403, 200, 200],
    "feedback_letter": [302, 403, 404, 403, 403, 403, 200, 200],
    "unit_home": [302, 403, 403, 403, 200, 200, 403, 403],
}


def _user(name, people, w):
    return {
        "anonymous": None,
        "resident": w.member_user,
        "other_liaison": w.hospital_liaison,
    }.get(name, getattr(people, name, None))


def _url(name, unit_report, need, w) -> str:
    args = {
        "unit_report": [unit_report.pk],
        "need": [need.pk],
        "feedback_letter": [w.school.pk, "2026Q1"],
    }.get(name, [])
    return reverse(f"party:{name}", args=args)


@pytest.mark.parametrize("page", list(MATRIX))
def test_every_page_answers_each_role_exactly(people, world, page):
    w, unit_report, _member_report, need = world
    url = _url(page, unit_report, need, w)
    got = [_client(_user(who, people, w)).get(url).status_code for who in WHO]
    assert dict(zip(WHO, got, strict=True)) == dict(zip(WHO, MATRIX[page], strict=True))


def test_need_claim_is_a_post_for_residents(people, world):
    w, _unit, _member, need = world
    url = reverse("party:need_claim", args=[need.pk])
    assert _client(w.member_user).get(url).status_code == 405
    assert _client().post(url).status_code == 302
    before = counts()
    for who in (people.worker, people.inspector, people.unit_liaison):
        assert _client(who).post(url).status_code == 403
    assert counts() == before


# -- forms ---------------------------------------------------------------------------------------


def test_a_liaison_reports_its_unit_in_from_its_page(tree, people, world):
    w, _unit, _member, _need = world
    client = _client(w.hospital_liaison)
    form = client.get(reverse("party:unit_report_create")).content.decode()
    assert "城东医院" in form and "城东第一中学" not in form
    response = client.post(
        reverse("party:unit_report_create"),
        {"unit": w.hospital.pk, "community": tree.community.pk, "party_org_name": "中共城东医院委员会",
         "resources": "每月义诊一次", "contact_name": "周敏", "contact_phone": "13800001111"},
    )  # fmt: skip
    report = UnitReportIn.objects.get(unit=w.hospital)
    assert response["Location"] == reverse("party:unit_report", args=[report.pk])
    page = client.get(reverse("party:unit_home")).content.decode()
    assert "城东医院 → 站前社区" in page
    # and: the other unit's report is not theirs to withdraw
    school = UnitReportIn.objects.get(unit=w.school)
    before = counts()
    assert client.post(reverse("party:unit_report", args=[school.pk])).status_code == 404
    assert counts() == before


def test_a_refused_report_re_renders_the_form_in_chinese(people, world):
    w, _unit, _member, _need = world
    before = counts()
    response = _client(people.worker).post(
        reverse("party:unit_report_create"),
        {"unit": w.school.pk, "party_org_name": "中共城东第一中学委员会", "resources": "场地",
         "contact_name": "刘建国"},
    )  # fmt: skip
    assert response.status_code == 409
    assert "已到站前社区报到，不能重复报到" in response.content.decode()
    assert counts() == before
    assert AuditRecord.objects.filter(action="unit_report.create", success=False).count() == 1


def test_member_report_form_refuses_a_member_who_is_not_in_service(people, world):
    w, _unit, _member, _need = world
    client = _client(people.secretary)
    form = client.get(reverse("party:member_report_create")).content.decode()
    assert "李红梅" in form and "赵刚" not in form and "王建军" not in form  # names in full
    before = counts()
    response = client.post(reverse("party:member_report_create"),
                           {"member": w.neighbour.pk, "skills": "理发", "availability": "周日"})  # fmt: skip
    assert response.status_code == 422
    assert "只有在职党员到居住地社区报到" in response.content.decode()
    assert counts() == before
    ok = client.post(reverse("party:member_report_create"),
                     {"member": w.colleague.pk, "skills": "义诊", "availability": "周日"})  # fmt: skip
    assert ok.status_code == 302
    assert MemberReportIn.objects.filter(member=w.colleague).count() == 1


def test_service_form_logs_into_pairing_and_refuses_bad_hours(tree, people, world):
    w, _unit, member_report, need = world
    make_agreement(people, tree.community, unit=w.school)
    client = _client(people.worker)
    form = client.get(reverse("party:service_log_create"), {"need": need.pk}).content.decode()
    assert "王**" in form and "王建军" not in form  # a worker reads names masked
    base = {"report_in": member_report.pk, "need": need.pk, "day": "2026-03-09", "what": "辅导功课"}
    before = counts()
    for hours, status in (("0", 422), ("25", 422), ("x", 422)):
        response = client.post(reverse("party:service_log_create"), base | {"hours": hours})
        assert response.status_code == status
    future = client.post(
        reverse("party:service_log_create"), base | {"hours": "2", "day": "2026-03-11"}
    )
    assert future.status_code == 422 and "服务日期不能晚于今天" in future.content.decode()
    assert counts() == before
    done = client.post(reverse("party:service_log_create"), base | {"hours": "2"}, follow=True)
    assert "已登记服务，并计入结对共建。" in done.content.decode()
    assert PairingAction.objects.get().member_name == "王建军"


def test_need_detail_claims_on_behalf_and_closes(people, world):
    w, _unit, _member, need = world
    li = report_member(w, people, person=w.colleague)
    client = _client(people.secretary)
    page = client.get(reverse("party:need", args=[need.pk])).content.decode()
    assert "李红梅" in page and "关闭需求" in page
    client.post(reverse("party:need", args=[need.pk]), {"step": "claim", "report_in": li.pk})
    services.need_claim(actor=actor(w.member_user), need_id=need.pk)
    need.refresh_from_db()
    assert need.status == "claimed"
    client.post(reverse("party:need", args=[need.pk]), {"step": "close", "note": "已完成"})
    need.refresh_from_db()
    assert need.status == "closed"
    before = counts()
    again = client.post(reverse("party:need", args=[need.pk]), {"step": "close"})
    assert again.status_code == 409 and "不能执行“关闭需求”" in again.content.decode()
    junk = client.post(reverse("party:need", args=[need.pk]), {"step": "x"})
    assert junk.status_code == 422
    assert counts() == before


def test_a_resident_claims_from_the_phone_and_a_closed_need_is_refused(people, world):
    w, _unit, _member, need = world
    client = _client(w.member_user)
    response = client.post(reverse("party:need_claim", args=[need.pk]))
    assert response["Location"] == reverse("party:me")
    services.need_close(actor=actor(people.worker), need_id=need.pk)
    other = post_need(people, title="清理楼道")
    services.need_close(actor=actor(people.worker), need_id=other.pk)
    before = counts()
    refused = client.post(reverse("party:need_claim", args=[other.pk]))
    assert refused.status_code == 409
    assert "该需求已关闭，不能认领" in refused.content.decode()
    assert counts() == before
    assert client.post(reverse("party:need_claim", args=[10**20])).status_code == 404


# -- the letter -----------------------------------------------------------------------------------


def test_the_letter_is_a_pdf_and_a_post_records_it_sent(people, world):
    w, _unit, _member, _need = world
    client = _client(people.worker)
    url = reverse("party:feedback_letter", args=[w.school.pk, "2026Q1"])
    pdf = client.get(url)
    assert pdf["Content-Type"] == "application/pdf"
    assert "王建军" in pdf_text(pdf.content)
    assert AuditRecord.objects.filter(action="feedback.print").count() == 1
    sent = client.post(url)
    letter = FeedbackLetter.objects.get()
    assert sent["Location"] == reverse("party:report_in") + "?quarter=2026Q1"
    assert (letter.services, str(letter.hours)) == (1, "2.5")
    home = client.get(reverse("party:report_in"), {"quarter": "2026Q1"}).content.decode()
    assert letter.number in home
    before = counts()
    again = client.post(url)
    assert again.status_code == 409 and "反馈函已发送过" in again.content.decode()
    for bad in ("2026Q3", "2026-1", "abcdef"):
        bad_url = reverse("party:feedback_letter", args=[w.school.pk, bad])
        assert client.get(bad_url).status_code == 422
        assert client.post(bad_url).status_code == 422
    missing = reverse("party:feedback_letter", args=[10**20, "2026Q1"])
    assert client.get(missing).status_code == 404
    assert counts() == before


# -- query counts --------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more(tree, people, w, n: int, start: int) -> None:
    """``n`` more of everything: units reported in, members reported in, needs, services."""
    for i in range(start, start + n):
        unit = Unit.objects.create(
            district=tree.district, name=f"驻区企业{i:02d}", kind=UnitKind.ENTERPRISE
        )
        Liaison.objects.create(user=people.unit_liaison, district=tree.district, unit=unit)
        services.unit_report_create(actor=actor(people.worker), unit_id=unit.pk, party_org_name=f"党支部{i}",
                                    resources="场地", contact_name="张伟")  # fmt: skip
        person = in_service(member(tree.unit, w.orgs.branch, name=f"党员{i:02d}", seq=60 + i,
                                   relation=Relation.IN_SERVICE), unit)  # fmt: skip
        report = report_member(w, people, person=person)
        need = post_need(people, title=f"需求{i}")
        services.need_claim(actor=actor(people.worker), need_id=need.pk, report_in_id=report.pk)
        log_service(people, report, day=dt.date(2026, 3, 10), need_id=need.pk)


@pytest.mark.parametrize(
    ("page", "who"), [("report_in", "secretary"), ("unit_home", "unit_liaison")]
)
def test_list_pages_cost_the_same_for_one_row_or_five(tree, people, world, page, who):
    w, _unit, _member, _need = world
    client = _client(getattr(people, who))
    url = reverse(f"party:{page}") + "?quarter=2026Q1"
    _more(tree, people, w, 1, 1)
    one = _queries(client, url)
    _more(tree, people, w, 4, 2)
    assert ServiceLog.objects.count() == 6 and Need.objects.count() == 6
    assert _queries(client, url) == one


# -- junk ----------------------------------------------------------------------------------------

PAGES = ["report_in", "unit_report_create", "unit_report", "member_report_create", "need_create",
         "need", "need_claim", "service_log_create", "feedback_letter", "unit_home"]  # fmt: skip


@pytest.mark.parametrize(
    "who", ["anonymous", "resident", "worker", "other_worker", "inspector", "unit_liaison"]
)
def test_no_page_or_endpoint_breaks_on_junk_and_refusals_write_nothing(tree, people, who):
    # given: the pages' objects as the every-page matrix builds them
    args = reporting_page_args(tree, people)
    w_user = resident_account(
        PartyMember.objects.get(resident__name="王建军").resident, "wangjianjun"
    )
    user = {"anonymous": None, "resident": w_user}.get(who, getattr(people, who, None))
    client = _client(user)
    seen: dict[str, int] = {}
    wrote: list[str] = []

    def call(key: str, method: str, url: str, **kw) -> None:
        before = matrix.fingerprint()
        status = getattr(client, method)(url, **kw).status_code
        seen[key] = status
        if status >= 400 and matrix.fingerprint() != before:
            wrote.append(key)

    for name in PAGES:
        route = {"unit_report": [args["report_id"]], "need": [args["need_id"]],
                 "need_claim": [args["need_id"]],
                 "feedback_letter": [args["unit_id"], args["quarter"]]}.get(name, [])  # fmt: skip
        url = reverse(f"party:{name}", args=route)
        call(f"GET {name}", "get", url)
        call(f"GET? {name}", "get", url + matrix.JUNK_QUERY)
        call(f"POST {name}", "post", url, data={})
        call(f"POST! {name}", "post", url, data=matrix.JUNK_POST)
    for method, path in matrix.operations():
        if not path.startswith("/api/party/report-in"):
            continue
        url = matrix.fill(path, args)
        if method == "GET":
            call(f"API {path}", "get", url)
            call(f"API? {path}", "get", url + "?page=-5&limit=abc&q=%25&quarter=x&unit_id=-1")
            continue
        for mark, body in (("", {}), ("!", matrix.JUNK_BODY)):
            call(f"API{mark} {method} {path}", method.lower(), url, data=json.dumps(body),
                 content_type="application/json")  # fmt: skip
    # then: never a server error, and no refusal wrote anything
    assert {k: s for k, s in seen.items() if s >= 500} == {}
    assert wrote == []
    assert len(seen) == 4 * len(PAGES) + 2 * 4 + 2 * 5  # 4 lists, 5 writes in the API
