"""Encoding a cycle's evaluations as CSV (with a UTF-8 BOM, so Excel reads Chinese) or XLSX, in chunks to stream."""

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

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
# zlib level for XLSX parts: level 1 deflates a sheet's repetitive XML nearly as small as the default 6, much faster.
XLSX_COMPRESSION = 1
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


# The parts of a workbook around its one sheet (Office Open XML, ECMA-376): what Excel, WPS, LibreOffice, Numbers
# and openpyxl need to open it, no more.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
    f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/></Relationships>'
)
_STYLES = (
    _XML + f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
# Characters XML 1.0 cannot hold (C0 controls but tab and newlines) are written as Excel's own escape, _xHHHH_; text
# that already looks like one has its underscore escaped, so it reads back as written.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _excel_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def _text(value: str) -> str:
    value = escape(_UNSAFE.sub(_excel_escape, value))
    if value[:1].isspace() or value[-1:].isspace():
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class XlsxEncoder(Encoder):
    """One worksheet streamed into the zip as rows arrive: each row is a line of SpreadsheetML written through the
    zip's compressor, so memory holds one batch of rows whatever the cycle's size. Text is always an inline string
    (never a formula, a number or a link, whatever it starts with), so a name cannot inject a formula; numbers are
    numbers.

    Written by hand rather than by XlsxWriter, which spent about 6 µs on each cell (3.7 s of a 50,000-person
    export's 4.2 s of encoding, ``scripts/bench_cycle.py``); a row here is one string join.
    """

    def __init__(self, header: Sequence[str], sheet_title: str) -> None:
        super().__init__()
        self._zip = zipfile.ZipFile(self._spool, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSION)
        self._sheet_title = _sheet_title(sheet_title)
        self._columns = [_column_letters(index) for index in range(len(header))]
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._sheet.write(f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
        self._next_row = 1
        self.write([header])

    def write(self, rows: Iterable[Sequence[Cell]]) -> None:
        lines: list[str] = []
        columns = self._columns
        number = self._next_row
        for row in rows:
            cells = [f'<row r="{number}">']
            for column, value in zip(columns, row, strict=False):
                if isinstance(value, str):
                    cells.append(f'<c r="{column}{number}" t="inlineStr">{_text(value)}</c>')
                elif isinstance(value, Decimal):
                    cells.append(f'<c r="{column}{number}"><v>{_number(value)}</v></c>')
            cells.append("</row>")
            lines.append("".join(cells))
            number += 1
        self._next_row = number
        self._sheet.write("".join(lines).encode())

    def _finish(self) -> None:
        self._sheet.write(b"</sheetData></worksheet>")
        self._sheet.close()
        title = escape(self._sheet_title, {'"': "&quot;"})
        workbook = (
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>'
            f'<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        for name, part in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            self._zip.writestr(name, part)
        self._zip.close()

    def close(self) -> None:
        self._zip.close()
        super().close()


def encoder(file_format: ExportFormat, header: Sequence[str], sheet_title: str) -> Encoder:
    if file_format == ExportFormat.XLSX:
        return XlsxEncoder(header, sheet_title)
    return CsvEncoder(header)


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" or ch < " " else ch for ch in title).strip() or "evaluations"
    return cleaned[:_SHEET_TITLE_MAX]


def content_disposition(stem: str, fallback_stem: str, extension: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987) for Chinese cycle names."""
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in fallback_stem)
    utf8_name = quote(f"{stem}.{extension}", safe="")
    return f"attachment; filename=\"{ascii_name}.{extension}\"; filename*=UTF-8''{utf8_name}"
