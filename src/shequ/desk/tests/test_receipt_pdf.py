"""The 受理回执 PDF of a case, read back with pypdf: what it prints, the QR
code it draws, its paper sizes, and who may print it (a read: nothing is
written)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
import segno
from django.urls import reverse

from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.pdf import QR_BORDER, qr_rectangles
from shequ.core.scope import Actor
from shequ.core.tests.pdfs import filled_rectangles, page_sizes, pdf_text
from shequ.desk.cases.receipt_pdf import lookup_link, lookup_text
from shequ.desk.cases.services import case_apply_online, case_intake
from shequ.desk.models import Case, CaseState, ItemKind, Notice, Visit
from shequ.desk.tests.conftest import ALL_MATERIALS, applicant
from shequ.desk.tests.helpers import adopt, make_item
from shequ.residents.tests.helpers import resident

pytestmark = pytest.mark.django_db

LOOKUP = "http://testserver/services/banshi/"
MM = 72 / 25.4  # points per millimetre


def _accepted(desk, **kw) -> Case:
    """Accepted with 容缺: the photo (not a key material) comes by 11-06."""
    args = {
        "actor": desk.worker_actor,
        "community": desk.community,
        "item": desk.item,
        "applicant": applicant(),
        "provided": ["居民身份证", "户口簿"],
        "window": desk.window,
        "supplement_by": dt.date(2026, 11, 6),
    } | kw
    return case_intake(**args).case


def written() -> tuple:
    """What a write would add to: cases by state, notices, visits, history, audit."""
    return (
        list(Case.objects.order_by("id").values_list("id", "status")),
        Notice.objects.count(),
        Visit.objects.count(),
        TimelineEvent.objects.count(),
        AuditRecord.objects.count(),
    )


def receipt_url(case: Case, query: str = "") -> str:
    return reverse("services:case_receipt", kwargs={"case_id": case.pk}) + query


def _section(text: str, start: str, end: str) -> list[str]:
    return text[text.index(start) + len(start) : text.index(end)].split()


def test_receipt_prints_the_number_items_materials_promise_and_lookup(client, desk, clock):
    # given: a case accepted on Monday 11-02 with the photo still to come
    clock.set("2026-11-02")
    case = _accepted(desk)
    client.force_login(desk.worker)
    before = written()

    # when: the worker prints its receipt
    response = client.get(receipt_url(case))

    # then: a PDF named after the number, and printing wrote nothing
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = quote(f"受理回执_{case.receipt_no}.pdf")
    assert response["Content-Disposition"] == f"inline; filename*=UTF-8''{filename}"
    assert written() == before
    text = pdf_text(response.content)
    flat = text.replace("\n", "")
    assert case.receipt_no == "2103020010012026110200001"
    assert text.split()[:3] == ["受理回执", f"受理编号：{case.receipt_no}", "扫码查询办理进度"]
    assert "申请事项高龄津贴申领（第1版）" in flat
    assert "办理时限材料齐全受理后5个工作日内办结（法定时限15个工作日，承诺件）" in flat
    assert "承诺办结日期2026年11月9日前" in flat
    # What was received, and the 容缺 material with its date
    assert _section(text, "已收材料（共2项）", "容缺材料") == [
        *("序号", "材料名称", "原件/复印件"),
        *("1", "居民身份证", "原件和复印件"),
        *("2", "户口簿", "原件"),
    ]
    assert _section(text, "容缺材料（共1项，待补齐）", "容缺受理：") == [
        *("序号", "材料名称", "原件/复印件"),
        *("1", "近期一寸免冠照片", "原件"),
    ]
    assert "容缺受理：上列材料请于2026年11月6日前补齐，交到受理窗口（补交时出示本回执）。" in flat
    # How to look it up: the absolute lookup page, the number, the phone's tail
    assert lookup_text(lookup_url=LOOKUP, number=case.receipt_no) in flat
    assert lookup_text(lookup_url=LOOKUP, number=case.receipt_no) == (
        "扫描右上角的二维码，或打开社区办事查询页面（http://testserver/services/banshi/），"
        "输入受理编号2103020010012026110200001和您登记的手机号后四位，即可查看办理进度；"
        "办结后可在该页面评价（好差评）。"
    )
    # The applicant masked; the phone's last digits are the lookup secret: not printed
    assert "申请人王**" in flat and "王秀兰" not in flat
    assert "联系电话138********（后四位用于查询，不予打印）" in flat
    assert "1234" not in flat.replace(case.receipt_no, "")


def test_an_immediate_item_prints_jibanjian_and_no_date(client, tree, desk, clock):
    # given: an item promised in 0 working days, all materials brought
    clock.set("2026-11-02")
    item = make_item(
        tree.district,
        code="ZM-001",
        name="居住证明开具",
        promised_days=0,
        legal_days=3,
        kind=ItemKind.IMMEDIATE,
    )
    adopt(tree.community, item)
    case = _accepted(desk, item=item, provided=ALL_MATERIALS, supplement_by=None)
    client.force_login(desk.worker)

    # when
    text = pdf_text(client.get(receipt_url(case)).content).replace("\n", "")

    # then: the notice's wording, no date and no 容缺 section
    assert "办理时限即办件，材料齐全即可当场办结（法定时限3个工作日，即办件）" in text
    assert "承诺办结日期" not in text
    assert "0个工作日" not in text
    assert "容缺" not in text


def test_qr_rectangles_cover_exactly_the_dark_modules():
    # given: the lookup address of a receipt, as its QR code carries it
    url = lookup_link(LOOKUP, "2103020010012026110200001")
    assert url == "http://testserver/services/banshi/?receipt_no=2103020010012026110200001"
    matrix = segno.make(url, error="m").matrix

    # when: the rectangles are laid on an empty grid
    grid = [[0] * len(matrix) for _ in matrix]
    for x, y, w, h in qr_rectangles(url):
        for row in range(y, y + h):
            for col in range(x, x + w):
                assert grid[row][col] == 0, (col, row)  # no module drawn twice
                grid[row][col] = 1

    # then: they are the symbol's dark modules, nothing more or less
    assert grid == [list(row) for row in matrix]


def test_the_receipt_draws_the_qr_code_of_its_lookup_link(client, desk, clock):
    # given
    clock.set("2026-11-02")
    case = _accepted(desk)
    client.force_login(desk.worker)
    expected = qr_rectangles(lookup_link(LOOKUP, case.receipt_no))
    sides = len(segno.make(lookup_link(LOOKUP, case.receipt_no), error="m").matrix)

    for query, qr_mm in (("", 32), ("?size=a5", 28)):
        # when: the filled rectangles of the page are read back
        drawn = filled_rectangles(client.get(receipt_url(case, query)).content)

        # then: in modules from the symbol's corner, they are the QR code's
        module = qr_mm * MM / (sides + 2 * QR_BORDER)
        left = min(x for x, _y, _w, _h in drawn)
        top = max(y for _x, y, _w, _h in drawn)
        found = sorted(
            (
                round((x - left) / module),
                round((top - y) / module),
                round(w / module),
                round(-h / module),
            )
            for x, y, w, h in drawn
        )
        assert found == sorted(expected), query


def test_a4_by_default_and_exactly_a5_on_one_page_when_asked(client, desk, clock):
    clock.set("2026-11-02")
    case = _accepted(desk)
    client.force_login(desk.worker)

    a4 = client.get(receipt_url(case)).content
    a5 = client.get(receipt_url(case, "?size=a5")).content

    assert [(round(w, 2), round(h, 2)) for w, h in page_sizes(a4)] == [(595.28, 841.89)]
    assert [(round(w, 2), round(h, 2)) for w, h in page_sizes(a5)] == [(419.53, 595.28)]
    assert [(round(w / MM), round(h / MM)) for w, h in page_sizes(a5)] == [(148, 210)]
    assert case.receipt_no in pdf_text(a5)


def test_a_case_outside_the_scope_is_the_case_pages_404_and_nothing_is_written(
    client, people, desk, clock
):
    # given: a case of 站前社区, and the worker of another community
    clock.set("2026-11-02")
    case = _accepted(desk)
    client.force_login(people.other_worker)
    before = written()

    # when
    receipt = client.get(receipt_url(case))
    page = client.get(reverse("services:case", kwargs={"case_id": case.pk}))

    # then: the same Chinese 404 as the case page, and no row anywhere
    assert receipt.status_code == page.status_code == 404
    assert receipt["Content-Type"] == page["Content-Type"] == "text/html; charset=utf-8"
    message = "办件不存在，或不在您的管辖范围内。"
    assert message in receipt.content.decode() and message in page.content.decode()
    assert written() == before
    assert Case.objects.get().status == CaseState.ACCEPTED


def test_an_application_not_yet_accepted_has_no_receipt(client, tree, people, desk, clock):
    # given: an online application the window has not checked yet
    clock.set("2026-11-02")
    me = resident(tree.unit, name="李桂英", seq=3, phone="13912345678")
    me.user = people.resident
    me.save(update_fields=["user"])
    item = make_item(tree.district, code="ZM-009", name="居住证明开具", online_allowed=True)
    adopt(tree.community, item)
    case = case_apply_online(
        actor=Actor.for_user(people.resident),
        community=tree.community,
        item=item,
        phone="",
        provided=ALL_MATERIALS,
    )
    client.force_login(desk.worker)

    # when
    response = client.get(receipt_url(case))
    page = client.get(reverse("services:case", kwargs={"case_id": case.pk})).content.decode()

    # then: refused in Chinese, and the case page offers no receipt
    assert response.status_code == 409
    assert "该办件尚未受理，没有受理回执。" in response.content.decode()
    assert 'id="print-receipt"' not in page and "打印受理回执" not in page


def test_the_case_page_offers_the_receipt_in_a4_a5_and_as_a_download(client, desk, clock):
    clock.set("2026-11-02")
    case = _accepted(desk)
    client.force_login(desk.worker)

    page = client.get(reverse("services:case", kwargs={"case_id": case.pk})).content.decode()

    url = receipt_url(case)
    assert (
        f'<a class="btn btn-outline-primary" id="print-receipt" href="{url}" target="_blank"'
        ' rel="noopener">打印受理回执</a>'
    ) in page
    assert f'id="print-receipt-a5" href="{url}?size=a5"' in page
    assert f'id="download-receipt" href="{url}" download="受理回执_{case.receipt_no}.pdf"' in page
