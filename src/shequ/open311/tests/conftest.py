"""Fixtures of the Open311 tests: a client with a known key, an online item
adopted by 站前社区, a settable clock, and helpers to call the endpoints."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as SafeET
from django.test import Client

from shequ.core.models import Region
from shequ.desk.models import ServiceItem
from shequ.desk.tests.helpers import adopt, make_item
from shequ.open311.models import Open311Client
from shequ.open311.services import client_ensure

API_KEY = "test-open311-key"
ID_NUMBER = "210302195003150014"  # a valid GB 11643 number
PHONE = "13840001234"
BASE = "/open311/v2/"


@dataclass
class Setup:
    district: Region
    community: Region
    other_community: Region
    client: Open311Client
    item: ServiceItem  # online, adopted by 站前社区 only


@pytest.fixture
def o311(tree, clock) -> Setup:
    client_ensure(district=tree.district, name="12345热线", raw_key=API_KEY, command="test")
    item = make_item(
        tree.district,
        code="YL-009",
        name="高龄津贴网上申领",
        online_allowed=True,
        form_fields=[
            {"name": "申请原因", "type": "text", "required": True, "options": []},
            {
                "name": "领取方式",
                "type": "choice",
                "required": False,
                "options": ["银行卡", "现金"],
            },
        ],
    )
    adopt(tree.community, item)
    return Setup(
        district=tree.district,
        community=tree.community,
        other_community=tree.other_community,
        client=Open311Client.objects.get(name="12345热线"),
        item=item,
    )


def appeal_form(**overrides) -> dict:
    data = {
        "api_key": API_KEY,
        "service_code": "appeal.parking",
        "attribute[community]": "210302001001",
        "attribute[kind]": "complaint",
        "lat": "41.123456",
        "long": "123.654321",
        "address_string": "化机小区东门",
        "description": "东门外每天晚上有车辆乱停，堵住消防通道。",
        "first_name": "芳",
        "last_name": "王",
        "phone": PHONE,
        "account_id": "wx-001",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def item_form(**overrides) -> dict:
    data = {
        "api_key": API_KEY,
        "service_code": "item.YL-009",
        "attribute[community]": "210302001001",
        "attribute[id_number]": ID_NUMBER,
        "attribute[form_申请原因]": "年满八十周岁",
        "attribute[materials][]": ["居民身份证", "户口簿"],
        "first_name": "芳",
        "last_name": "王",
        "phone": PHONE,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def get(client: Client, path: str, fmt: str = "json", **query):
    return client.get(f"{BASE}{path}.{fmt}", query)


def post(client: Client, data: dict, fmt: str = "json", **headers):
    return client.post(f"{BASE}requests.{fmt}", data, headers=headers)


def body(response):
    """JSON as Python, or XML as an element tree (parsed safely)."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return SafeET.fromstring(response.content)


def children(element: Element) -> list[str]:
    return [child.tag for child in element]


def w3(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    assert moment.tzinfo is not None
    return moment
