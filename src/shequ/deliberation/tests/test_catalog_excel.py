"""The consultation catalog in Excel: export, re-import (unchanged, revised,
created), bad rows refusing the whole file, text that must stay text, who may
import, and the community's sheet."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.scope import Actor
from shequ.deliberation import services as s
from shequ.deliberation.catalog_excel import COLUMNS, SHEET, catalog_import, catalog_xlsx
from shequ.deliberation.models import ConsultationItem, ConsultationItemVersion

PARKING = {
    "category": "停车管理",
    "name": "车位划分",
    "content": "小区内公共车位的划分、分配与收费办法。",
    "forms": ["council", "online"],
    "participants": ["resident_reps", "property"],
    "vote_rule": "owners",
    "level": "compound",
    "legal_basis": "《中华人民共和国民法典》第二百七十八条",
}
ELEVATOR = PARKING | {
    "category": "环境改造",
    "name": "加装电梯",
    "content": "老旧住宅加装电梯的选址、费用分摊。",
    "forms": ["joint", "hearing"],
    "participants": ["resident_reps", "departments", "stakeholders"],
    "vote_rule": "owners_major",
    "level": "building",
}


@pytest.fixture
def admin(people) -> Actor:
    return Actor.for_user(people.district_admin)


@pytest.fixture
def catalog(tree, admin) -> list[ConsultationItem]:
    return [
        s.consultation_item_create(actor=admin, district=tree.district, code="TC-01", **PARKING),
        s.consultation_item_create(actor=admin, district=tree.district, code="HJ-01", **ELEVATOR),
    ]


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _upload(book) -> io.BytesIO:
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _written() -> tuple[int, int, int]:
    return (
        ConsultationItem.objects.count(),
        ConsultationItemVersion.objects.count(),
        AuditRecord.objects.count(),
    )


def test_the_district_sheet_lists_its_items_in_the_office_layout(tree, catalog):
    sheet = _book(catalog_xlsx(district=tree.district))[SHEET]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows == [
        COLUMNS,
        [1, "HJ-01", "环境改造", "加装电梯", "老旧住宅加装电梯的选址、费用分摊。", "联席会、听证会",
         "居民代表、职能部门、利益相关居民", "业主共同决定·重大事项（民法典第278条）", "楼栋",
         "《中华人民共和国民法典》第二百七十八条", 1, "区级目录"],
        [2, "TC-01", "停车管理", "车位划分", "小区内公共车位的划分、分配与收费办法。", "议事会、线上协商",
         "居民代表、物业服务企业", "业主共同决定·一般事项（民法典第278条）", "小区",
         "《中华人民共和国民法典》第二百七十八条", 1, "区级目录"],
    ]  # fmt: skip


def test_an_exported_sheet_imports_back_unchanged(tree, admin, catalog):
    data = catalog_xlsx(district=tree.district)
    before = ConsultationItemVersion.objects.count()

    result = catalog_import(actor=admin, district=tree.district, file=io.BytesIO(data))

    assert (result.created, result.revised, result.unchanged) == (0, 0, 2)
    assert ConsultationItemVersion.objects.count() == before
    audit = AuditRecord.objects.get(action="consultation.import")
    assert audit.changes == {"created": 0, "revised": 0, "unchanged": 2}


def test_an_edited_row_is_revised_and_a_new_row_created(tree, admin, catalog):
    book = _book(catalog_xlsx(district=tree.district))
    sheet = book[SHEET]
    sheet["D3"] = "车位划分与收费"  # TC-01's 协商事项
    sheet["F3"] = "议事会、恳谈会"
    sheet.append([None, "YY-01", "油烟噪音", "早市噪音", "", "议事会，线上协商", "居民代表、驻区单位",
                  "到会人员三分之二以上同意", "社区", "", None, ""])  # fmt: skip

    result = catalog_import(actor=admin, district=tree.district, file=_upload(book))

    assert (result.created, result.revised, result.unchanged) == (1, 1, 1)
    parking = ConsultationItem.objects.select_related("current_version").get(code="TC-01")
    version = parking.current_version
    assert (parking.name, version.number, version.forms) == (
        "车位划分与收费",
        2,
        ["council", "dialogue"],
    )
    assert parking.versions.get(number=1).name == "车位划分"
    new = ConsultationItem.objects.select_related("current_version").get(code="YY-01")
    cur = new.current_version
    assert (new.community_id, cur.number, cur.category, cur.forms, cur.participants, cur.vote_rule,
            cur.level) == (None, 1, "油烟噪音", ["council", "online"], ["resident_reps", "units"],
                           "two_thirds", "community")  # fmt: skip
    assert ConsultationItem.objects.get(code="HJ-01").versions.count() == 1


@pytest.mark.parametrize(
    ("cell", "value", "reason"),
    [
        ("H2", "少数服从多数",
         "“表决规则”列的“少数服从多数”无法识别，应填：到会人员过半数同意、到会人员三分之二以上同意、"
         "业主共同决定·一般事项（民法典第278条）、业主共同决定·重大事项（民法典第278条）、"
         "协商一致（无反对意见）之一。"),
        ("F2", "联席会、茶话会",
         "“协商形式”列的“茶话会”无法识别，应填：议事会、联席会、听证会、恳谈会、线上协商（多项用“、”分隔）。"),
        ("C2", None, "请填写门类。"),
        ("D2", "电" * 101, "协商事项不能超过100个字。"),
    ],
)  # fmt: skip
def test_a_bad_row_refuses_the_whole_file(tree, admin, catalog, cell, value, reason):
    book = _book(catalog_xlsx(district=tree.district))
    sheet = book[SHEET]
    sheet["D3"] = "车位划分与收费"  # a good change on the next row, which must not go in either
    sheet[cell] = value
    before = _written()

    with pytest.raises(ValidationError, match="其中1行有误，未导入任何数据") as refused:
        catalog_import(actor=admin, district=tree.district, file=_upload(book))

    assert refused.value.details == [{"row": 2, "reason": reason}]
    assert _written() == before
    assert ConsultationItem.objects.get(code="TC-01").name == "车位划分"


def test_every_bad_row_is_named_up_to_twenty(tree, admin, catalog):
    book = _book(catalog_xlsx(district=tree.district))
    sheet = book[SHEET]
    for n in range(25):
        sheet.append([None, f"XX-{n:02d}", "", "事项", "", "议事会", "居民代表", "到会人员过半数同意",
                      "社区", "", None, ""])  # fmt: skip
    sheet.append([None, "TC-01", "停车管理", "重复", "", "议事会", "居民代表", "到会人员过半数同意",
                  "社区", "", None, ""])  # fmt: skip
    before = _written()

    with pytest.raises(
        ValidationError, match="其中26行有误，未导入任何数据，以下列出前20行"
    ) as refused:
        catalog_import(actor=admin, district=tree.district, file=_upload(book))

    details = refused.value.details
    assert [d["row"] for d in details] == list(range(4, 24))
    assert details[0]["reason"] == "请填写门类。"
    assert _written() == before


def test_a_row_of_a_community_item_is_refused(tree, people, admin, catalog):
    worker = Actor.for_user(people.worker)
    s.consultation_item_create(actor=worker, district=tree.district, community=tree.community,
                               code="ZQ-01", **(PARKING | {"name": "早市噪音"}))  # fmt: skip
    book = _book(catalog_xlsx(district=tree.district))
    sheet = book[SHEET]
    for code, source in [("ZQ-01", "区级目录"), ("ZQ-02", "本社区增补")]:
        sheet.append([None, code, "停车管理", "早市噪音", "", "议事会", "居民代表",
                      "到会人员过半数同意", "社区", "", None, source])  # fmt: skip
    before = _written()

    with pytest.raises(ValidationError) as refused:
        catalog_import(actor=admin, district=tree.district, file=_upload(book))

    assert refused.value.details == [
        {"row": 4, "reason": "条目编码 ZQ-01 已被站前社区的本社区增补条目使用。"},
        {"row": 5, "reason": "“本社区增补”的条目由所在社区维护，不能通过区级目录导入。"},
    ]
    assert _written() == before


def test_text_that_looks_like_a_formula_is_exported_as_text(tree, admin):
    formula = '=HYPERLINK("http://example.invalid/","点击查看")'
    s.consultation_item_create(actor=admin, district=tree.district, code="TC-01",
                               **(PARKING | {"name": "+86热线", "content": formula,
                                             "legal_basis": "@某某文件"}))  # fmt: skip
    data = catalog_xlsx(district=tree.district)
    sheet = _book(data)[SHEET]

    cells = [sheet["D2"], sheet["E2"], sheet["J2"]]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        ("+86热线", "s", True), (formula, "s", True), ("@某某文件", "s", True)]  # fmt: skip
    result = catalog_import(actor=admin, district=tree.district, file=io.BytesIO(data))
    assert (result.created, result.revised, result.unchanged) == (0, 0, 1)


@pytest.mark.parametrize("who", ["worker", "secretary", "street_officer", "inspector", "resident"])
def test_only_the_district_imports_the_catalog(tree, people, catalog, who):
    book = _book(catalog_xlsx(district=tree.district))
    book[SHEET]["D3"] = "车位划分与收费"
    before = _written()

    with pytest.raises(PermissionDenied, match="维护协商目录"):
        catalog_import(actor=Actor.for_user(getattr(people, who)), district=tree.district,
                       file=_upload(book))  # fmt: skip

    assert _written() == before


def test_the_community_sheet_shows_its_own_items_and_what_it_adopted(tree, people, catalog):
    worker = Actor.for_user(people.worker)
    s.catalog_adopt(actor=worker, community=tree.community, item_ids=[catalog[0].pk])
    s.consultation_item_create(actor=worker, district=tree.district, community=tree.community,
                               code="ZQ-01", **(PARKING | {"name": "早市噪音"}))  # fmt: skip
    s.consultation_item_create(actor=Actor.for_user(people.other_worker), district=tree.district,
                               community=tree.other_community, code="LM-01",
                               **(PARKING | {"name": "楼道堆物"}))  # fmt: skip

    sheet = _book(catalog_xlsx(district=tree.district, community=tree.community))[SHEET]

    rows = [[r[1], r[3], r[11], r[12]] for r in sheet.iter_rows(values_only=True)]
    assert rows == [
        ["条目编码", "协商事项", "来源", "本社区是否采用"],
        ["HJ-01", "加装电梯", "区级目录", "否"],
        ["TC-01", "车位划分", "区级目录", "是"],
        ["ZQ-01", "早市噪音", "本社区增补", "是"],
    ]


@pytest.mark.parametrize(("community", "queries"), [(False, 1), (True, 2)])
def test_the_export_costs_the_same_at_any_size(
    tree, admin, catalog, django_assert_num_queries, community, queries
):
    for n in range(5):
        s.consultation_item_create(actor=admin, district=tree.district, code=f"XX-{n}", **PARKING)
    with django_assert_num_queries(queries):
        data = catalog_xlsx(district=tree.district, community=tree.community if community else None)
    assert _book(data)[SHEET].max_row == 8
