"""GeoReport v2 conformance: field names, required fields and element
names of every response, in JSON and in XML, and the error format."""

from __future__ import annotations

import pytest

from shequ.appeals.models import AppealCategory, AppealKind
from shequ.open311.tests.conftest import appeal_form, body, children, get, item_form, post, w3

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = [
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
]  # fmt: skip
ATTRIBUTE_FIELDS = [
    "variable", "code", "datatype", "required", "datatype_description", "order", "description",
]  # fmt: skip
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]  # fmt: skip


def test_service_list_json_has_every_category_and_the_online_item(client, o311):
    response = get(client, "services")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = body(response)
    assert all(list(s) == SERVICE_FIELDS for s in services)
    codes = [s["service_code"] for s in services]
    assert codes == [f"appeal.{c}" for c in AppealCategory.values] + ["item.YL-009"]
    parking = services[1]
    assert (parking["service_name"], parking["group"], parking["metadata"], parking["type"]) == (
        "停车",
        "诉求",
        True,
        "realtime",
    )
    item = services[-1]
    assert (item["service_name"], item["group"]) == ("高龄津贴网上申领", "政务服务")
    assert item["keywords"] == "高龄津贴网上申领,养老服务,区民政局"


def test_service_list_leaves_out_items_not_online_or_not_adopted(client, o311, tree):
    from shequ.desk.tests.helpers import adopt, make_item

    adopt(tree.community, make_item(tree.district, code="YL-010", online_allowed=False))
    make_item(tree.district, code="YL-011", online_allowed=True)  # nobody adopted it

    codes = [s["service_code"] for s in body(get(client, "services"))]

    assert "item.YL-010" not in codes and "item.YL-011" not in codes


def test_service_list_xml_element_names(client, o311):
    root = body(get(client, "services", "xml"))

    assert root.tag == "services"
    assert set(children(root)) == {"service"}
    assert len(root) == len(AppealCategory.values) + 1
    for service in root:
        assert children(service) == SERVICE_FIELDS
    first = root[0]
    assert first.findtext("service_code") == "appeal.sanitation"
    assert first.findtext("metadata") == "true"
    assert first.findtext("group") == "诉求"


def test_appeal_service_definition_json(client, o311):
    definition = body(get(client, "services/appeal.noise"))

    assert list(definition) == ["service_code", "attributes"]
    assert definition["service_code"] == "appeal.noise"
    community, kind = definition["attributes"]
    assert list(community) == [*ATTRIBUTE_FIELDS, "values"]
    assert (community["code"], community["datatype"], community["required"]) == (
        "community",
        "singlevaluelist",
        True,
    )
    assert community["variable"] is True and community["order"] == 1
    assert community["values"] == [
        {"key": "210302001001", "name": "站前社区"},
        {"key": "210302001002", "name": "利民社区"},
        {"key": "210302002001", "name": "铁塔社区"},
    ]
    assert (kind["code"], kind["order"], kind["required"]) == ("kind", 2, True)
    assert kind["values"] == [{"key": k, "name": n} for k, n in AppealKind.choices]


def test_item_service_definition_xml(client, o311):
    root = body(get(client, "services/item.YL-009", "xml"))

    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    assert root.findtext("service_code") == "item.YL-009"
    attributes = root.find("attributes")
    assert set(children(attributes)) == {"attribute"}
    codes = [a.findtext("code") for a in attributes]
    assert codes == ["community", "id_number", "form_申请原因", "form_领取方式", "materials"]
    types = [a.findtext("datatype") for a in attributes]
    assert types == ["singlevaluelist", "string", "string", "singlevaluelist", "multivaluelist"]
    required = [a.findtext("required") for a in attributes]
    assert required == ["true", "true", "true", "false", "false"]
    assert [a.findtext("order") for a in attributes] == ["1", "2", "3", "4", "5"]
    for attribute in attributes:
        names = children(attribute)
        assert names[: len(ATTRIBUTE_FIELDS)] == ATTRIBUTE_FIELDS
    community = attributes[0].find("values")
    assert [(v.findtext("key"), v.findtext("name")) for v in community] == [
        ("210302001001", "站前社区")  # only the community that adopted it
    ]
    assert children(community[0]) == ["key", "name"]
    materials = [v.findtext("name") for v in attributes[4].find("values")]
    assert materials == ["居民身份证", "户口簿", "近期一寸免冠照片"]


@pytest.mark.parametrize("code", ["appeal.nothing", "item.NOPE", "parking", "item."])
def test_unknown_service_code_is_404_in_the_error_format(client, o311, code):
    response = get(client, f"services/{code}")

    assert response.status_code == 404
    errors = body(response)
    assert len(errors) == 1 and list(errors[0]) == ["code", "description"]
    assert errors[0]["code"] == 404
    assert "不存在" in errors[0]["description"]


def test_error_format_in_xml(client, o311):
    response = get(client, "services/appeal.nothing", "xml")

    assert response.status_code == 404
    root = body(response)
    assert root.tag == "errors"
    assert children(root) == ["error"]
    assert children(root[0]) == ["code", "description"]
    assert root[0].findtext("code") == "404"


def test_unsupported_format_is_400_in_xml(client, o311):
    response = client.get("/open311/v2/services.csv")

    assert response.status_code == 400
    root = body(response)
    assert root.tag == "errors"
    assert "不支持的格式" in root[0].findtext("description")


def test_jurisdiction_id_known_unknown_and_needed(client, o311, tree):
    from shequ.core.models import RegionLevel
    from shequ.core.tests.factories import make_region

    assert get(client, "services", jurisdiction_id="210302").status_code == 200
    unknown = get(client, "services", jurisdiction_id="999999")
    assert unknown.status_code == 404
    assert body(unknown)[0]["description"] == "jurisdiction_id“999999”不存在。"

    make_region(name="铁西区", code="210303", level=RegionLevel.DISTRICT)
    needed = get(client, "services")
    assert needed.status_code == 400
    assert "jurisdiction_id" in body(needed)[0]["description"]
    assert get(client, "services", jurisdiction_id="210303").status_code == 200


def test_post_response_fields_json_and_xml(client, o311):
    answer = post(client, appeal_form())
    assert answer.status_code == 200
    rows = body(answer)
    assert len(rows) == 1
    assert list(rows[0]) == ["service_request_id", "service_notice", "account_id"]
    assert rows[0]["account_id"] == "wx-001"

    root = body(post(client, appeal_form(account_id=""), "xml"))
    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    assert children(root[0]) == ["service_request_id", "service_notice", "account_id"]
    assert root[0].findtext("account_id") == ""
    assert root[0].findtext("service_request_id").startswith("210302001001")


def test_request_detail_fields_json_and_xml(client, o311):
    number = body(post(client, appeal_form()))[0]["service_request_id"]

    rows = body(get(client, f"requests/{number}"))
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == REQUEST_FIELDS
    assert row["service_request_id"] == number
    assert (row["status"], row["status_notes"]) == ("open", "待分办")
    assert (row["service_code"], row["service_name"]) == ("appeal.parking", "停车")
    assert row["agency_responsible"] == "站前社区"
    assert row["address"] == "站前社区 化机小区东门"
    assert (row["lat"], row["long"]) == (41.123456, 123.654321)
    assert w3(row["requested_datetime"]) == w3("2026-09-29T09:30:00+08:00")
    assert w3(row["updated_datetime"]) == w3("2026-09-29T09:30:00+08:00")
    assert row["expected_datetime"] == "2026-09-30T23:59:59+08:00"  # one working day to triage

    root = body(get(client, f"requests/{number}", "xml"))
    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    assert children(root[0]) == REQUEST_FIELDS
    assert root[0].findtext("status") == "open"
    assert root[0].findtext("zipcode") == ""


def test_request_detail_unknown_is_404(client, o311):
    for fmt in ("json", "xml"):
        response = get(client, "requests/2103020010012026092900099", fmt)
        assert response.status_code == 404


def test_token_endpoint_resolves_the_token_of_a_post(client, o311):
    answer = post(client, appeal_form())
    token = answer["X-Open311-Token"]
    number = body(answer)[0]["service_request_id"]

    rows = body(get(client, f"tokens/{token}"))
    assert rows == [{"service_request_id": number, "token": token}]
    root = body(get(client, f"tokens/{token}", "xml"))
    assert root.tag == "service_requests"
    assert children(root[0]) == ["service_request_id", "token"]
    assert get(client, "tokens/0123456789abcdef", "xml").status_code == 404


def test_item_application_as_a_request_shows_item_and_state_only(client, o311):
    number = body(post(client, item_form()))[0]["service_request_id"]

    row = body(get(client, f"requests/{number}"))[0]
    assert list(row) == REQUEST_FIELDS
    assert (row["service_code"], row["service_name"]) == ("item.YL-009", "高龄津贴网上申领")
    assert (row["status"], row["status_notes"]) == ("open", "待受理")
    assert row["description"] is None
    assert row["agency_responsible"] == "区民政局"
    assert row["address"] == "站前社区"
    assert row["expected_datetime"] is None  # no deadline before a worker accepts it
    assert "王" not in str(row) and "1384" not in str(row)
