import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.idcard import make_id_number
from shequ.core.models import AuditRecord, RegionStat
from shequ.core.pii import decrypt
from shequ.core.tests.factories import actor_for
from shequ.residents import excel
from shequ.residents.models import Household, Resident, ResidentTag, Tag
from shequ.residents.tests import helpers

GOOD_ID = helpers.id_number(1, dt.date(1950, 4, 5))
GOOD_ID2 = helpers.id_number(2, dt.date(1988, 8, 8))


def good_rows() -> list[list]:
    return [
        [
            "化机小区",
            "1号楼",
            "1单元",
            "101",
            "王大明",
            GOOD_ID,
            "13800138000",
            "户主",
            "独居，低保",
        ],
        ["化机小区", "1", "2", "202", "李小红", GOOD_ID2, "", "户主", ""],
    ]


def run_import(actor, rows=None, **kw):
    data = helpers.xlsx(good_rows() if rows is None else rows, **kw)
    return excel.resident_import(actor=actor, file=data, filename="居民.xlsx")


def stat(region) -> tuple[int, int]:
    row = RegionStat.objects.filter(region=region).first()
    return (row.residents, row.households) if row else (0, 0)


def test_template_has_the_sheet_and_header(tree, people):
    wb = load_workbook(io.BytesIO(excel.import_template(actor=actor_for(people.worker))))
    assert wb.sheetnames == ["居民信息", "填写说明", "可选单元"]
    assert [c.value for c in wb["居民信息"][1]] == [
        "小区",
        "楼栋",
        "单元",
        "门牌号",
        "姓名",
        "身份证号",
        "手机号",
        "与户主关系",
        "标签",
    ]
    assert [[c.value for c in row] for row in wb["可选单元"].iter_rows(min_row=2)] == [
        ["化机小区", "1号楼", "1单元"],
        ["化机小区", "1号楼", "2单元"],
    ]


def test_good_file_imports_everything(tree, people):
    result = run_import(actor_for(people.worker))
    assert (result.residents, result.households) == (2, 2)
    wang = Resident.objects.get(name="王大明")
    assert decrypt(wang.id_number_enc) == GOOD_ID
    assert decrypt(wang.phone_enc) == "13800138000"
    assert (wang.gender, wang.birth_date, wang.relation) == ("M", dt.date(1950, 4, 5), "head")
    assert sorted(wang.tag_rows.values_list("tag", flat=True)) == ["lives_alone", "low_income"]
    li = Resident.objects.get(name="李小红")
    assert (li.household.unit_id, li.household.room, li.phone_enc) == (tree.unit2.pk, "202", None)
    assert stat(tree.community) == (2, 2)
    assert stat(tree.unit) == (1, 1)
    record = AuditRecord.objects.get(action="resident.import")
    assert record.changes == {"file": "居民.xlsx", "count": 2, "households": 2}
    assert AuditRecord.objects.count() == 1


def test_import_joins_existing_households(tree, people):
    helpers.household(tree.unit, "101")
    rows = [["化机小区", "1号楼", "1单元", "101", "王大明", GOOD_ID, "", "户主", ""]]
    result = run_import(actor_for(people.worker), rows)
    assert (result.residents, result.households) == (1, 0)
    assert Household.objects.count() == 1
    assert stat(tree.unit) == (1, 1)


def test_one_bad_row_imports_nothing_and_names_the_row(tree, people):
    # given a file whose third data row has a wrong check digit
    bad = GOOD_ID2[:17] + ("0" if GOOD_ID2[17] != "0" else "1")
    rows = good_rows() + [["化机小区", "1号楼", "1单元", "103", "赵六", bad, "", "户主", ""]]
    # when it is imported
    with pytest.raises(ValidationError) as caught:
        run_import(actor_for(people.worker), rows)
    # then nothing is written and the report names Excel row 4
    assert (
        caught.value.message == "文件共 3 行数据，其中 1 行有误，未导入任何数据。请改正后重新上传。"
    )
    assert caught.value.details == [{"row": 4, "reason": "身份证号校验位不正确，请核对号码。"}]
    assert (Resident.objects.count(), Household.objects.count(), ResidentTag.objects.count()) == (
        0,
        0,
        0,
    )
    assert RegionStat.objects.filter(residents__gt=0).count() == 0
    assert AuditRecord.objects.count() == 0


def test_every_kind_of_bad_row_is_reported(tree, people):
    # given a registered resident and a file with one problem per row
    helpers.resident(tree.unit, name="钱多多", number=GOOD_ID2, room="909")
    far_id = helpers.id_number(3, dt.date(1970, 1, 1))
    rows = [
        ["化机小区", "1号楼", "1单元", "101", "王大明", GOOD_ID, "13800138000", "户主", ""],  # 2 ok
        ["老城里小区", "1号楼", "1单元", "101", "甲", far_id, "", "户主", ""],  # 3
        ["化机小区", "9号楼", "1单元", "101", "乙", helpers.id_number(4), "", "子女", ""],  # 4
        ["化机小区", "1号楼", "7单元", "101", "丙", helpers.id_number(5), "", "子女", ""],  # 5
        ["化机小区", "1号楼", "1单元", "102", "丁", "110101199902300014", "", "户主", ""],  # 6
        ["化机小区", "1号楼", "1单元", "103", "戊", GOOD_ID, "", "户主", ""],  # 7
        ["化机小区", "1号楼", "1单元", "104", "己", GOOD_ID2, "", "户主", ""],  # 8
        ["化机小区", "1号楼", "1单元", "105", "庚", helpers.id_number(6), "12345", "户主", ""],  # 9
        ["化机小区", "1号楼", "1单元", "106", "辛", helpers.id_number(7), "", "表哥", ""],  # 10
        ["化机小区", "1号楼", "1单元", "107", "壬", helpers.id_number(8), "", "户主", "富豪"],  # 11
        ["化机小区", "1号楼", "1单元", "101", "癸", helpers.id_number(9), "", "户主", ""],  # 12
        ["化机小区", "1号楼", "1单元", "", "", helpers.id_number(10), "", "配偶", ""],  # 13
        [],  # 14: an empty line is skipped
        ["化机小区", "1号楼", "1单元", "108", "子", 110101195004050021, "", "户主", ""],  # 15
    ]
    with pytest.raises(ValidationError) as caught:
        run_import(actor_for(people.worker), rows)
    assert caught.value.details == [
        {"row": 3, "reason": "小区“老城里小区”不存在或不在您的管辖范围内。"},
        {"row": 4, "reason": "小区“化机小区”下没有楼栋“9号楼”。"},
        {"row": 5, "reason": "化机小区1号楼没有单元“7单元”。"},
        {"row": 6, "reason": "身份证号中的出生日期 1999-02-30 不存在。"},
        {"row": 7, "reason": "身份证号与第 2 行重复。"},
        {"row": 8, "reason": "该身份证号已在本社区登记（居民：钱**）。"},
        {"row": 9, "reason": "手机号应为11位大陆手机号码（1开头，第二位为3至9）。"},
        {
            "row": 10,
            "reason": "与户主关系“表哥”无法识别（可填：户主、配偶、子女、父母、孙子女、"
            "祖父母、兄弟姐妹、儿媳/女婿、其他）。",
        },
        {
            "row": 11,
            "reason": "标签“富豪”无法识别（可填：低保、残疾、独居、特殊家庭、退役军人、党员）。",
        },
        {"row": 12, "reason": "同一户有两位户主（第 2 行已填户主）。"},
        {"row": 13, "reason": "请填写门牌号；请填写姓名。"},
        {"row": 15, "reason": "身份证号须按文本格式填写（数字格式会丢失末尾几位）。"},
    ]
    assert Resident.objects.count() == 1


def test_second_head_for_a_registered_household(tree, people):
    helpers.resident(tree.unit, name="户主甲", room="101", relation="head")
    rows = [["化机小区", "1号楼", "1单元", "101", "王大明", GOOD_ID, "", "户主", ""]]
    with pytest.raises(ValidationError) as caught:
        run_import(actor_for(people.worker), rows)
    assert caught.value.details == [{"row": 2, "reason": "1单元101室已登记户主。"}]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"header": ["小区", "楼栋", "单元", "姓名", "手机号"]},
            "缺少列：门牌号、身份证号、与户主关系。第一行表头应为：小区、楼栋、单元、门牌号、姓名、"
            "身份证号、手机号、与户主关系、标签。",
        ),
        (
            {"sheet": "Sheet1"},
            "找不到名为“居民信息”的工作表（文件中的工作表：Sheet1）。请使用下载的模板。",
        ),
        (
            {"header": []},
            "文件是空的：第一行应为表头（小区、楼栋、单元、门牌号、姓名、身份证号、"
            "手机号、与户主关系、标签）。",
        ),
    ],
)
def test_file_level_problems(tree, people, kwargs, message):
    rows = [] if kwargs.get("header") == [] else good_rows()
    with pytest.raises(ValidationError) as caught:
        run_import(actor_for(people.worker), rows, **kwargs)
    assert caught.value.message == message
    assert Resident.objects.count() == 0


def test_header_only_file(tree, people):
    with pytest.raises(ValidationError) as caught:
        run_import(actor_for(people.worker), [])
    assert caught.value.message == "文件中没有居民数据：请从第二行起填写。"


def test_not_an_xlsx(tree, people):
    actor = actor_for(people.worker)
    with pytest.raises(ValidationError) as caught:
        excel.resident_import(actor=actor, file=io.BytesIO(b"name,id\n"), filename="a.xlsx")
    assert caught.value.message == "无法读取该文件：不是有效的 .xlsx 格式 Excel 文件。"
    with pytest.raises(ValidationError) as caught:
        excel.resident_import(actor=actor, file=io.BytesIO(b"x"), filename="居民.xls")
    assert caught.value.message == "请上传 .xlsx 格式的 Excel 文件（Excel 2007 及以上版本）。"


@pytest.mark.parametrize("who", ["street_officer", "building_head", "inspector", "resident"])
def test_import_needs_the_permission(tree, people, who):
    with pytest.raises(PermissionDenied):
        run_import(actor_for(getattr(people, who)))
    assert Resident.objects.count() == 0


def test_ten_thousand_rows_import(tree, people):
    # given a file of 10,000 residents, four to a door
    rows = []
    start = dt.date(1940, 1, 1)
    for i in range(10_000):
        birth = start + dt.timedelta(days=i)
        unit = "1单元" if i % 2 else "2单元"
        rows.append(
            [
                "化机小区",
                "1号楼",
                unit,
                str(i // 8 + 1),
                f"居民{i}",
                make_id_number("110101", birth, i % 1000),
                f"139{i:08d}",
                "户主" if i % 8 < 2 else "子女",
                "党员" if i % 10 == 0 else "",
            ]
        )
    data = helpers.xlsx(rows)
    # when it is imported
    # (its speed is measured by bench/import_residents.py, not here)
    result = excel.resident_import(actor=actor_for(people.worker), file=data, filename="big.xlsx")
    # then every row is in, counted once per unit
    assert (result.residents, result.households) == (10_000, 2_500)
    assert Resident.objects.count() == 10_000
    assert ResidentTag.objects.filter(tag=Tag.PARTY_MEMBER).count() == 1_000
    assert stat(tree.community) == (10_000, 2_500)
    assert stat(tree.unit) == (5_000, 1_250)
    assert AuditRecord.objects.filter(action="resident.import").count() == 1


def test_export_reads_back_masked(tree, people):
    # given two residents, one with a sensitive tag
    helpers.resident(
        tree.unit,
        name="王大明",
        number=GOOD_ID,
        phone="13800138000",
        relation="head",
        tags=[Tag.LOW_INCOME],
    )
    helpers.resident(tree.other_unit, name="外社区", seq=3)
    # when the worker exports
    out, count = excel.resident_export(actor=actor_for(people.worker), today=dt.date(2026, 6, 1))
    # then the sheet shows masked numbers and only the worker's community
    wb = load_workbook(out, read_only=True)
    rows = [list(r) for r in wb["居民信息"].iter_rows(values_only=True)]
    assert count == 1
    assert rows == [
        excel.EXPORT_COLUMNS,
        [
            "站前社区",
            "化机小区",
            "1号楼",
            "1单元",
            "101",
            "王大明",
            "男",
            76,
            "110101********" + GOOD_ID[-4:],
            "138****8000",
            "户主",
            "60岁以上，低保",
        ],
    ]
    record = AuditRecord.objects.get(action="resident.export")
    assert record.changes["count"] == 1


def test_export_hides_sensitive_tags_and_needs_permission(tree, people):
    helpers.resident(tree.unit, tags=[Tag.LOW_INCOME, Tag.VETERAN], birth=dt.date(1990, 1, 1))
    out, _ = excel.resident_export(
        actor=actor_for(people.street_officer), today=dt.date(2026, 6, 1)
    )
    assert out is not None
    with pytest.raises(PermissionDenied):
        excel.resident_export(actor=actor_for(people.building_head))
    with pytest.raises(PermissionDenied):
        excel.resident_export(actor=actor_for(people.inspector))


def test_duplicate_registered_during_the_import_is_caught(tree, people, monkeypatch):
    # given the pre-check misses a resident another clerk registered meanwhile
    helpers.resident(tree.unit, name="钱多多", number=GOOD_ID, room="909")
    real = excel._check_against_register

    def blind(rows):
        households = real(rows)
        for row in rows:
            row.errors.clear()
        return households

    monkeypatch.setattr(excel, "_check_against_register", blind)
    # when the import reaches the unique constraint
    with pytest.raises(ValidationError) as caught:
        run_import(actor_for(people.worker))
    # then it is refused whole, with a Chinese message
    assert caught.value.message == (
        "导入期间有人登记了相同的身份证号或门牌，未导入任何数据，请重新上传。"
    )
    assert Resident.objects.count() == 1
    assert Household.objects.count() == 1
    assert AuditRecord.objects.filter(action="resident.import").count() == 0
