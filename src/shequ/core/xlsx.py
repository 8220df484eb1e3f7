"""The one Excel reader and writer (openpyxl): the sheets people upload and
download (the catalog, the resident register and its template).

Reading opens an upload read-only with its values (no formulas), after a size
check and, when asked, a file-name check; openpyxl parses with defusedxml, so
entity bombs and external entities are refused as an unreadable file. Each
importer keeps its own Chinese wording of each refusal (``Refusals``), since
the people who use it have learnt those words. Writing adds sheets with a
bold header row and the rows' values; a ``streaming`` workbook writes rows
straight out (openpyxl's write-only mode), so a large export never sits in
memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from shequ.core.errors import ValidationError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = tuple[Any, ...]


# -- reading ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusals:
    """How one importer refuses a file it cannot read (its users' words)."""

    too_big: str
    unreadable: str
    no_sheet: str  # may name ``{sheet}`` and ``{names}`` (the sheets the file has)
    not_xlsx: str = ""  # when set, a file whose name does not end in .xlsx is refused first
    field: str | None = None  # the form field the refusals are shown on


@dataclass
class ImportResult:
    """What one import wrote: rows created, revised (a new version) and unchanged."""

    created: int = 0
    revised: int = 0
    unchanged: int = 0


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)  # an UploadedFile knows it
    if isinstance(size, int):
        return size
    start = file.tell()
    end = file.seek(0, io.SEEK_END)
    file.seek(start)
    return end - start


@contextmanager
def sheet_rows(
    file: IO[bytes], *, sheet: str, max_bytes: int, refusals: Refusals, filename: str = ""
) -> Iterator[Iterator[Row]]:
    """The rows (tuples of cell values) of ``sheet`` in the uploaded workbook,
    header first; the workbook is closed when the block ends."""
    field = refusals.field
    if refusals.not_xlsx and not filename.lower().endswith(".xlsx"):
        raise ValidationError(refusals.not_xlsx, field=field)
    if _size(file) > max_bytes:
        raise ValidationError(refusals.too_big, field=field)
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationError(refusals.unreadable, field=field) from None
    try:
        if sheet not in book.sheetnames:
            names = "、".join(book.sheetnames)
            raise ValidationError(refusals.no_sheet.format(sheet=sheet, names=names), field=field)
        yield book[sheet].iter_rows(values_only=True)
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A cell as trimmed text: "" for an empty cell, 12 for the number 12.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def header_read(rows: Iterator[Row]) -> list[str]:
    """The first row's names ([] for an empty sheet)."""
    return [cell_text(value) for value in next(rows, ())]


def positions(header: list[str], columns: Iterable[str]) -> dict[str, int]:
    """Where each of ``columns`` the header has stands."""
    return {name: header.index(name) for name in columns if name in header}


def row_cells(values: Row, where: dict[str, int]) -> dict[str, str]:
    """One row's cells by column name, as text ("" past the row's end)."""
    return {name: cell_text(values[i]) if i < len(values) else "" for name, i in where.items()}


# -- writing ------------------------------------------------------------------------


def workbook(*, streaming: bool = False) -> Workbook:
    """An empty workbook for ``sheet_add``."""
    book = Workbook(write_only=streaming)
    if not streaming:
        book.remove(book.active)
    return book


def sheet_add(
    book: Workbook,
    title: str,
    *,
    header: Sequence[str] = (),
    rows: Iterable[Sequence[Any]] = (),
    bold_header: bool = True,
    widths: Sequence[float] = (),
) -> Any:
    """A new sheet: ``header`` (bold unless told), then ``rows``; ``widths``
    of the first columns in characters. Returns the worksheet, to append to."""
    sheet = book.create_sheet(title)
    for number, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    if header:
        if not bold_header:
            sheet.append(list(header))
        elif book.write_only:
            sheet.append([_bold(WriteOnlyCell(sheet, value=name)) for name in header])
        else:
            sheet.append(list(header))
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    for values in rows:
        append(sheet, values)
    return sheet


# A spreadsheet reads a cell that starts with one of these as a formula (or,
# for tab and CR, as the start of one in the CSV it may be saved to).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def append(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row, every piece of people's text written as text: a string
    that starts like a formula becomes a string cell with the quote prefix,
    which neither openpyxl nor a spreadsheet treats as a formula, also when
    the cell is edited. Every sheet the platform writes goes through here."""
    sheet.append([_as_text(sheet, v) if _formula_like(v) else v for v in values])


def csv_text(value: Any) -> Any:
    """``value`` for a CSV cell: a spreadsheet that opens the CSV reads it as
    text too, so people's text that starts like a formula gets a leading
    apostrophe (the CSV has no quote-prefix flag to set instead)."""
    return f"'{value}" if _formula_like(value) else value


def _formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def _as_text(sheet: Any, value: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=value) if sheet.parent.write_only else Cell(sheet)
    cell.value = value
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _bold(cell: WriteOnlyCell) -> WriteOnlyCell:
    cell.font = Font(bold=True)
    return cell


def book_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
