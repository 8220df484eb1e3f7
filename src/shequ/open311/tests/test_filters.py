"""GET requests: service_request_id, service_code, start_date/end_date and
status filters, the 90-day and 1,000-request defaults, what is withheld,
and a query count that does not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.appeals.models import Appeal, AppealChannel, AppealState
from shequ.appeals.services import appeal_receive
from shequ.desk.cases.services import case_receive_online
from shequ.open311.tests.conftest import ID_NUMBER, PHONE, body, get

pytestmark = pytest.mark.django_db


def raise_appeal(o311, clock, day: str, category: str = "parking", **extra) -> Appeal:
    clock.set(day)
    data = {"kind": "complaint", "description": f"{day}的诉求", "contact_name": "王芳"}
    data.update(extra)
    return appeal_receive(
        source="test", community=o311.community, category=category, contact_phone=PHONE, **data
    )


@pytest.fixture
def history(o311, clock):
    """a1 停车 (open, 1 day old), c1 an online case (9 days), a2 噪音 closed
    (59 days), a3 停车 (151 days, outside the default window)."""
    a3 = raise_appeal(o311, clock, "2026-05-01")
    a2 = raise_appeal(o311, clock, "2026-08-01", category="noise")
    clock.set("2026-09-20")
    c1 = case_receive_online(
        source="test",
        community=o311.community,
        item=o311.item,
        applicant_name="王芳",
        id_number=ID_NUMBER,
        phone=PHONE,
        provided=[],
        form_data={"申请原因": "年满八十周岁"},
    )
    a1 = raise_appeal(o311, clock, "2026-09-28")
    clock.set("2026-08-03")
    Appeal.objects.filter(pk=a2.pk).update(
        status=AppealState.CLOSED, result="已劝导商户调小音量", closed_at=clock._now
    )
    clock.set("2026-09-29")
    return {"a1": a1.number, "a2": a2.number, "a3": a3.number, "c1": c1.receipt_no}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["service_request_id"] for row in body(response)]


def test_default_is_the_last_90_days_newest_first(client, history):
    assert ids(get(client, "requests")) == [history["a1"], history["c1"], history["a2"]]


def test_xml_list_has_one_request_element_each(client, history):
    root = body(get(client, "requests", "xml"))

    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root] == [
        history["a1"],
        history["c1"],
        history["a2"],
    ]


def test_start_and_end_date(client, history):
    window = {"start_date": "2026-04-15T00:00:00+08:00", "end_date": "2026-05-15T00:00:00Z"}
    assert ids(get(client, "requests", **window)) == [history["a3"]]
    # start alone: 90 days from it; end alone: 90 days up to it
    assert ids(get(client, "requests", start_date="2026-04-20T00:00:00Z")) == [history["a3"]]
    assert ids(get(client, "requests", end_date="2026-08-15T00:00:00+08:00")) == [history["a2"]]
    # a date without a zone is Beijing time
    assert ids(get(client, "requests", start_date="2026-09-28", end_date="2026-09-29")) == [
        history["a1"]
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
         "start_date 到 end_date 不能超过90天。"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
         "start_date 不能晚于 end_date。"),
        ({"start_date": "yesterday"},
         "start_date 格式不正确，应为 w3 格式，例如 2026-01-01T00:00:00+08:00。"),
        ({"status": "pending"}, "status 只能是 open 或 closed。"),
        ({"service_code": "item.NOPE"}, "service_code“item.NOPE”不存在。"),
        ({"service_code": "potholes"}, "service_code“potholes”不存在。"),
    ],
)  # fmt: skip
def test_bad_filters_are_400(client, history, query, message):
    response = get(client, "requests", **query)

    assert response.status_code == 400
    assert body(response) == [{"code": 400, "description": message}]


def test_status_filter(client, history):
    assert ids(get(client, "requests", status="closed")) == [history["a2"]]
    assert ids(get(client, "requests", status="open")) == [history["a1"], history["c1"]]
    assert len(ids(get(client, "requests", status="open,closed"))) == 3
    assert len(ids(client.get("/open311/v2/requests.json?status=open&status=closed"))) == 3


def test_service_code_filter(client, history):
    assert ids(get(client, "requests", service_code="appeal.parking")) == [history["a1"]]
    assert ids(get(client, "requests", service_code="appeal.parking,item.YL-009")) == [
        history["a1"],
        history["c1"],
    ]
    assert ids(get(client, "requests", service_code="appeal.fumes")) == []


def test_service_request_ids_override_every_other_argument(client, history):
    query = {
        "service_request_id": f"{history['a3']},{history['c1']},nope",
        "status": "closed",
        "service_code": "appeal.noise",
    }
    assert ids(get(client, "requests", **query)) == [history["c1"], history["a3"]]


def test_at_most_1000_requests(client, o311, clock):
    base = clock._now
    Appeal.objects.bulk_create(
        Appeal(
            district=o311.district,
            community=o311.community,
            number=f"A{n:05d}",
            kind="consult",
            category="other",
            description="咨询",
            channel=AppealChannel.PHONE,
            status=AppealState.SUBMITTED,
            submitted_at=base - dt.timedelta(minutes=n),
            triage_due=base.date(),
        )
        for n in range(1001)
    )

    got = ids(get(client, "requests"))

    assert len(got) == 1000
    assert got[0] == "A00000" and got[-1] == "A00999"


def test_closed_and_merged_notes_and_closing_time(client, history):
    original = Appeal.objects.get(number=history["a1"])
    duplicate = Appeal.objects.get(number=history["a3"])
    Appeal.objects.filter(pk=duplicate.pk).update(status=AppealState.MERGED, duplicate_of=original)

    rows = {r["service_request_id"]: r for r in body(get(client, "requests", status="closed"))}
    closed = rows[history["a2"]]
    assert (closed["status"], closed["status_notes"]) == ("closed", "已办结：已劝导商户调小音量")
    assert closed["updated_datetime"] == "2026-08-03T09:30:00+08:00"
    assert closed["expected_datetime"] is None
    merged = body(get(client, f"requests/{history['a3']}"))[0]
    assert merged["status"] == "closed"
    assert merged["status_notes"] == f"已合并：与诉求{history['a1']}重复，已合并办理"


def test_no_personal_data_leaves(client, o311, clock, history):
    raise_appeal(
        o311, clock, "2026-09-29", description="楼下住户电话13912345678，身份证210302195003150014"
    )
    raise_appeal(o311, clock, "2026-09-29", kind="report", description="举报某人在楼道私拉电线")

    text = get(client, "requests").content.decode()

    assert "王芳" not in text and PHONE not in text
    assert "13912345678" not in text and "139****5678" in text
    assert "210302195003150014" not in text and "210302********0014" in text
    assert "私拉电线" not in text and "（举报内容不公开）" in text


def test_query_count_does_not_grow_with_rows(client, o311, clock):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "requests").status_code == 200
        return len(queries)

    raise_appeal(o311, clock, "2026-09-28")
    few = count()
    for day in range(1, 10):
        raise_appeal(o311, clock, f"2026-09-{day:02d}", category="noise")
    assert count() == few
