"""Encoding a cycle's evaluations as CSV (with a UTF-8 BOM, so Excel reads Chinese) or XLSX, in chunks to stream."""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import xlsxwriter  # type: ignore[import-untyped]
from fastapi.responses import StreamingResponse

from app.core.enums import ExportFormat
from app.core.schemas import INT32_MAX

Cell = str | Decimal | None

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What an export route answers (the evaluations of a cycle, a reward run): streamed in chunks, so no file is held whole;
# the bound is the int32 one clients size by.
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, as an attachment.",
        "content": {
            "text/csv": {"schema": {"type": "string", "maxLength": INT32_MAX}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary", "maxLength": INT32_MAX}},
        },
    }
}


@dataclass(frozen=True)
class Export:
    """A file being written: its type, its name as an attachment, and its bytes a chunk at a time."""

    media_type: str
    content_disposition: str
    chunks: Iterator[bytes]

    def response(self) -> StreamingResponse:
        return StreamingResponse(
            self.chunks,
            media_type=self.media_type,
            headers={"Content-Disposition": self.content_disposition, "Cache-Control": "no-store"},
        )


MEDIA_TYPES: dict[ExportFormat, str] = {ExportFormat.CSV: CSV_MEDIA_TYPE, ExportFormat.XLSX: XLSX_MEDIA_TYPE}

BYTES_PER_CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
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


class Encoder:
    """Rows encoded as they arrive, a batch at a time, into a spool (in memory while small, then a temporary file), so
    a whole cycle is never held as rows; ``chunks`` then streams the file out and closes the spool."""

    def __init__(self) -> None:
        # Owned past this call: ``chunks`` closes it once streamed (or ``close`` when the export fails first).
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115

    def write(self, rows: Iterable[Sequence[Cell]]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Write whatever must follow the last row into the spool."""

    def chunks(self) -> Iterator[bytes]:
        try:
            self._finish()
            self._spool.seek(0)
            while chunk := self._spool.read(BYTES_PER_CHUNK):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self._spool.close()


class CsvEncoder(Encoder):
    def __init__(self, header: Sequence[str]) -> None:
        super().__init__()
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._buffer.write("\ufeff")
        self._writer.writerow(header)

    def write(self, rows: Iterable[Sequence[Cell]]) -> None:
        for row in rows:
            self._writer.writerow([_csv_cell(value) for value in row])
        self._spool.write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()


class XlsxEncoder(Encoder):
    """XlsxWriter in constant-memory mode: each row goes to the sheet's temporary file as it is written, and the
    workbook is zipped into the spool when it closes. Text is always written as text (never a formula, a number or a
    link, whatever it starts with), so a name cannot inject a formula."""

    def __init__(self, header: Sequence[str], sheet_title: str) -> None:
        super().__init__()
        self._workbook = xlsxwriter.Workbook(
            self._spool,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._sheet = self._workbook.add_worksheet(_sheet_title(sheet_title))
        self._sheet.write_row(0, 0, list(header))
        self._next_row = 1

    def write(self, rows: Iterable[Sequence[Cell]]) -> None:
        sheet = self._sheet
        for row in rows:
            cells: list[Any] = []
            for value in row:
                if isinstance(value, Decimal):
                    cells.append(_number(value))
                elif isinstance(value, str):
                    cells.append(value)
                else:
                    cells.append(None)
            sheet.write_row(self._next_row, 0, cells)
            self._next_row += 1

    def _finish(self) -> None:
        self._workbook.close()


def encoder(file_format: ExportFormat, header: Sequence[str], sheet_title: str) -> Encoder:
    if file_format == ExportFormat.XLSX:
        return XlsxEncoder(header, sheet_title)
    return CsvEncoder(header)


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip() or "evaluations"
    return cleaned[:_SHEET_TITLE_MAX]


def content_disposition(stem: str, fallback_stem: str, extension: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987) for Chinese cycle names."""
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in fallback_stem)
    utf8_name = quote(f"{stem}.{extension}", safe="")
    return f"attachment; filename=\"{ascii_name}.{extension}\"; filename*=UTF-8''{utf8_name}"
