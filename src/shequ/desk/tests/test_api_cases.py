"""办件 API: intake with Idempotency-Key, detail, actions, the permission
matrix over every endpoint, bad input that writes nothing, flat query counts."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.api_auth import token_issue
from shequ.core.models import AuditRecord, IdempotencyKey, TimelineEvent
from shequ.desk.cases.services import case_complete, case_start, review_submit
from shequ.desk.models import Case, CaseState, Notice, Visit
from shequ.desk.tests.conftest import ALL_MATERIALS, ID_NUMBER, PHONE
from shequ.desk.tests.helpers import adopt, make_item

pytestmark = pytest.mark.django_db

CASES = "/api/services/cases"
SAME_BODY = "同一个 Idempotency-Key 不能用于不同的请求。"


def body(desk, **overrides) -> dict:
    return {
        "community_id": desk.community.pk,
        "item_id": desk.item.pk,
        "window_id": desk.window.pk,
        "channel": "window",
        "applicant_name": "王秀兰",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "provided": ALL_MATERIALS,
        "form_data": {},
        "note": "",
    } | overrides


def post(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", **headers)


def create(client, desk, key: str | None = None, **overrides):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return post(client, CASES, body(desk, **overrides), **headers)


def written() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Notice.objects.count(),
        Visit.objects.count(),
        IdempotencyKey.objects.count(),
    )


# -- intake ------------------------------------------------------------------------------------


def test_create_accepts_a_case_with_a_receipt(client, desk, clock):
    clock.set("2026-11-02")
    client.force_login(desk.worker)

    response = create(client, desk)

    assert response.status_code == 201
    out = response.json()
    case = Case.objects.get()
    assert out["kind"] == "case"
    assert "notice" not in out
    assert out["case"] | {"submitted_at": None} == {
        "id": case.pk,
        "receipt_no": case.receipt_no,
        "status": "accepted",
        "status_label": "已受理",
        "channel": "window",
        "channel_label": "窗口受理",
        "community_id": desk.community.pk,
        "community": desk.community.name,
        "item_id": desk.item.pk,
        "item": "高龄津贴申领",
        "item_code": "YL-001",
        "window_id": desk.window.pk,
        "window": "1号综合窗口",
        "applicant_name": "王秀兰",
        "phone": "138****1234",
        "submitted_at": None,
        "accepted_on": "2026-11-02",
        "accepted_by": desk.worker.full_name,
        "due_date": "2026-11-09",
        "due_uncertain": False,
        "level": "",
        "level_label": "",
        "overdue": False,
        "visit_count": 1,
        "completed_on": None,
    }
    assert case.receipt_no.startswith(desk.community.code + "20261102")


def test_create_with_a_bearer_token(client, desk, clock):
    _token, raw = token_issue(user=desk.worker, name="窗口终端")
    response = post(
        client,
        CASES,
        body(desk),
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY="k-token-1",
    )
    assert response.status_code == 201
    assert IdempotencyKey.objects.get().caller == f"user:{desk.worker.pk}"


def test_same_create_twice_with_one_key_makes_one_case(client, desk, clock):
    client.force_login(desk.worker)

    first = create(client, desk, key="2b7f0c1e-retry")
    second = create(client, desk, key="2b7f0c1e-retry")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert Case.objects.count() == 1
    assert second.json()["case"]["receipt_no"] == Case.objects.get().receipt_no
    assert AuditRecord.objects.filter(action="case.accept").count() == 1
    assert Visit.objects.count() == 1
    key = IdempotencyKey.objects.get()
    assert (key.scope, key.key, key.status) == ("services.case_create", "2b7f0c1e-retry", 201)


def test_without_a_key_each_create_is_a_new_case(client, desk, clock):
    client.force_login(desk.worker)
    numbers = {create(client, desk).json()["case"]["receipt_no"] for _ in range(2)}
    assert len(numbers) == 2
    assert IdempotencyKey.objects.count() == 0


def test_same_key_with_a_different_body_is_refused(client, desk, clock):
    client.force_login(desk.worker)
    create(client, desk, key="k-1")

    response = create(client, desk, key="k-1", note="另一份申请")

    assert (response.status_code, response.json()["detail"]) == (422, SAME_BODY)
    assert Case.objects.count() == 1


def test_keys_of_different_callers_do_not_collide(client, desk, clock):
    client.force_login(desk.worker)
    create(client, desk, key="k-1")
    client.force_login(desk.secretary)
    response = create(client, desk, key="k-1")
    assert response.status_code == 201
    assert Case.objects.count() == 2


def test_a_refused_create_is_not_remembered_so_a_fixed_retry_works(client, desk, clock):
    clock.set("2026-11-02")
    client.force_login(desk.worker)
    partial = {"provided": ["居民身份证", "户口簿"], "supplement_by": "2026-10-30"}

    refused = create(client, desk, key="k-fix", **partial)
    fixed = create(client, desk, key="k-fix", **(partial | {"supplement_by": "2026-11-06"}))

    assert (refused.status_code, refused.json()["detail"]) == (422, "补齐日期不能早于今天。")
    assert fixed.status_code == 201
    assert fixed.json()["case"]["receipt_no"].endswith("00001")  # the refusal used no number
    assert Case.objects.get().supplement_by.isoformat() == "2026-11-06"


def test_a_missing_key_material_issues_the_one_time_notice(client, desk, clock):
    client.force_login(desk.worker)

    response = create(client, desk, key="k-notice", provided=["居民身份证"])
    again = create(client, desk, key="k-notice", provided=["居民身份证"])

    assert response.status_code == 201
    out = response.json()
    notice = Notice.objects.get()
    assert out == again.json()
    assert out["kind"] == "notice" and "case" not in out
    assert out["notice"]["number"] == notice.number
    assert out["notice"]["missing"] == ["户口簿", "近期一寸免冠照片"]
    assert Case.objects.count() == 0


# -- bad input: a Chinese message, a 4xx, nothing written --------------------------------------


def test_bad_create_input_writes_nothing(client, desk, tree, clock):
    clock.set("2026-11-02")
    not_adopted = make_item(tree.district, code="ZF-009", name="公租房申请")
    other_district_window = desk.other_window
    cases = [
        ({"item_id": 999999}, 422, "事项不存在或不在本区事项清单中。"),
        ({"item_id": not_adopted.pk}, 422, "本社区未认领“公租房申请”，不能受理。"),
        (
            {"provided": ["居民身份证", "户口簿", "房产证"]},
            422,
            "材料清单与事项不符（房产证），请刷新页面后重新勾选。",
        ),
        (
            {"provided": ["居民身份证", "户口簿"], "supplement_by": "2026-11-01"},
            422,
            "补齐日期不能早于今天。",
        ),
        ({"provided": ["居民身份证", "户口簿"]}, 422, None),
        ({"id_number": "210302195003150015"}, 422, None),
        ({"phone": ""}, 422, None),
        ({"applicant_name": " "}, 422, "请填写申请人姓名。"),
        ({"channel": "online"}, 422, "受理渠道只能是窗口、电话或上门代办。"),
        ({"window_id": None}, 422, "窗口受理请选择窗口。"),
        ({"window_id": other_district_window.pk}, 422, "窗口不存在或不属于本社区。"),
        ({"community_id": desk.other_community.pk}, 404, "没有找到该社区。"),
        ({"form_data": {"未知": "x"}}, 422, "填报项与事项不符：未知"),
        ({"item_id": "abc"}, 422, "请求数据格式不正确。"),
        ({"supplement_by": "2026-13-01"}, 422, "请求数据格式不正确。"),
    ]
    client.force_login(desk.worker)
    for i, (overrides, status, detail) in enumerate(cases):
        response = create(client, desk, key=f"bad-{i}", **overrides)
        assert response.status_code == status, (overrides, response.json())
        if detail is not None:
            assert response.json()["detail"] == detail, overrides
        assert response.json()["detail"], overrides
        assert written() == (0, 0, 0, 0), overrides


def test_bad_idempotency_keys_are_refused(client, desk, clock):
    client.force_login(desk.worker)
    for key, detail in [
        ("", "Idempotency-Key 不能为空。"),
        ("k" * 129, "Idempotency-Key 不能超过128个字符。"),
        ("键", "Idempotency-Key 只能由可见的英文字母、数字和符号组成。"),
    ]:
        response = create(client, desk, key=key)
        assert (response.status_code, response.json()["detail"]) == (422, detail)
    assert written() == (0, 0, 0, 0)
    assert create(client, desk, key="k" * 128).status_code == 201


# -- detail, actions, rectifications -----------------------------------------------------------


def test_detail_has_the_timeline_and_masked_numbers(client, desk, clock):
    client.force_login(desk.worker)
    case_id = create(client, desk).json()["case"]["id"]

    detail = client.get(f"{CASES}/{case_id}").json()

    assert detail["phone"] == "138****1234"
    assert detail["id_number"] == "210302********0014"
    assert ID_NUMBER not in json.dumps(detail) and PHONE not in json.dumps(detail)
    assert [e["label"] for e in detail["timeline"]] == ["受理"]
    assert detail["timeline"][0]["actor"] == desk.worker.full_name
    assert [m["name"] for m in detail["materials"]] == ALL_MATERIALS
    assert detail["missing"] == []
    assert {a["action"] for a in detail["actions"]} == {
        "start",
        "forward",
        "request_supplement",
        "suspend",
        "complete",
        "withdraw",
    }


def test_actions_move_the_case_and_refuse_what_does_not_fit(client, desk, clock):
    clock.set("2026-11-02")
    client.force_login(desk.worker)
    case_id = create(client, desk).json()["case"]["id"]
    url = f"{CASES}/{case_id}/actions"

    started = post(client, f"{url}/start", {"note": "开始核对"})
    no_outcome = post(client, f"{url}/complete", {})
    done = post(client, f"{url}/complete", {"data": {"outcome": "approved"}})
    again = post(client, f"{url}/complete", {"data": {"outcome": "approved"}})
    unknown = post(client, f"{url}/fly", {})
    picked_up = post(
        client, f"{url}/deliver", {"data": {"method": "window"}, "window_id": desk.window.pk}
    )

    assert (started.status_code, started.json()["status"]) == (200, "in_progress")
    assert (no_outcome.status_code, no_outcome.json()["detail"]) == (
        422,
        "请选择办理结果（准予办理或不予办理）。",
    )
    assert (done.status_code, done.json()["status_label"]) == (200, "已办结")
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "该事项当前状态为“已办结”，不能执行“办结”。",
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (422, "未知的办件操作。")
    assert picked_up.status_code == 200
    assert picked_up.json()["visit_count"] == 2
    labels = [e["label"] for e in picked_up.json()["timeline"]]
    assert labels == ["受理", "开始办理", "办结", "送达"]
    assert TimelineEvent.objects.filter(object_id=case_id, action="complete").count() == 1


def test_rectifications_list_the_bad_reviews(client, desk, clock):
    client.force_login(desk.worker)
    out = create(client, desk).json()["case"]
    case_start(actor=desk.worker_actor, case_id=out["id"])
    case_complete(actor=desk.worker_actor, case_id=out["id"], outcome="approved")
    review_submit(
        receipt_no=out["receipt_no"], phone_tail="1234", rating=2, comment="等太久", ip=None
    )

    body_ = client.get("/api/services/rectifications").json()

    assert body_["count"] == 1
    row = body_["items"][0]
    assert (row["receipt_no"], row["rating_label"], row["status_label"], row["comment"]) == (
        out["receipt_no"],
        "不满意",
        "待整改",
        "等太久",
    )


# -- the permission matrix ---------------------------------------------------------------------

READERS = ["secretary", "worker", "street_officer", "district_admin"]
NO_CASE_VIEW = ["inspector", "resident", "building_head", "system_admin", "security_admin"]


def _open_case(desk) -> Case:
    from shequ.desk.cases.services import case_intake
    from shequ.desk.tests.conftest import applicant

    return case_intake(
        actor=desk.worker_actor,
        community=desk.community,
        item=desk.item,
        applicant=applicant(),
        provided=ALL_MATERIALS,
        window=desk.window,
    ).case


def test_permission_matrix_over_every_endpoint(client, people, desk, clock):
    case = _open_case(desk)
    reads = [CASES, f"{CASES}/{case.pk}", "/api/services/rectifications"]
    # anonymous
    for url in reads:
        assert client.get(url).status_code == 401
    assert create(client, desk).status_code == 401
    assert post(client, f"{CASES}/{case.pk}/actions/start", {}).status_code == 401
    # readers in scope read; roles without case.view are refused everything
    for who in READERS:
        client.force_login(getattr(people, who))
        for url in reads:
            assert client.get(url).status_code == 200, (who, url)
    for who in NO_CASE_VIEW:
        client.force_login(getattr(people, who))
        for url in reads:
            response = client.get(url)
            assert (response.status_code, response.json()) == (
                403,
                {"detail": "当前角色无权执行此操作。"},
            ), (who, url)
        assert create(client, desk).status_code == 403, who
        assert post(client, f"{CASES}/{case.pk}/actions/start", {}).status_code == 403, who
    # readers above the community may not accept or handle
    for who in ("street_officer", "district_admin"):
        client.force_login(getattr(people, who))
        assert create(client, desk).status_code == 403, who
        response = post(client, f"{CASES}/{case.pk}/actions/start", {})
        assert response.status_code == 403, who
    # another community's worker, another street's officer: the case does not exist for them
    for who in ("other_worker", "other_street_officer"):
        client.force_login(getattr(people, who))
        assert client.get(f"{CASES}/{case.pk}").status_code == 404, who
        assert client.get(CASES).json()["count"] == 0, who
        assert client.get("/api/services/rectifications").json()["count"] == 0, who
    client.force_login(people.other_worker)
    response = post(client, f"{CASES}/{case.pk}/actions/start", {})
    assert (response.status_code, response.json()["detail"]) == (
        404,
        "办件不存在，或不在您的管辖范围内。",
    )
    assert create(client, desk).status_code == 404  # not their community
    # nothing changed by any of the refusals
    case.refresh_from_db()
    assert case.status == CaseState.ACCEPTED
    assert Case.objects.count() == 1
    assert IdempotencyKey.objects.count() == 0


def test_other_community_cannot_replay_a_key(client, people, desk, clock):
    # A key belongs to its caller: someone else's replay is a new request.
    client.force_login(desk.worker)
    create(client, desk, key="shared")
    client.force_login(people.other_worker)
    response = create(client, desk, key="shared")
    assert response.status_code == 404
    assert Case.objects.count() == 1


# -- the list ----------------------------------------------------------------------------------


def test_case_list_filters_and_flat_query_count(client, desk, tree, clock):
    client.force_login(desk.worker)
    create(client, desk)
    with CaptureQueriesContext(connection) as small:
        assert client.get(CASES).json()["count"] == 1
    for _ in range(6):
        create(client, desk)
    with CaptureQueriesContext(connection) as large:
        listed = client.get(CASES).json()
    assert listed["count"] == 7
    assert len(large.captured_queries) == len(small.captured_queries)
    assert client.get(CASES, {"status": "done"}).json()["count"] == 0
    assert client.get(CASES, {"status": "accepted"}).json()["count"] == 7
    assert client.get(CASES, {"month": "2026-09"}).json()["count"] == 7
    assert client.get(CASES, {"month": "2026-10"}).json()["count"] == 0
    assert client.get(CASES, {"month": "2026-08", "month_to": "2026-09"}).json()["count"] == 7
    assert client.get(CASES, {"month_to": "2026-08"}).json()["count"] == 0
    assert client.get(CASES, {"window_id": 0}).json()["count"] == 0
    bad = client.get(CASES, {"month": "2026-13"})
    assert (bad.status_code, bad.json()["detail"]) == (422, "月份格式应为 2026-10。")
    assert client.get(CASES, {"status": "lost"}).status_code == 422
    assert client.get(CASES, {"rating": 9}).status_code == 422


def test_create_query_count_is_lean(client, desk, clock):
    # The intake path: auth, the community, the item, the window, the service,
    # and the key row (claim + answer). Counted so it cannot silently grow.
    client.force_login(desk.worker)
    create(client, desk, key="warm-up")
    with CaptureQueriesContext(connection) as with_key:
        assert create(client, desk, key="k-count").status_code == 201
    with CaptureQueriesContext(connection) as without_key:
        assert create(client, desk).status_code == 201
    key_queries = len(with_key.captured_queries) - len(without_key.captured_queries)
    assert key_queries <= 4  # INSERT + UPDATE (+ savepoint and release)
    with CaptureQueriesContext(connection) as replay:
        assert create(client, desk, key="k-count").status_code == 201
    assert len(replay.captured_queries) < len(without_key.captured_queries)


def test_items_not_adopted_by_other_community_are_refused(client, people, desk, tree, clock):
    item = make_item(tree.district, code="ZF-010", name="廉租房申请")
    adopt(tree.other_community, item)
    client.force_login(desk.worker)
    response = create(client, desk, item_id=item.pk)
    assert (response.status_code, response.json()["detail"]) == (
        422,
        "本社区未认领“廉租房申请”，不能受理。",
    )
