"""报到反馈函 as a PDF: the community's quarterly letter to a stationed
unit's party organisation, listing each of its in-service members' services
in the community (date, what, hours) and the totals.

What the letter prints (``LetterSheet``, text only) keys a small
per-process cache of rendered files: subsetting the CJK font costs about a
second, and the same quarter prints the same until a service or the
letter's number changes it (a new key).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from fpdf.fonts import FontFace

from shequ.core.pdf import INK, MUTED, FontFile, cjk_font, date_text, heading, sheet
from shequ.party.selectors.reporting import LetterData

TITLE = "在职党员到社区报到服务情况反馈函"


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


@dataclass(frozen=True)
class MemberBlock:
    name: str
    rows: tuple[tuple[str, str, str], ...]  # date, what, hours
    subtotal: str


@dataclass(frozen=True)
class LetterSheet:
    number: str
    addressee: str
    opening: str
    members: tuple[MemberBlock, ...]
    total: str
    sender: str
    dated: str


def letter_pdf(data: LetterData) -> bytes:
    """Render the quarter's letter (numbered once it has been sent)."""
    year, q = data.quarter[:4], data.quarter[5]
    period = f"{year}年第{q}季度（{date_text(data.start)}至{date_text(data.end)}）"
    printed = LetterSheet(
        number=data.letter.number if data.letter else "（尚未发送）",
        addressee=f"{data.addressee}：",
        opening=(
            f"贵单位在职党员到{data.community.name}报到后，积极参加社区服务。"
            f"{period}，共有{len(data.members)}名党员参加服务{data.services}次、"
            f"累计{_hours(data.hours)}小时。现将服务情况反馈如下，请在党员教育管理和"
            "评先评优中参考。"
        ),
        members=tuple(
            MemberBlock(
                name=m.name,
                rows=tuple((r.day.strftime("%Y-%m-%d"), r.what, _hours(r.hours)) for r in m.rows),
                subtotal=f"小计：{m.services}次，{_hours(m.hours)}小时",
            )
            for m in data.members
        ),
        total=f"合计：{len(data.members)}名党员，服务{data.services}次，{_hours(data.hours)}小时",
        sender=data.sender,
        dated=date_text(data.today),
    )
    return _render(printed, cjk_font())


@lru_cache(maxsize=64)
def _render(printed: LetterSheet, font: FontFile) -> bytes:
    pdf = sheet(title=f"{TITLE} {printed.number}", author=printed.sender, font=font)
    width = pdf.epw

    pdf.set_font("cjk", size=18)
    pdf.set_text_color(*INK)
    pdf.cell(width, 12, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 6, f"编号：{printed.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=12)
    pdf.cell(width, 8, printed.addressee, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(width, 7, "　　" + printed.opening, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    headings = FontFace(emphasis="", fill_color=(241, 243, 245))
    for block in printed.members:
        heading(pdf, block.name, size=12, height=8)
        pdf.set_font("cjk", size=10.5)
        with pdf.table(
            col_widths=(30, 110, 25),
            text_align=("CENTER", "LEFT", "CENTER"),
            headings_style=headings,
            line_height=7,
            padding=1.5,
        ) as table:
            table.row(("日期", "服务内容", "时长（小时）"))
            for row in block.rows:
                table.row(row)
        pdf.set_font("cjk", size=10.5)
        pdf.cell(width, 7, block.subtotal, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    pdf.ln(2)
    pdf.set_font("cjk", size=11.5)
    pdf.cell(width, 8, printed.total, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(width, 7, "　　感谢贵单位对社区工作的支持！", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(width, 7, f"{printed.sender}（盖章）", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 7, printed.dated, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
