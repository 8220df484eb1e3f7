"""The catalog sheet: export read back; import all or nothing."""

import io

import pytest
from openpyxl import Workbook

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.tests.factories import actor_for
from shequ.desk.catalog import excel, selectors
from shequ.desk.models import Category, ServiceItem, ServiceItemVersion
from shequ.desk.tests.helpers import make_item, read_sheet

ROW = [
    "ZM-001",
    "居住证明开具",
    "证明开具",
    "街道办事处",
    "区社区证明事项清单",
    "居民身份证（原件和复印件，关键材料）\n房屋租赁合同（复印件）",
    3,
    0,
    "即办件",
    "免费",
    "是",
    "否",
]


def _book(*rows, sheet=excel.SHEET, header=excel.COLUMNS) -> io.BytesIO:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_export_reads_back_with_the_published_wording(people, tree):
    # given
    make_item(tree.district, code="YL-001", fee="20", online_allowed=True)
    admin = actor_for(people.district_admin)

    # when
    rows = read_sheet(
        excel.catalog_export(actor=admin, items=list(selectors.item_list(actor=admin)))
    )

    # then
    assert rows == [
        excel.COLUMNS,
        [
            "YL-001",
            "高龄津贴申领",
            "养老服务",
            "区民政局",
            "《中华人民共和国老年人权益保障法》",
            "居民身份证（原件和复印件，关键材料）\n户口簿（原件，关键材料）\n近期一寸免冠照片（原件）",
            15,
            5,
            "承诺件",
            "20.00元",
            "是",
            "是",
        ],
    ]


def test_import_creates_new_items(people, tree):
    # when
    result = excel.catalog_import(
        actor=actor_for(people.district_admin), district=tree.district, file=_book(ROW)
    )

    # then
    assert (result.created, result.revised, result.unchanged) == (1, 0, 0)
    item = ServiceItem.objects.select_related("current_version").get(code="ZM-001")
    assert item.category == Category.CERTIFICATE
    assert item.current_version.materials == [
        {"name": "居民身份证", "original_or_copy": "原件和复印件", "key": True, "template": ""},
        {"name": "房屋租赁合同", "original_or_copy": "复印件", "key": False, "template": ""},
    ]
    assert AuditRecord.objects.get(action="service_item.import").changes == {
        "created": 1,
        "revised": 0,
        "unchanged": 0,
    }


def test_reimporting_the_export_changes_nothing_and_a_change_makes_a_version(people, tree):
    # given: an item with a material template and a form field the sheet does not hold
    materials = [
        {"name": "居民身份证", "original_or_copy": "原件", "key": True, "template": ""},
        {"name": "申请表", "original_or_copy": "原件", "key": True, "template": "见窗口样表"},
    ]
    fields = [{"name": "证明用途", "type": "text", "required": True, "options": []}]
    make_item(tree.district, code="YL-001", materials=materials, form_fields=fields)
    make_item(tree.district, code="YL-002", name="老年人优待证办理")
    admin = actor_for(people.district_admin)
    content = excel.catalog_export(actor=admin, items=list(selectors.item_list(actor=admin)))

    # when: the same file back
    same = excel.catalog_import(actor=admin, district=tree.district, file=io.BytesIO(content))

    # then
    assert (same.created, same.revised, same.unchanged) == (0, 0, 2)
    assert ServiceItemVersion.objects.count() == 2

    # when: one row's promised time changed
    rows = read_sheet(content)
    rows[1][7] = 3
    changed = excel.catalog_import(actor=admin, district=tree.district, file=_book(*rows[1:]))

    # then: a version 2 that keeps the template and the form field
    assert (changed.created, changed.revised, changed.unchanged) == (0, 1, 1)
    item = ServiceItem.objects.select_related("current_version").get(code="YL-001")
    assert item.current_version.number == 2
    assert item.current_version.promised_days == 3
    assert item.current_version.materials == materials
    assert item.current_version.form_fields == fields


def test_import_with_a_bad_row_writes_nothing_and_reports_it(people, tree):
    # given: a good row, then a row with promised > legal and an unknown category
    make_item(tree.district, code="YL-001")
    bad = list(ROW)
    bad[0], bad[2], bad[7], bad[8] = "ZM-002", "宠物", 9, "承诺件"
    duplicate = list(ROW)
    before = (ServiceItem.objects.count(), ServiceItemVersion.objects.count())

    # when
    with pytest.raises(ValidationError) as caught:
        excel.catalog_import(
            actor=actor_for(people.district_admin),
            district=tree.district,
            file=_book(ROW, bad, duplicate),
        )

    # then
    assert caught.value.message == (
        "文件共 3 行事项，其中 2 行有误，未导入任何数据。请改正后重新上传。"
    )
    assert caught.value.details == [
        {"row": 3, "reason": "承诺时限（9个工作日）不能超过法定时限（3个工作日）。"},
        {"row": 4, "reason": "事项编码与第2行重复。"},
    ]
    assert (ServiceItem.objects.count(), ServiceItemVersion.objects.count()) == before


def test_import_refuses_wrong_sheet_missing_columns_and_junk(people, tree):
    admin = actor_for(people.district_admin)
    with pytest.raises(ValidationError, match="文件中没有名为“公共服务事项清单”的工作表。"):
        excel.catalog_import(actor=admin, district=tree.district, file=_book(ROW, sheet="Sheet1"))
    with pytest.raises(ValidationError, match="表头缺少以下列：可代办、可网办。"):
        excel.catalog_import(
            actor=admin, district=tree.district, file=_book(ROW[:10], header=excel.COLUMNS[:10])
        )
    with pytest.raises(ValidationError, match="无法读取该文件"):
        excel.catalog_import(actor=admin, district=tree.district, file=io.BytesIO(b"not excel"))
    with pytest.raises(ValidationError, match="文件中没有事项数据。"):
        excel.catalog_import(actor=admin, district=tree.district, file=_book())
    assert ServiceItem.objects.count() == 0


def test_import_is_refused_to_a_community_secretary(people, tree):
    with pytest.raises(PermissionDenied):
        excel.catalog_import(
            actor=actor_for(people.secretary), district=tree.district, file=_book(ROW)
        )
    assert ServiceItem.objects.count() == 0
