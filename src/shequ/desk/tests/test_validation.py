"""Strict checks of materials, extra form fields, time limits and fees."""

from decimal import Decimal

import pytest

from shequ.core.errors import ValidationError
from shequ.desk.catalog import validation as v
from shequ.desk.catalog.services import item_spec
from shequ.desk.models import ItemKind


def _message(fn, *args) -> str:
    with pytest.raises(ValidationError) as caught:
        fn(*args)
    return caught.value.message


def test_materials_must_be_a_non_empty_list():
    assert _message(v.clean_materials, {"name": "户口簿"}) == "申请材料应为列表。"
    assert _message(v.clean_materials, []) == "请至少列出一项申请材料。"


def test_materials_each_problem_is_named_in_chinese():
    # given: five wrong entries
    bad = [
        "户口簿",
        {"name": "", "original_or_copy": "原件", "key": True},
        {"name": "户口簿", "original_or_copy": "扫描件", "key": "yes"},
        {"name": "户口簿", "original_or_copy": "原件", "key": True, "colour": "red"},
        {"name": "照片", "original_or_copy": "原件", "key": False, "template": 5},
    ]

    # when
    with pytest.raises(ValidationError) as caught:
        v.clean_materials(bad)

    # then
    assert caught.value.field == "materials"
    assert [d["reason"] for d in caught.value.details] == [
        "第1项材料格式不正确",
        "第2项材料缺少名称",
        "材料“户口簿”应注明“原件”“复印件”或“原件和复印件”",
        "材料“户口簿”应注明是否为关键材料",
        "第4项材料含有未知字段：colour",
        "材料“户口簿”重复",
        "材料“照片”的样表应为文字",
    ]


def test_materials_clean_normalises_whitespace_and_template():
    out = v.clean_materials([{"name": " 户口  簿 ", "original_or_copy": "原件", "key": True}])
    assert out == [{"name": "户口 簿", "original_or_copy": "原件", "key": True, "template": ""}]


def test_form_fields_are_checked_strictly():
    bad = [
        {"name": "人数", "type": "integer", "required": True, "options": []},
        {"name": "原因", "type": "choice", "required": True, "options": ["因病"]},
        {"name": "日期", "type": "date", "required": "是", "options": ["a"]},
        {"name": "原因", "type": "text", "required": False, "options": []},
    ]
    with pytest.raises(ValidationError) as caught:
        v.clean_form_fields(bad)
    assert [d["reason"] for d in caught.value.details] == [
        "填报项“人数”的类型应为文本、数字、日期或选项",
        "填报项“原因”是选项类型，至少需要两个选项",
        "填报项“日期”应注明是否必填",
        "填报项“日期”不是选项类型，不能设置选项",
        "填报项“原因”重复",
    ]
    assert _message(v.clean_form_fields, "x") == "补充填报项应为列表。"


def test_promised_days_may_not_exceed_legal_days():
    assert _message(v.clean_days, 10, 12, ItemKind.PROMISED) == (
        "承诺时限（12个工作日）不能超过法定时限（10个工作日）。"
    )
    assert _message(v.clean_days, 5, 2, ItemKind.IMMEDIATE) == (
        "即办件当场办结，承诺时限应为0个工作日。"
    )
    assert _message(v.clean_days, 5, 0, ItemKind.FORWARDED) == (
        "承诺件和转办件的承诺时限至少为1个工作日。"
    )
    assert _message(v.clean_days, "五", 1, ItemKind.PROMISED) == "时限应为整数个工作日。"
    assert v.clean_days("20", "10", ItemKind.FORWARDED) == (20, 10)


def test_fee_accepts_free_and_yuan():
    assert v.clean_fee("免费") == Decimal("0.00")
    assert v.clean_fee("20元") == Decimal("20.00")
    assert _message(v.clean_fee, "-1") == "收费标准应为不小于0的金额。"
    assert _message(v.clean_fee, "二十") == "收费标准应为金额（元）或“免费”。"


def test_text_formats_round_trip():
    # given
    text = "户口簿|原件|关键\n照片|复印件|非关键|一寸蓝底"
    fields_text = "家庭人口数|数字|必填\n申请原因|选项|必填|因病,因残"

    # when
    materials = v.materials_from_lines(text)
    fields = v.form_fields_from_lines(fields_text)

    # then
    assert materials == [
        {"name": "户口簿", "original_or_copy": "原件", "key": True, "template": ""},
        {"name": "照片", "original_or_copy": "复印件", "key": False, "template": "一寸蓝底"},
    ]
    assert fields[1] == {
        "name": "申请原因",
        "type": "choice",
        "required": True,
        "options": ["因病", "因残"],
    }
    assert v.materials_to_lines(materials) == text
    assert v.form_fields_to_lines(fields) == fields_text
    assert _message(v.materials_from_lines, "户口簿") == "申请材料第1行应写作“名称|原件|关键”。"


def test_sheet_material_wording():
    m = {"name": "户口簿", "original_or_copy": "原件", "key": True, "template": ""}
    assert v.material_to_sheet(m) == "户口簿（原件，关键材料）"
    assert v.materials_from_sheet("户口簿（原件，关键材料）\n照片(复印件)") == [
        m,
        {"name": "照片", "original_or_copy": "复印件", "key": False, "template": ""},
    ]
    assert _message(v.materials_from_sheet, "户口簿") == (
        "申请材料“户口簿”应写作“名称（原件/复印件/原件和复印件[，关键材料]）”"
    )


def test_item_spec_names_the_unknown_category():
    message = _message(
        lambda: item_spec(
            name="x",
            category="宠物",
            department="区民政局",
            materials=[{"name": "a", "original_or_copy": "原件", "key": True}],
            legal_days=1,
            promised_days=1,
            kind="承诺件",
        )
    )
    assert message.startswith("类别应为：社会保障、民政救助")
