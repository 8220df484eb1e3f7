"""Uploaded workbooks are parsed with defusedxml (entity bombs, XXE refused)."""

import datetime as dt
import io
import zipfile

import openpyxl.xml
import pytest
from openpyxl import Workbook

from shequ.core.errors import ValidationError
from shequ.core.idcard import make_id_number
from shequ.core.tests.factories import actor_for
from shequ.residents import excel
from shequ.residents.models import Resident

GOOD_ID = make_id_number("110101", dt.date(1980, 5, 17), 11)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def test_openpyxl_uses_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_workbook_with_an_entity_bomb_is_refused_in_chinese(tree, people):
    # given a real workbook whose sheet XML declares entities
    wb = Workbook()
    wb.active.title = "居民信息"
    wb.active.append(list(excel.COLUMNS))
    wb.active.append(["化机小区", "1号楼", "1单元", "101", "王芳", GOOD_ID, "", "户主", ""])
    plain = io.BytesIO()
    wb.save(plain)
    bombed = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bombed, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"")
                data = BOMB.encode() + data.replace(b"<worksheet", b"<worksheet", 1)
            dst.writestr(item, data)
    bombed.seek(0)
    # when it is imported, then it is refused as unreadable and nothing is written
    with pytest.raises(ValidationError, match="无法读取该文件"):
        excel.resident_import(actor=actor_for(people.worker), file=bombed, filename="bomb.xlsx")
    assert Resident.objects.count() == 0


def test_the_same_workbook_without_the_bomb_imports(tree, people):
    # (so the refusal above is the entity declaration's doing, nothing else's)
    wb = Workbook()
    wb.active.title = "居民信息"
    wb.active.append(list(excel.COLUMNS))
    wb.active.append(["化机小区", "1号楼", "1单元", "101", "王芳", GOOD_ID, "", "户主", ""])
    plain = io.BytesIO()
    wb.save(plain)
    plain.seek(0)
    result = excel.resident_import(actor=actor_for(people.worker), file=plain, filename="ok.xlsx")
    assert result.residents == 1


FORMULA = '=HYPERLINK("http://evil.invalid/","点我")'


def test_an_exported_name_that_looks_like_a_formula_stays_text(client, tree, people):
    # given residents whose text starts like a formula (issue 16's finding)
    from shequ.residents.tests.helpers import resident

    resident(tree.unit, name=FORMULA, seq=31, room="101")
    resident(tree.unit, name="+86 王芳", seq=32, room="102")
    resident(tree.unit, name="\t@张伟", seq=33, room="103")
    client.force_login(people.worker)

    # when the register is exported
    response = client.get("/residents/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    # then each is a string cell with the quote prefix, never a formula
    cells = [row[5] for row in book.active.iter_rows(min_row=2)]
    assert sorted((c.value, c.data_type, c.quotePrefix) for c in cells) == sorted(
        [(FORMULA, "s", True), ("+86 王芳", "s", True), ("\t@张伟", "s", True)]
    )


def test_every_sheet_the_platform_writes_keeps_text_text():
    from shequ.core import xlsx

    for streaming in (False, True):
        book = xlsx.workbook(streaming=streaming)
        sheet = xlsx.sheet_add(
            book, "表", header=["名称"], rows=[[FORMULA], ["-1+1"], [-1], ["王芳"]]
        )
        if streaming:
            xlsx.append(sheet, ["=1+1"])
        read = openpyxl.load_workbook(io.BytesIO(xlsx.book_bytes(book)))
        values = [(c.value, c.data_type) for (c,) in read.active.iter_rows(min_row=2)]
        assert values[:4] == [(FORMULA, "s"), ("-1+1", "s"), (-1, "n"), ("王芳", "s")]
        assert all(c.quotePrefix for (c,) in read.active.iter_rows(min_row=2, max_row=3))
