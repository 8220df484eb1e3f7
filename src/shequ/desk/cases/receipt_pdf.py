"""受理回执 as a PDF: what the window accepted, when it will be done, and how
the applicant follows it on a phone (the lookup page, and a QR code to it).

Printing is a read of the case, like the one-time notice: nothing is
written. The applicant's name is masked and the phone's last four digits,
the lookup's secret, are not printed (as on the notice), so a lost receipt
does not open the case to whoever finds it. What the sheet prints
(``ReceiptSheet``) keys a small per-process cache of rendered files, as the
notice's does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from shequ.core.errors import Conflict
from shequ.core.pdf import (
    INK,
    MUTED,
    FontFile,
    cjk_font,
    date_text,
    draw_qr,
    heading,
    label_rows,
    sheet,
)
from shequ.core.pii import mask_name
from shequ.desk.cases.pdf import time_limit_text
from shequ.desk.models import Case


@dataclass(frozen=True)
class ReceiptSheet:
    """Everything the receipt prints, as text."""

    number: str
    community: str
    rows: tuple[tuple[str, str], ...]
    received: tuple[tuple[str, str, str], ...]
    missing: tuple[tuple[str, str, str], ...]
    supplement: str  # the 容缺 line under the missing materials ("" when none)
    lookup: str
    qr_url: str
    issued: str


def lookup_link(lookup_url: str, number: str) -> str:
    """The lookup page with the receipt number filled in: the QR code's target."""
    return f"{lookup_url}?{urlencode({'receipt_no': number})}"


def lookup_text(*, lookup_url: str, number: str) -> str:
    return (
        f"扫描右上角的二维码，或打开社区办事查询页面（{lookup_url}），"
        f"输入受理编号{number}和您登记的手机号后四位，即可查看办理进度；"
        "办结后可在该页面评价（好差评）。"
    )


def receipt_pdf(case: Case, *, lookup_url: str, size: str = "A4") -> bytes:
    """Render the receipt of an accepted case. ``case`` is loaded with its
    community, version, window and accepted_by (``case_get`` does);
    ``lookup_url`` is the absolute address of the public lookup page."""
    if case.accepted_at is None:
        raise Conflict("该办件尚未受理，没有受理回执。")
    font = cjk_font()
    version = case.version
    accepted = timezone.localtime(case.accepted_at)
    window = case.window
    place = case.community.name + (f" · {window.name}" if window is not None else "")
    rows = [
        ("受理单位", place),
        ("受理时间", f"{date_text(accepted.date())} {accepted:%H:%M}"),
        ("申请人", mask_name(case.applicant_name)),
        ("联系电话", f"{case.phone_head}********（后四位用于查询，不予打印）"),
        ("申请事项", f"{version.name}（第{version.number}版）"),
        (
            "办理时限",
            time_limit_text(
                promised_days=case.promised_days,
                legal_days=version.legal_days,
                kind=version.get_kind_display(),
            ),
        ),
    ]
    if case.promised_days and case.due_date is not None:
        due = date_text(case.due_date) + "前"
        if case.due_uncertain:
            due += "（节假日安排未公布，期限待定）"
        rows.append(("承诺办结日期", due))
    if case.accepted_by is not None:
        rows.append(("受理人", str(case.accepted_by)))
    supplement = ""
    if case.missing_materials:
        supplement = "容缺受理：上列材料请补齐后交到受理窗口"
        if case.supplement_by is not None:
            supplement = (
                f"容缺受理：上列材料请于{date_text(case.supplement_by)}前补齐，交到受理窗口"
            )
        supplement += "（补交时出示本回执）。"
    printed = ReceiptSheet(
        number=case.receipt_no,
        community=case.community.name,
        rows=tuple(rows),
        received=_materials(m for m in case.materials if m.get("provided")),
        missing=_materials(case.missing_materials),
        supplement=supplement,
        lookup=lookup_text(lookup_url=lookup_url, number=case.receipt_no),
        qr_url=lookup_link(lookup_url, case.receipt_no),
        issued=date_text(accepted.date()),
    )
    return _render(printed, font, size)


def _materials(materials) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (str(n), m["name"], m.get("original_or_copy") or "—")
        for n, m in enumerate(materials, start=1)
    )


@dataclass(frozen=True)
class _Look:
    """Type sizes (pt), line heights and the QR code's side (mm) of one paper."""

    title: float
    text: float
    line: float
    heading: float
    label: float
    qr: float


# The QR code, quiet zone included, reads from arm's length at either size.
_LOOKS = {
    "A4": _Look(title=20, text=10.5, line=6.5, heading=12.5, label=28, qr=32),
    "A5": _Look(title=16, text=9, line=5.2, heading=10.5, label=24, qr=28),
}


@lru_cache(maxsize=64)
def _render(printed: ReceiptSheet, font: FontFile, size: str) -> bytes:
    look = _LOOKS[size]
    pdf = sheet(title=f"受理回执 {printed.number}", author=printed.community, font=font, size=size)
    width = pdf.epw

    pdf.set_font("cjk", size=look.title)
    pdf.set_text_color(*INK)
    pdf.cell(width, look.title * 0.6, "受理回执", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=look.text - 0.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        width, look.line, f"受理编号：{printed.number}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(look.line / 2)

    # The QR code sits top right, beside the rows, with its caption under it.
    top = pdf.get_y()
    qr_x = pdf.l_margin + width - look.qr
    draw_qr(pdf, printed.qr_url, x=qr_x, y=top, size=look.qr)
    pdf.set_xy(qr_x, top + look.qr)
    pdf.set_font("cjk", size=look.text - 1.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(look.qr, look.line - 1, "扫码查询办理进度", align="C")
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font("cjk", size=look.text + 0.5)
    label_rows(
        pdf, printed.rows, label_width=look.label, height=look.line + 0.5, width=width - look.qr - 3
    )
    pdf.set_y(max(pdf.get_y(), top + look.qr + look.line))
    pdf.ln(look.line / 2)

    _heading(pdf, f"已收材料（共{len(printed.received)}项）", look)
    _table(pdf, printed.received, look)
    if printed.missing:
        _heading(pdf, f"容缺材料（共{len(printed.missing)}项，待补齐）", look)
        _table(pdf, printed.missing, look)
        pdf.set_font("cjk", size=look.text)
        pdf.multi_cell(width, look.line, printed.supplement, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(look.line / 3)

    _heading(pdf, "查询办理进度", look)
    pdf.set_font("cjk", size=look.text)
    pdf.multi_cell(width, look.line, printed.lookup, new_x="LMARGIN", new_y="NEXT")

    pdf.ln(look.line / 2)
    pdf.set_text_color(*MUTED)
    pdf.set_font("cjk", size=look.text - 1)
    pdf.cell(
        width,
        look.line,
        f"{printed.community}（盖章）　　{printed.issued}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, look: _Look) -> None:
    heading(pdf, text, size=look.heading, height=look.line + 1.5)


def _table(pdf: FPDF, rows: tuple[tuple[str, str, str], ...], look: _Look) -> None:
    pdf.set_font("cjk", size=look.text)
    if not rows:
        pdf.multi_cell(pdf.epw, look.line, "无", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(look.line / 3)
        return
    with pdf.table(
        col_widths=(12, 90, 40),
        text_align=("CENTER", "LEFT", "CENTER"),
        headings_style=FontFace(emphasis="", fill_color=(241, 243, 245)),
        line_height=look.line,
        padding=1.2,
    ) as table:
        table.row(("序号", "材料名称", "原件/复印件"))
        for row in rows:
            table.row(row)
    pdf.ln(look.line / 2)


__all__ = ["lookup_link", "lookup_text", "receipt_pdf"]
