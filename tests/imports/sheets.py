"""Sheets as people send them: CSV in the encodings Excel writes, XLSX, and the requests that carry them."""

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from httpx import AsyncClient, Response

from app.imports.dependencies import CSV, XLSX

DEPARTMENTS = "/api/v1/imports/departments"
EMPLOYEES = "/api/v1/imports/employees"

Rows = Sequence[Sequence[Any]]


def csv_bytes(rows: Rows, encoding: str = "utf-8") -> bytes:
    """``encoding`` as Excel saves: "utf-8-sig" (CSV UTF-8, with a BOM), "gbk" (CSV on Chinese Windows), "utf-8"."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows(["" if cell is None else cell for cell in row] for row in rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: Rows) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("员工")
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    workbook.close()
    return buffer.getvalue()


async def send(
    client: AsyncClient,
    url: str,
    content: bytes,
    headers: dict[str, str],
    *,
    dry_run: bool = False,
    media_type: str | None = None,
) -> Response:
    """POST ``content`` as the body, typed by its format unless ``media_type`` says otherwise."""
    kind = media_type or (XLSX if content.startswith(b"PK") else CSV)
    return await client.post(
        url, content=content, params={"dry_run": str(dry_run).lower()}, headers={**headers, "Content-Type": kind}
    )


async def upload(
    client: AsyncClient, url: str, content: bytes, headers: dict[str, str], *, filename: str = "员工.xlsx"
) -> Response:
    """POST ``content`` as the ``file`` field of a multipart form, as a browser's file input sends it."""
    return await client.post(url, files={"file": (filename, content, "application/octet-stream")}, headers=headers)
