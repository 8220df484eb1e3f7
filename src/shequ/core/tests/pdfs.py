"""Reading the desk's PDFs back in tests: text through each font's ToUnicode
map, page sizes, and the filled rectangles a page draws."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import ContentStream


def pdf_text(data: bytes) -> str:
    """The text of every page, decoded through each font's ToUnicode map.

    ``PdfReader.extract_text`` reads the two-byte codes of a CFF CJK font
    (an embedded encoding CMap) one byte at a time, which garbles any code
    above 255; the ToUnicode map is the authority on what a code means."""
    reader = PdfReader(io.BytesIO(data))
    out: list[str] = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        maps = {name: _to_unicode(fonts[name].get_object()) for name in fonts}
        current: dict[int, str] = {}
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = maps[operands[0]]
            elif operator in (b"Tj", b"'", b'"'):
                out.append(_decode(bytes(operands[-1].original_bytes), current))
            elif operator == b"TJ":
                out.append(
                    "".join(
                        _decode(bytes(part.original_bytes), current)
                        for part in operands[0]
                        if hasattr(part, "original_bytes")
                    )
                )
            elif operator == b"ET":
                out.append("\n")
    return "".join(out)


def _to_unicode(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    return {
        int(code, 16): bytes.fromhex(text).decode("utf-16-be")
        for code, text in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap)
    }


def _decode(raw: bytes, mapping: dict[int, str]) -> str:
    return "".join(
        mapping.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2)
    )


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Width and height of every page, in points."""
    return [
        (float(p.mediabox.width), float(p.mediabox.height))
        for p in PdfReader(io.BytesIO(data)).pages
    ]


def filled_rectangles(data: bytes) -> list[tuple[float, float, float, float]]:
    """``(x, y, width, height)`` of every rectangle the first page fills
    (``re`` then ``f``), in points from the bottom-left corner as the file has
    them (fpdf2 writes a top edge and a negative height)."""
    reader = PdfReader(io.BytesIO(data))
    ops = ContentStream(reader.pages[0].get_contents(), reader).operations
    return [
        tuple(float(v) for v in operands)
        for (operands, operator), (_, after) in zip(ops, ops[1:], strict=False)
        if operator == b"re" and after == b"f"
    ]
