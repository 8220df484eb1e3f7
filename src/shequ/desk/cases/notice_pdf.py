"""一次性告知单 as a PDF: what the applicant still has to bring, once.

The font, page and helpers are the desk's shared ones (``cases/pdf.py``).
The notice is read from its row each time it is asked for; what the sheet
prints (``NoticeSheet``) keys a small per-process cache of rendered files,
since subsetting the CJK font costs about a second and an issued notice
prints the same every time (a changed row is a new key).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone
from fpdf.fonts import FontFace

from shequ.core.pdf import (
    INK,
    MUTED,
    FontFile,
    FontMissing,
    cjk_font,
    date_text,
    heading,
    label_rows,
    sheet,
)
from shequ.core.pii import mask_name
from shequ.desk.cases.pdf import time_limit_text
from shequ.desk.models import Notice


@dataclass(frozen=True)
class NoticeSheet:
    """Everything the one-time notice prints, as text."""

    number: str
    community: str
    rows: tuple[tuple[str, str], ...]
    missing: tuple[tuple[str, str, str, str], ...]
    checked: str
    lookup_url: str
    issued: str


def notice_pdf(notice: Notice) -> bytes:
    """Render the one-time notice. ``notice`` is loaded with its community,
    item, version and window (the selectors do)."""
    font = cjk_font()
    version = notice.version
    issued_on = timezone.localtime(notice.issued_at).date()
    window = notice.window
    place = notice.community.name + (f" · {window.name}" if window is not None else "")
    issued = date_text(issued_on)
    printed = NoticeSheet(
        number=notice.number,
        community=notice.community.name,
        rows=(
            ("社区窗口", place),
            ("出具日期", issued),
            ("申请人", mask_name(notice.applicant_name)),
            ("申请事项", f"{version.name}（第{version.number}版）"),
            (
                "办理时限",
                time_limit_text(
                    promised_days=version.promised_days,
                    legal_days=version.legal_days,
                    kind=version.get_kind_display(),
                ),
            ),
        ),
        missing=tuple(
            (
                str(n),
                m["name"],
                m.get("original_or_copy") or "—",
                "是" if m.get("key") else "否",
            )
            for n, m in enumerate(notice.missing_materials, start=1)
        ),
        checked="、".join(m["name"] for m in notice.materials if m.get("provided")) or "无",
        lookup_url=reverse("services:public_lookup"),
        issued=issued,
    )
    return _render(printed, font)


@lru_cache(maxsize=64)
def _render(printed: NoticeSheet, font: FontFile) -> bytes:
    pdf = sheet(title=f"一次性告知单 {printed.number}", author=printed.community, font=font)
    width = pdf.epw

    pdf.set_font("cjk", size=20)
    pdf.set_text_color(*INK)
    pdf.cell(width, 12, "一次性告知单", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 6, f"编号：{printed.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=11)
    label_rows(pdf, printed.rows)
    pdf.ln(3)

    heading(pdf, f"需补齐的材料（共{len(printed.missing)}项）")
    headings = FontFace(emphasis="", fill_color=(241, 243, 245))
    pdf.set_font("cjk", size=10.5)
    with pdf.table(
        col_widths=(10, 80, 45, 30),
        text_align=("CENTER", "LEFT", "CENTER", "CENTER"),
        headings_style=headings,
        line_height=7,
        padding=1.5,
    ) as table:
        table.row(("序号", "材料名称", "原件/复印件", "关键材料"))
        for row in printed.missing:
            table.row(row)
    pdf.ln(4)

    heading(pdf, "已查验的材料（无需再次提交）")
    pdf.set_font("cjk", size=10.5)
    pdf.multi_cell(width, 6.5, printed.checked, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    heading(pdf, "告知事项")
    pdf.set_font("cjk", size=10.5)
    promise = (
        f"1．以上为本事项尚缺的全部材料，一次性告知。请携带上列材料和本告知单到"
        f"{printed.community}综合服务窗口，工作人员将直接受理，不再要求补充其他材料"
        "（一次性告知，最多跑一趟）。"
    )
    lookup = (
        f"2．手机查询：打开社区办事查询页面（{printed.lookup_url}），"
        f"输入告知单编号{printed.number}和您登记的手机号后四位，即可查看本告知单；"
        "受理后凭受理编号查询办理进度，办结后可在该页面评价（好差评）。"
    )
    for line in (promise, lookup):
        pdf.multi_cell(width, 6.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    pdf.ln(6)
    pdf.set_text_color(*MUTED)
    pdf.set_font("cjk", size=9.5)
    pdf.cell(
        width,
        6,
        f"{printed.community}（盖章）　　{printed.issued}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


__all__ = ["FontMissing", "cjk_font", "notice_pdf"]
