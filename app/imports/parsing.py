"""Reading an uploaded sheet: CSV (UTF-8 with or without BOM, or GBK, as Excel in China saves it) or XLSX, into rows of
trimmed text keyed by the API's column names, each with the row number a person sees in Excel (the header is row 1).

Nothing here knows the database: the sheet's own problems (an unreadable file, an unknown column, a value too long, a
yes/no that is neither) are collected as row errors, and the service adds the ones only the data can tell.
"""

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import openpyxl  # type: ignore[import-untyped]

from app.core.errors import ImportInvalid
from app.core.i18n import translate
from app.imports.schemas import MAX_LISTED_ERRORS

# The most data rows one import takes: a 10 MiB body holds about 100,000 short CSV rows, but the import is one
# transaction, and a bounded one keeps every statement of it well inside the statement timeout.
MAX_ROWS = 20_000
# Rows read at most, blank ones included: a sheet of a few cells can number a million empty rows between them.
MAX_SHEET_ROWS = 5 * MAX_ROWS
# Header cells read from row 1; a sheet wider than this has nothing more that an import reads.
MAX_COLUMNS = 64
# What an XLSX file (a zip) may unpack to: a 10 MiB workbook of real rows unpacks to well under this, a zip bomb not.
MAX_UNPACKED_MIB = 256

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)
_NUL = "\x00"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "是", "在职"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "否", "离职"})


@dataclass(frozen=True)
class Column:
    """A column an import reads: its API name, the Chinese header accepted for it, and its longest value."""

    name: str
    alias: str
    max_length: int


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: the file as a whole
    field: str | None
    code: str
    message: str

    @classmethod
    def of(cls, row: int | None, field: str | None, key: str, **params: object) -> "RowError":
        """An error whose code is its message key's last part (``import.required`` → ``required``)."""
        return cls(row, field, key.removeprefix("import."), translate(key, None, **params))

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


def refuse(errors: Sequence[RowError]) -> ImportInvalid:
    """The 422 for ``errors``, in sheet order: the first MAX_LISTED_ERRORS of them listed, all of them counted."""
    ordered = sorted(errors, key=lambda e: (e.row or 0, e.field or ""))
    return ImportInvalid(
        count=len(ordered),
        errors=[error.as_dict() for error in ordered[:MAX_LISTED_ERRORS]],
        extra={"error_count": len(ordered)},
    )


@dataclass
class Record:
    """One data row: its number in the sheet and the value of each column the file has (None for a blank cell)."""

    row: int
    values: dict[str, str | None]


@dataclass
class Sheet:
    columns: tuple[str, ...]  # the API names of the columns the file has, in its order
    headers: dict[str, str]  # column → its header as the file writes it, for messages
    records: list[Record]
    errors: list[RowError] = field(default_factory=list)

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def read_sheet(content: bytes, columns: Sequence[Column], key: str) -> Sheet:
    """The sheet in ``content`` (XLSX by its zip signature, else CSV), its headers matched to ``columns``.

    Raises ImportInvalid for what makes the file unreadable as a whole (its format, its encoding, its header row);
    a row's bad values are left in ``Sheet.errors``, so that one answer lists all that is wrong.
    """
    if content.startswith(_OLE2_MAGIC):
        raise refuse([RowError.of(None, None, "import.xls_unsupported")])
    rows = _xlsx_rows(content) if content.startswith(_ZIP_MAGIC) else _csv_rows(content)
    header = next(rows, None)
    if header is None or not any(_text(cell) for cell in header[:MAX_COLUMNS]):
        raise refuse([RowError.of(1, None, "import.no_header")])
    sheet = _match_headers(header[:MAX_COLUMNS], columns, key)
    positions = [(index, name) for index, name in enumerate(sheet.columns) if name]
    limits = {column.name: column.max_length for column in columns}
    for number, cells in enumerate(rows, start=2):
        if number > MAX_SHEET_ROWS + 1:
            raise refuse([RowError.of(number, None, "import.too_many_rows", limit=MAX_SHEET_ROWS)])
        texts = [_text(cell) for cell in cells[: len(sheet.columns)]]
        if not any(texts):
            continue  # a blank row (Excel keeps formatted ones): nothing to import, and no number shifts
        if len(sheet.records) == MAX_ROWS:
            raise refuse([RowError.of(number, None, "import.too_many_rows", limit=MAX_ROWS)])
        values: dict[str, str | None] = {}
        for index, name in positions:
            value = texts[index] if index < len(texts) else None
            if value is not None:
                problem = _check_text(value, limits[name])
                if problem is not None:
                    sheet.errors.append(
                        RowError.of(number, name, problem, header=sheet.header(name), limit=limits[name])
                    )
                    value = None
            values[name] = value
        sheet.records.append(Record(number, values))
    return sheet


def _check_text(value: str, limit: int) -> str | None:
    if _NUL in value:
        return "import.invalid_text"
    if len(value) > limit:
        return "import.too_long"
    return None


def _match_headers(header: Sequence[Any], columns: Sequence[Column], key: str) -> Sheet:
    by_header: dict[str, Column] = {}
    for column in columns:
        by_header[column.name.lower()] = column
        by_header[column.alias] = column
    names: list[str] = []
    headers: dict[str, str] = {}
    errors: list[RowError] = []
    for cell in header:
        text = _text(cell)
        if text is None:
            names.append("")  # a column without a header (notes beside the table) is not read
            continue
        match = by_header.get(text.lower())
        if match is None:
            listed = ", ".join(f"{c.name} ({c.alias})" for c in columns)
            errors.append(RowError.of(1, text[:100], "import.unknown_column", header=text[:100], columns=listed))
            names.append("")
        elif match.name in headers:
            errors.append(
                RowError.of(
                    1, match.name, "import.duplicate_column", column=match.name, first=headers[match.name], second=text
                )
            )
            names.append("")
        else:
            headers[match.name] = text
            names.append(match.name)
    if key not in headers:
        alias = next(c.alias for c in columns if c.name == key)
        errors.append(RowError.of(1, key, "import.missing_column", column=key, alias=alias))
    if errors:
        raise refuse(errors)
    return Sheet(columns=tuple(names), headers=headers, records=[])


def _text(cell: Any) -> str | None:
    """A cell as trimmed text (None when blank): numbers as Excel shows them (1001, not 1001.0), dates ISO."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        text = "true" if cell else "false"
    elif isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    elif isinstance(cell, datetime | date | time):
        text = cell.isoformat()
    else:
        text = str(cell)
    text = text.strip()
    return text or None


def _csv_rows(content: bytes) -> Iterator[Sequence[Any]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # Excel writes commas, or semicolons where the comma is the decimal sign; "Text (Tab delimited)" writes tabs.
    delimiter = max(",;\t", key=first_line.count)
    read = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            read += 1
            yield row
    except csv.Error:  # a cell beyond the csv module's limit (131,072 characters): no sheet holds one
        raise refuse([RowError.of(read + 1, None, "import.malformed_csv")]) from None


def _decode(content: bytes) -> str:
    """UTF-8 (Excel's "CSV UTF-8" writes a BOM, which is dropped), else GBK: what Excel in China saves as "CSV"."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 reads every GBK file as GBK does, and the few characters GBK lacks too.
        return codecs.decode(content, "gb18030")
    except UnicodeDecodeError:
        raise refuse([RowError.of(None, None, "import.unsupported_encoding")]) from None


def _xlsx_rows(content: bytes) -> Iterator[Sequence[Any]]:
    """The first worksheet's rows, gaps included (so numbering matches Excel's), streamed by openpyxl's read-only
    mode. A file that unpacks to more than MAX_UNPACKED_MIB is refused before it is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise refuse([RowError.of(None, None, "import.unreadable_file")]) from None
    if unpacked > MAX_UNPACKED_MIB * 1024 * 1024:
        raise refuse([RowError.of(None, None, "import.too_large_unpacked", limit=MAX_UNPACKED_MIB)])
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; the values are what matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        worksheet = workbook.worksheets[0]
    except Exception:  # openpyxl reports a malformed workbook with whatever its parser met: KeyError, ValueError, …
        raise refuse([RowError.of(None, None, "import.unreadable_file")]) from None
    return _worksheet_rows(workbook, worksheet)


def _worksheet_rows(workbook: Any, worksheet: Any) -> Iterator[Sequence[Any]]:
    try:
        rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        yield from rows
    except Exception:  # a workbook whose sheet XML breaks off midway
        raise refuse([RowError.of(None, None, "import.unreadable_file")]) from None
    finally:
        workbook.close()


def parse_active(value: str) -> bool | None:
    """A yes/no cell as a flag; None when it is neither."""
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))
