"""POST requests: an appeal or an online application is written, once per
Idempotency-Key; a bad api_key, a bad argument or too many requests are
refused in the spec's error format with nothing written."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from shequ.appeals.models import Appeal, AppealChannel, AppealState
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.pii import decrypt
from shequ.desk.models import Case, CaseState, Channel
from shequ.open311.models import Open311RateCount, Open311Submission
from shequ.open311.tests.conftest import (
    ID_NUMBER,
    PHONE,
    appeal_form,
    body,
    item_form,
    post,
)

pytestmark = pytest.mark.django_db


def written() -> tuple[int, int, int]:
    return Appeal.objects.count(), Case.objects.count(), Open311Submission.objects.count()


def test_post_appeal_creates_one_appeal_from_the_client(client, o311):
    response = post(client, appeal_form())

    assert response.status_code == 200
    [answer] = body(response)
    appeal = Appeal.objects.get()
    assert answer["service_request_id"] == appeal.number
    assert answer["service_notice"] == "站前社区将于2026-09-30前（工作日）完成分办。"
    assert (appeal.community, appeal.category, appeal.kind) == (
        o311.community,
        "parking",
        "complaint",
    )
    assert (appeal.channel, appeal.source, appeal.status) == (
        AppealChannel.OPEN311,
        "open311:12345热线",
        AppealState.SUBMITTED,
    )
    assert appeal.description == "东门外每天晚上有车辆乱停，堵住消防通道。"
    assert appeal.address == "化机小区东门"
    assert (str(appeal.lat), str(appeal.long)) == ("41.123456", "123.654321")
    assert appeal.contact_name == "王芳"
    assert decrypt(appeal.phone_enc) == PHONE
    submission = Open311Submission.objects.get()
    assert (submission.client, submission.kind, submission.service_code) == (
        o311.client,
        "appeal",
        "appeal.parking",
    )
    assert submission.token == response["X-Open311-Token"]
    # the appeals service kept its timeline event and audit record, named after the client
    assert (
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Appeal), object_id=appeal.pk
        ).count()
        == 1
    )
    record = AuditRecord.objects.get(action="appeal.create")
    assert record.username == "系统:open311:12345热线"
    assert record.changes["phone"] == "138****1234"


def test_post_appeal_without_contact_is_anonymous(client, o311):
    post(client, appeal_form(first_name=None, last_name=None, phone=None))

    appeal = Appeal.objects.get()
    assert appeal.anonymous is True and appeal.phone_enc is None


def test_post_appeal_with_address_id_names_the_building(client, o311, tree):
    response = post(
        client,
        appeal_form(lat=None, long=None, address_string="东侧", address_id=tree.building.code),
    )

    assert response.status_code == 200
    assert Appeal.objects.get().address == "化机小区1号楼 东侧"


def test_post_item_creates_a_submitted_online_case(client, o311):
    response = post(client, item_form(**{"attribute[form_领取方式]": "银行卡"}))

    assert response.status_code == 200
    [answer] = body(response)
    case = Case.objects.get()
    assert answer["service_request_id"] == case.receipt_no
    assert answer["service_notice"].startswith("站前社区将审核申请；受理后承诺5个工作日内办结")
    assert (case.item, case.community, case.status, case.channel) == (
        o311.item,
        o311.community,
        CaseState.SUBMITTED,
        Channel.ONLINE,
    )
    assert case.applicant_name == "王芳"
    assert decrypt(case.id_number_enc) == ID_NUMBER
    assert decrypt(case.phone_enc) == PHONE
    assert case.form_data == {"申请原因": "年满八十周岁", "领取方式": "银行卡"}
    assert [m["provided"] for m in case.materials] == [True, True, False]
    assert case.materials_complete is False
    record = AuditRecord.objects.get(action="case.apply")
    assert record.username == "系统:open311:12345热线"
    assert record.changes["applicant"] == "王*"
    assert record.changes["source"] == "open311:12345热线"
    event = TimelineEvent.objects.get(content_type=ContentType.objects.get_for_model(Case))
    assert (event.action, event.to_state) == ("apply", CaseState.SUBMITTED)
    assert Open311Submission.objects.get().kind == "case"


def test_one_idempotency_key_makes_one_appeal(client, o311):
    first = post(client, appeal_form(), **{"Idempotency-Key": "k-1"})
    again = post(client, appeal_form(), "xml", **{"Idempotency-Key": "k-1"})

    assert first.status_code == again.status_code == 200
    assert Appeal.objects.count() == 1
    number = body(first)[0]["service_request_id"]
    assert body(again)[0].findtext("service_request_id") == number
    assert first["X-Open311-Token"] == again["X-Open311-Token"]
    # another key is another appeal
    post(client, appeal_form(), **{"Idempotency-Key": "k-2"})
    assert Appeal.objects.count() == 2


def test_one_idempotency_key_with_another_body_is_refused(client, o311):
    post(client, appeal_form(), **{"Idempotency-Key": "k-1"})

    response = post(client, appeal_form(description="另一件事"), **{"Idempotency-Key": "k-1"})

    assert response.status_code == 400
    assert "Idempotency-Key" in body(response)[0]["description"]
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "缺少 api_key，无法提交诉求或申请。"),
        ("", "缺少 api_key，无法提交诉求或申请。"),
        ("wrong-key", "api_key 无效，无法提交诉求或申请。"),
    ],
)
def test_missing_or_wrong_api_key_is_403(client, o311, key, message):
    for fmt in ("json", "xml"):
        response = post(client, appeal_form(api_key=key), fmt)

        assert response.status_code == 403
        if fmt == "json":
            assert body(response) == [{"code": 403, "description": message}]
        else:
            assert body(response)[0].findtext("description") == message
    assert written() == (0, 0, 0)


def test_revoked_api_key_is_403(client, o311):
    from django.utils import timezone

    o311.client.revoked_at = timezone.now()
    o311.client.save(update_fields=["revoked_at"])

    response = post(client, appeal_form())

    assert response.status_code == 403
    assert "已被收回" in body(response)[0]["description"]
    assert written() == (0, 0, 0)


def test_api_key_of_another_jurisdiction_is_403(client, o311):
    response = post(client, appeal_form(jurisdiction_id="210303"))

    assert response.status_code == 403
    assert written() == (0, 0, 0)


def test_gets_need_no_api_key(client, o311):
    for path in ("services.json", "services/appeal.noise.xml", "requests.json"):
        assert client.get(f"/open311/v2/{path}").status_code == 200


def test_rate_limit_per_client_per_minute_is_429(client, o311, clock):
    o311.client.rate_per_minute = 2
    o311.client.save(update_fields=["rate_per_minute"])
    clock.set("2026-09-29", 10, 0)

    statuses = [post(client, appeal_form()).status_code for _ in range(3)]
    refused = post(client, appeal_form(), "xml")

    assert statuses == [200, 200, 429]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert body(refused)[0].findtext("code") == "429"
    assert "每分钟最多2次" in body(refused)[0].findtext("description")
    assert Appeal.objects.count() == 2
    # the next minute starts afresh
    clock.set("2026-09-29", 10, 1)
    assert post(client, appeal_form()).status_code == 200
    assert Open311RateCount.objects.filter(client=o311.client).count() == 2


BAD = [
    ({"lat": "abc"}, 400, "lat 必须是数字（WGS84 坐标）。"),
    ({"lat": "91", "long": "120"}, 400, "lat 超出范围，应在 -90 到 90 之间。"),
    ({"long": "-180.5"}, 400, "long 超出范围，应在 -180 到 180 之间。"),
    ({"lat": "NaN"}, 400, "lat 必须是数字（WGS84 坐标）。"),
    ({"long": None}, 400, "lat 和 long 必须同时提供。"),
    ({"lat": None, "long": None, "address_string": None}, 400,
     "请提供位置：lat 和 long，或 address_string，或 address_id。"),
    ({"service_code": "appeal.unicorn"}, 404, "service_code“appeal.unicorn”不存在。"),
    ({"service_code": "item.NOPE"}, 404, "service_code“item.NOPE”不存在或不可网上申请。"),
    ({"service_code": None}, 400, "缺少 service_code。"),
    ({"description": "很" * 4001}, 400, "description 不能超过4000个字符。"),
    ({"description": "车停<script>alert(1)</script>"}, 400,
     "description 不能包含 HTML 或代码，请只填写文字。"),
    ({"description": ""}, 400, "请填写诉求内容。"),
    ({"attribute[community]": None}, 400, "缺少必填属性 attribute[community]（社区）。"),
    ({"attribute[community]": "210399999999"}, 400,
     "attribute[community]“210399999999”不是该服务可选的社区。"),
    ({"attribute[kind]": None}, 400, "缺少必填属性 attribute[kind]（诉求类型）。"),
    ({"attribute[kind]": "praise"}, 400, "请选择诉求类型。"),
    ({"attribute[color]": "red"}, 400, "该服务没有属性 attribute[color]。"),
    ({"attribute": "x"}, 400, "无法识别的参数“attribute”，应为 attribute[代码]=值。"),
    ({"address_id": "210302002001001"}, 400,
     "address_id“210302002001001”不是所选社区内的小区、楼栋或单元代码。"),
    ({"phone": "12345"}, 400, "手机号应为11位大陆手机号码（1开头，第二位为3至9）。"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "status", "message"), BAD)
def test_bad_appeal_input_is_refused_and_nothing_written(client, o311, change, status, message):
    response = post(client, appeal_form(**change))

    assert response.status_code == status
    assert body(response) == [{"code": status, "description": message}]
    assert written() == (0, 0, 0)
    refusal = AuditRecord.objects.get(action="open311.request")
    assert (refusal.success, refusal.message) == (False, message[:300])
    assert refusal.username == "系统:open311:12345热线"


BAD_ITEM = [
    ({"attribute[id_number]": None}, "缺少必填属性 attribute[id_number]（身份证号）。"),
    ({"attribute[id_number]": "210302195003150015"}, None),  # checksum wrong
    ({"attribute[form_申请原因]": None}, "请填写“申请原因”。"),
    ({"attribute[form_领取方式]": "支付宝"}, "“领取方式”只能选择：银行卡、现金。"),
    ({"attribute[materials][]": ["房产证"]}, None),
    ({"attribute[community]": "210302001002"}, "attribute[community]“210302001002”不是该服务可选的社区。"),
    ({"first_name": None, "last_name": None}, "请填写申请人姓名。"),
    ({"phone": None}, "请填写申请人手机号，用于查询办件和评价。"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD_ITEM)
def test_bad_item_application_is_400_and_nothing_written(client, o311, change, message):
    response = post(client, item_form(**change))

    assert response.status_code == 400
    [error] = body(response)
    assert error["code"] == 400
    if message:
        assert error["description"] == message
    assert written() == (0, 0, 0)
