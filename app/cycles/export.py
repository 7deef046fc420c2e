"""Encoding a cycle's evaluations as CSV (with a UTF-8 BOM, so Excel reads Chinese) or XLSX, in chunks to stream."""

import csv
import io
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from urllib.parse import quote

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

from app.core.enums import ExportFormat

Cell = str | Decimal | None

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES: dict[ExportFormat, str] = {ExportFormat.CSV: CSV_MEDIA_TYPE, ExportFormat.XLSX: XLSX_MEDIA_TYPE}

ROWS_PER_CHUNK = 500
BYTES_PER_CHUNK = 64 * 1024
# Spreadsheets run text that starts with these as a formula (CSV injection); such text is prefixed with a quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_MAX = 31


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _number(value)
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        for row in rows[start : start + ROWS_PER_CHUNK]:
            writer.writerow([_csv_cell(value) for value in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def xlsx_chunks(header: Sequence[str], rows: Sequence[Sequence[Cell]], sheet_title: str) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, Decimal):
                cells.append(WriteOnlyCell(sheet, value=_number(value)))
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    # The workbook is zipped on save; spool it (in memory while small) and stream the bytes out.
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(BYTES_PER_CHUNK):
            yield chunk


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip() or "evaluations"
    return cleaned[:_SHEET_TITLE_MAX]


def content_disposition(stem: str, fallback_stem: str, extension: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987) for Chinese cycle names."""
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in fallback_stem)
    utf8_name = quote(f"{stem}.{extension}", safe="")
    return f"attachment; filename=\"{ascii_name}.{extension}\"; filename*=UTF-8''{utf8_name}"
