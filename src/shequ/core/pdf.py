"""What every printed sheet shares (the desk's 一次性告知单 and 受理回执, the
party module's letters …): the CJK font, the page, the colours, headings and
label rows, the wording of a date, and the QR code drawn as vector rectangles.

The font is the system's Noto Sans CJK SC (Debian ``fonts-noto-cjk``), found
through fontconfig and embedded as a subset, so a file reads the same on any
phone or printer.

Note for readers of the files with ``pypdf``: Noto CJK has CFF outlines, which
fpdf2 embeds as a CIDFontType0 with an embedded encoding CMap. Viewers and
printers honour it; ``pypdf.extract_text`` does not (it reads such codes one
byte at a time), so tests decode the text through the font's ToUnicode map.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

import segno
from fpdf import FPDF

from shequ.core.errors import DomainError

FONT_FAMILY = "Noto Sans CJK SC"
FONT_PATTERN = f"{FONT_FAMILY}:lang=zh-cn"
# Paper the sheets print on (``?size=a5`` on the receipt), width and height in mm.
SIZES = {"A4": (210, 297), "A5": (148, 210)}

INK = (33, 37, 41)
MUTED = (108, 117, 125)
RED = (176, 42, 55)


class FontMissing(DomainError):
    status = 503


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int  # face number inside a TrueType/OpenType collection (.ttc)


_MISSING = (
    "本机没有中文字体，无法生成 PDF（告知单、回执、介绍信等）。"
    "请系统管理员以 root 运行 `apt-get install fonts-noto-cjk` 后重试。"
)


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


def sheet(*, title: str, author: str, font: FontFile, size: str = "A4") -> FPDF:
    """A new document with its first page: the CJK font as ``cjk``, margins
    that suit the paper (an A5 sheet keeps more of its narrow width)."""
    if size not in SIZES:
        raise ValueError(f"unknown paper size {size!r}")
    margin = 18 if size == "A4" else 12
    pdf = FPDF(format=SIZES[size], unit="mm")
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(auto=True, margin=margin)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Shequ 社区治理平台")
    pdf.add_font("cjk", fname=font.path, collection_font_number=font.index)
    pdf.add_page()
    return pdf


def heading(pdf: FPDF, text: str, *, size: float = 12.5, height: float = 8) -> None:
    pdf.set_font("cjk", size=size)
    pdf.set_text_color(*RED)
    pdf.cell(pdf.epw, height, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def label_rows(
    pdf: FPDF,
    rows: tuple[tuple[str, str], ...],
    *,
    label_width: float = 26,
    height: float = 7,
    width: float = 0,
) -> None:
    """``label  value`` lines, ``width`` wide (the page's by default), the
    value wrapping under itself."""
    width = width or pdf.epw
    for label, value in rows:
        pdf.set_text_color(*MUTED)
        pdf.cell(label_width, height, label)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width - label_width, height, value, new_x="LMARGIN", new_y="NEXT")


def date_text(day: dt.date) -> str:
    """2026年11月2日."""
    return f"{day.year}年{day.month}月{day.day}日"


# -- QR code -------------------------------------------------------------------------------

QR_ERROR = "m"  # 15 % of the symbol may be lost (a fold, a stamp) and it still reads
QR_BORDER = 4  # the quiet zone the standard asks for, in modules


@lru_cache(maxsize=64)
def _matrix(data: str) -> tuple[bytes, ...]:
    """``data``'s QR symbol, one row of 0/1 modules each, quiet zone excluded."""
    return tuple(bytes(row) for row in segno.make(data, error=QR_ERROR).matrix)


def qr_rectangles(data: str) -> tuple[tuple[int, int, int, int], ...]:
    """The dark modules of ``data``'s QR code as ``(x, y, width, height)``
    rectangles in modules, the origin at the symbol's top-left corner, quiet
    zone excluded: each row's runs of dark modules, a run that repeats in the
    rows below grown down over them (fewer shapes and fewer seams to print)."""
    matrix = _matrix(data)
    rects: list[list[int]] = []
    growing: dict[tuple[int, int], list[int]] = {}  # (x, width) -> a rect ending on the last row
    for y, row in enumerate(matrix):
        here: dict[tuple[int, int], list[int]] = {}
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            rect = growing.get((start, x - start))
            if rect is None:
                rect = [start, y, x - start, 0]
                rects.append(rect)
            rect[3] += 1
            here[(start, x - start)] = rect
        growing = here
    return tuple((x, y, w, h) for x, y, w, h in rects)


def draw_qr(pdf: FPDF, data: str, *, x: float, y: float, size: float) -> None:
    """The QR code of ``data`` as filled rectangles, ``size`` mm square with
    its quiet zone, top-left at ``(x, y)``: vector, so it prints sharp."""
    module = size / (len(_matrix(data)) + 2 * QR_BORDER)
    left, top = x + QR_BORDER * module, y + QR_BORDER * module
    pdf.set_fill_color(0, 0, 0)
    for mx, my, w, h in qr_rectangles(data):
        pdf.rect(left + mx * module, top + my * module, w * module, h * module, style="F")


__all__ = [
    "FontMissing",
    "cjk_font",
    "date_text",
    "draw_qr",
    "heading",
    "label_rows",
    "qr_rectangles",
    "sheet",
]
