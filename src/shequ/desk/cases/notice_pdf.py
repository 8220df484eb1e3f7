"""一次性告知单 as a PDF: what the applicant still has to bring, once.

The font is the system's Noto Sans CJK SC (Debian ``fonts-noto-cjk``), found
through fontconfig and embedded as a subset, so the file reads the same on any
phone or printer. The notice is read from its row each time it is asked
for; what the sheet prints (``NoticeSheet``) keys a small per-process cache
of rendered files, since subsetting the CJK font costs about a second and
an issued notice prints the same every time (a changed row is a new key).

Note for readers of the file with ``pypdf``: Noto CJK has CFF outlines, which
fpdf2 embeds as a CIDFontType0 with an embedded encoding CMap. Viewers and
printers honour it; ``pypdf.extract_text`` does not (it reads such codes one
byte at a time), so tests decode the text through the font's ToUnicode map.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from shequ.core.errors import DomainError
from shequ.core.pii import mask_name
from shequ.desk.models import Notice

FONT_FAMILY = "Noto Sans CJK SC"
FONT_PATTERN = f"{FONT_FAMILY}:lang=zh-cn"


class FontMissing(DomainError):
    status = 503


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int  # face number inside a TrueType/OpenType collection (.ttc)


def cjk_font() -> FontFile:
    """The file and face of a Simplified-Chinese font, as fontconfig has it.
    fc-match always answers with something, so the face must cover zh-cn."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise FontMissing(_MISSING)
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [fc_match, "-f", "%{file}\n%{index}\n%{lang}", FONT_PATTERN],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise FontMissing(_MISSING) from error
    parts = out.split("\n")
    if len(parts) < 3 or not parts[0] or "zh-cn" not in parts[2].split("|"):
        raise FontMissing(_MISSING)
    try:
        index = int(parts[1] or 0)
    except ValueError:
        index = 0
    return FontFile(path=parts[0], index=index)


_MISSING = (
    "本机没有中文字体，无法生成一次性告知单 PDF。"
    "请系统管理员以 root 运行 `apt-get install fonts-noto-cjk` 后重试。"
)

_INK = (33, 37, 41)
_MUTED = (108, 117, 125)
_RED = (176, 42, 55)


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
    issued = f"{issued_on.year}年{issued_on.month}月{issued_on.day}日"
    sheet = NoticeSheet(
        number=notice.number,
        community=notice.community.name,
        rows=(
            ("社区窗口", place),
            ("出具日期", issued),
            ("申请人", mask_name(notice.applicant_name)),
            ("申请事项", f"{version.name}（第{version.number}版）"),
            (
                "办理时限",
                (
                    f"材料齐全受理后{version.promised_days}个工作日内办结"
                    if version.promised_days
                    else "即办件，材料齐全即可当场办结"
                )
                + f"（法定时限{version.legal_days}个工作日，{version.get_kind_display()}）",
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
    return _render(sheet, font)


@lru_cache(maxsize=64)
def _render(sheet: NoticeSheet, font: FontFile) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(f"一次性告知单 {sheet.number}")
    pdf.set_author(sheet.community)
    pdf.set_creator("Shequ 社区治理平台")
    pdf.add_font("cjk", fname=font.path, collection_font_number=font.index)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("cjk", size=20)
    pdf.set_text_color(*_INK)
    pdf.cell(width, 12, "一次性告知单", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(*_MUTED)
    pdf.cell(width, 6, f"编号：{sheet.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_text_color(*_INK)
    pdf.set_font("cjk", size=11)
    for label, value in sheet.rows:
        pdf.set_text_color(*_MUTED)
        pdf.cell(26, 7, label)
        pdf.set_text_color(*_INK)
        pdf.multi_cell(width - 26, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    _heading(pdf, f"需补齐的材料（共{len(sheet.missing)}项）")
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
        for row in sheet.missing:
            table.row(row)
    pdf.ln(4)

    _heading(pdf, "已查验的材料（无需再次提交）")
    pdf.set_font("cjk", size=10.5)
    pdf.multi_cell(width, 6.5, sheet.checked, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    _heading(pdf, "告知事项")
    pdf.set_font("cjk", size=10.5)
    promise = (
        f"1．以上为本事项尚缺的全部材料，一次性告知。请携带上列材料和本告知单到"
        f"{sheet.community}综合服务窗口，工作人员将直接受理，不再要求补充其他材料"
        "（一次性告知，最多跑一趟）。"
    )
    lookup = (
        f"2．手机查询：打开社区办事查询页面（{sheet.lookup_url}），"
        f"输入告知单编号{sheet.number}和您登记的手机号后四位，即可查看本告知单；"
        "受理后凭受理编号查询办理进度，办结后可在该页面评价（好差评）。"
    )
    for line in (promise, lookup):
        pdf.multi_cell(width, 6.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    pdf.ln(6)
    pdf.set_text_color(*_MUTED)
    pdf.set_font("cjk", size=9.5)
    pdf.cell(
        width,
        6,
        f"{sheet.community}（盖章）　　{sheet.issued}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font("cjk", size=12.5)
    pdf.set_text_color(*_RED)
    pdf.cell(pdf.epw, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*_INK)


__all__ = ["FontMissing", "cjk_font", "notice_pdf"]
