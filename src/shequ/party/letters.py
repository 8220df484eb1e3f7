"""中国共产党党员组织关系介绍信 as a PDF, in the usual three parts on one A4
sheet: the stub (存根) the issuing organisation keeps, the letter the
member carries to the receiving organisation, and the receipt (回执) that
comes back — each cut off along a dashed line.

The letter names the member with gender, age and the ID number in clear,
as the form asks; whoever prints it has been recorded as viewing that
number (``services.transfers.transfer_letter_print``). Nothing is cached:
the rendered sheet holds personal data.

The issuing organisation is the sending one (转出, 区内转移); for 转入 the
letter from outside came to the receiver's upper organisation, which
forwards the member with this letter to the receiving organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from shequ.core.idcard import age_on
from shequ.core.pdf import INK, MUTED, RED, cjk_font, date_text, label_rows, sheet
from shequ.core.pii import decrypt
from shequ.party.models import PartyOrg, Standing, Transfer, TransferKind

TITLE = "中国共产党党员组织关系介绍信"
LINE = 7.0  # mm: a line of body text
TEXT = 11.5  # pt


@dataclass(frozen=True)
class LetterSheet:
    """Everything the letter prints, as text."""

    number: str
    name: str
    gender: str
    age: int
    standing: str  # 正式 / 预备
    id_number: str
    from_org: str
    to_org: str
    issuer: str
    valid_days: int
    issued: str
    kind: str
    reason: str


def _issuer(transfer: Transfer) -> str:
    if transfer.from_org is not None:
        return transfer.from_org.name
    receiver: PartyOrg | None = transfer.to_org
    if receiver is None:
        return transfer.from_org_name
    return receiver.parent.name if receiver.parent is not None else receiver.name


def letter_sheet(transfer: Transfer) -> LetterSheet:
    """What ``transfer`` prints. It is loaded with its resident, member and
    both organisations with their parents (``transfer_get`` does)."""
    resident = transfer.resident
    standing = transfer.standing
    if transfer.kind != TransferKind.IN and transfer.member is not None:
        standing = transfer.member.standing
    return LetterSheet(
        number=transfer.number,
        name=resident.name,
        gender=resident.get_gender_display(),
        age=age_on(resident.birth_date, transfer.requested_on),
        standing="预备" if standing == Standing.PROBATIONARY else "正式",
        id_number=decrypt(resident.id_number_enc),
        from_org=transfer.from_org_name,
        to_org=transfer.to_org_name,
        issuer=_issuer(transfer),
        valid_days=(transfer.complete_due - transfer.requested_on).days,
        issued=date_text(transfer.requested_on),
        kind=transfer.get_kind_display(),
        reason=transfer.get_reason_display(),
    )


def transfer_letter_pdf(transfer: Transfer) -> bytes:
    return render(letter_sheet(transfer))


def render(letter: LetterSheet) -> bytes:
    pdf = sheet(title=f"{TITLE} {letter.number}", author=letter.issuer, font=cjk_font())
    width = pdf.epw

    # 存根: what the issuing organisation keeps.
    _title(pdf, f"{TITLE}（存根）", size=14)
    _number(pdf, letter.number)
    _paragraph(
        pdf,
        f"{letter.name}同志系中共{letter.standing}党员，"
        f"组织关系由{letter.from_org}转到{letter.to_org}。",
    )
    pdf.set_font("cjk", size=TEXT - 1.5)
    label_rows(
        pdf,
        (
            ("性别、年龄", f"{letter.gender}，{letter.age}岁"),
            ("身份证号码", letter.id_number),
            ("接转类别", f"{letter.kind}（{letter.reason}）"),
            ("有效期", f"{letter.valid_days}天"),
        ),
        label_width=26,
        height=LINE - 1,
    )
    _signature(pdf, "", letter.issued)
    _cut(pdf, width)

    # 介绍信: what the member carries to the receiving organisation.
    _title(pdf, TITLE, size=17, colour=RED)
    _number(pdf, letter.number)
    pdf.set_font("cjk", size=TEXT)
    pdf.cell(width, LINE, f"{letter.to_org}：", new_x="LMARGIN", new_y="NEXT")
    _paragraph(
        pdf,
        f"{letter.name}同志（{letter.gender}，{letter.age}岁），系中共{letter.standing}党员，"
        f"身份证号码{letter.id_number}，组织关系由{letter.from_org}转到{letter.to_org}，请接洽。",
    )
    _paragraph(pdf, f"（有效期{letter.valid_days}天）")
    _signature(pdf, f"{letter.issuer}（盖章）", letter.issued)
    _cut(pdf, width)

    # 回执: what the receiving organisation sends back.
    _title(pdf, f"{TITLE}回执", size=14)
    _number(pdf, letter.number)
    pdf.set_font("cjk", size=TEXT)
    pdf.cell(width, LINE, f"{letter.issuer}：", new_x="LMARGIN", new_y="NEXT")
    _paragraph(pdf, f"{letter.name}同志的党员组织关系已转达我处，特此回复。")
    _signature(pdf, "接收党组织（盖章）", "　　年　　月　　日")
    return bytes(pdf.output())


def _title(pdf: FPDF, text: str, *, size: float, colour: tuple[int, int, int] = INK) -> None:
    pdf.set_font("cjk", size=size)
    pdf.set_text_color(*colour)
    pdf.cell(pdf.epw, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _number(pdf: FPDF, number: str) -> None:
    pdf.set_font("cjk", size=TEXT - 1)
    pdf.set_text_color(*MUTED)
    pdf.cell(pdf.epw, LINE, f"第 {number} 号", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _paragraph(pdf: FPDF, text: str) -> None:
    # Two full-width spaces: the first-line indent of a Chinese letter.
    pdf.set_font("cjk", size=TEXT)
    pdf.multi_cell(pdf.epw, LINE, "　　" + text, new_x="LMARGIN", new_y="NEXT")


def _signature(pdf: FPDF, issuer: str, day: str) -> None:
    pdf.set_font("cjk", size=TEXT)
    if issuer:
        pdf.cell(pdf.epw, LINE, issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(pdf.epw, LINE, day, align="R", new_x="LMARGIN", new_y="NEXT")


def _cut(pdf: FPDF, width: float) -> None:
    """A dashed line across the sheet with its caption: cut here."""
    pdf.ln(LINE / 2)
    y = pdf.get_y() + LINE / 2
    pdf.set_draw_color(*MUTED)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
    pdf.set_dash_pattern()
    pdf.set_font("cjk", size=TEXT - 3)
    pdf.set_text_color(*MUTED)
    caption = "（沿此线剪开）"
    caption_width = pdf.get_string_width(caption) + 4
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin + (width - caption_width) / 2, y - LINE / 4)
    pdf.cell(caption_width, LINE / 2, caption, align="C", fill=True)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, y + LINE)
