"""The files people send: CSV as Excel saves it in China (GBK) and elsewhere (UTF-8, with a BOM or not), XLSX, as
the body or a form's file field; and what cannot be read."""

import io
import zipfile
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.imports import parsing
from app.imports.dependencies import MAX_UPLOAD_BYTES
from app.models import Employee
from tests.assertions import assert_problem, ok
from tests.factories import Tenant
from tests.imports.sheets import DEPARTMENTS, EMPLOYEES, csv_bytes, send, upload, xlsx_bytes

PEOPLE = [
    ["工号", "姓名", "邮箱", "职位", "在职"],
    ["Z001", "张三丰", "zhang.sanfeng@example.com", "武当掌门", "在职"],
    ["Z002", "欧阳锋", "", "西毒", "是"],
]


async def _names(session: AsyncSession, tenant: Tenant) -> dict[str, str]:
    statement = select(Employee.external_id, Employee.name).where(
        Employee.organization_id == tenant.org.id, Employee.external_id.like("Z%")
    )
    return {external_id: name for external_id, name in await session.execute(statement)}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
async def test_csv_in_the_encodings_excel_writes(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, encoding: str
) -> None:
    content = csv_bytes(PEOPLE, encoding)
    report = ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))
    assert report["created"] == 2
    assert await _names(session, tenant) == {"Z001": "张三丰", "Z002": "欧阳锋"}


async def test_gbk_is_really_not_utf8() -> None:
    # The GBK case above would prove nothing if these bytes happened to be valid UTF-8.
    with pytest.raises(UnicodeDecodeError):
        csv_bytes(PEOPLE, "gbk").decode("utf-8")
    assert csv_bytes(PEOPLE, "utf-8-sig").startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("delimiter", [";", "\t"])
async def test_semicolon_and_tab_separated_csv(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, delimiter: str
) -> None:
    content = "\r\n".join(delimiter.join(row) for row in PEOPLE).encode("utf-8-sig")
    assert ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))["created"] == 2
    assert (await _names(session, tenant))["Z002"] == "欧阳锋"


async def test_xlsx_as_the_body_and_as_a_form_field(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    content = xlsx_bytes(PEOPLE)
    assert ok(await send(client, EMPLOYEES, content, tenant.headers("admin"), dry_run=True))["created"] == 2
    report = ok(await upload(client, EMPLOYEES, content, tenant.headers("admin")))
    assert report == {"dry_run": False, "created": 2, "updated": 0, "unchanged": 0, "errors": []}
    assert await _names(session, tenant) == {"Z001": "张三丰", "Z002": "欧阳锋"}


async def test_csv_as_a_form_field(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    content = csv_bytes(PEOPLE, "gbk")
    assert ok(await upload(client, EMPLOYEES, content, tenant.headers("admin"), filename="员工.csv"))["created"] == 2
    assert len(await _names(session, tenant)) == 2


async def test_xlsx_numbers_booleans_and_blank_rows(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    content = xlsx_bytes(
        [
            [" External_ID ", "Name", "active"],  # headers are trimmed, and English ones read in any case
            [1001, "数字工号", True],  # Excel keeps an id typed as a number as 1001.0
            [],
            ["", "", ""],
            [1002.0, "浮点工号", False],
            [1003, "坏", "也许"],
        ]
    )
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    # Blank rows are skipped but still counted, so the row number is the one Excel shows.
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [(6, "active", "invalid_boolean")]
    fixed = xlsx_bytes([["external_id", "name", "active"], [1001, "数字工号", True], [], [1002.0, "浮点工号", False]])
    assert ok(await send(client, EMPLOYEES, fixed, tenant.headers("admin")))["created"] == 2
    statement = select(Employee.external_id, Employee.active).where(Employee.external_id.in_(["1001", "1002"]))
    assert dict((await session.execute(statement)).all()) == {"1001": True, "1002": False}


async def test_header_problems(client: AsyncClient, tenant: Tenant) -> None:
    content = csv_bytes([["姓名", "工号", "Employee No", "邮箱", "email", None, "备注"], ["a"]])
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (1, "Employee No", "unknown_column"),
        (1, "email", "duplicate_column"),
        (1, "备注", "unknown_column"),
    ]
    assert "external_id (工号)" in body["errors"][0]["message"]
    missing = csv_bytes([["姓名", "邮箱"], ["张三", ""]])
    body = assert_problem(await send(client, EMPLOYEES, missing, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [(1, "external_id", "missing_column")]
    departments = csv_bytes([["名称"], ["总部"]])
    body = assert_problem(await send(client, DEPARTMENTS, departments, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [(1, "code", "missing_column")]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "no_header"),
        (b"\r\n\r\n", "no_header"),
        ("工号,姓名\n".encode("utf-16"), "unsupported_encoding"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls_unsupported"),
        (b"PK\x03\x04 not really a zip", "unreadable_file"),
    ],
)
async def test_files_that_cannot_be_read(client: AsyncClient, tenant: Tenant, content: bytes, code: str) -> None:
    response = await send(client, EMPLOYEES, content, tenant.headers("admin"), media_type="text/csv")
    body = assert_problem(response, 422, "IMPORT_INVALID")
    assert [e["code"] for e in body["errors"]] == [code]


async def test_a_zip_that_is_no_workbook(client: AsyncClient, tenant: Tenant) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "你好")
    body = assert_problem(
        await send(client, EMPLOYEES, buffer.getvalue(), tenant.headers("admin")), 422, "IMPORT_INVALID"
    )
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(None, "unreadable_file")]


async def test_a_workbook_that_unpacks_to_too_much(
    client: AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "MAX_UNPACKED_MIB", 0)
    body = assert_problem(
        await send(client, EMPLOYEES, xlsx_bytes(PEOPLE), tenant.headers("admin")), 422, "IMPORT_INVALID"
    )
    assert [e["code"] for e in body["errors"]] == ["too_large_unpacked"]


async def test_too_many_rows(client: AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "MAX_ROWS", 1)
    body = assert_problem(
        await send(client, EMPLOYEES, csv_bytes(PEOPLE), tenant.headers("admin")), 422, "IMPORT_INVALID"
    )
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(3, "too_many_rows")]


async def test_a_sheet_of_blank_rows_is_not_read_to_its_end(
    client: AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "MAX_SHEET_ROWS", 5)
    rows = [["工号", "姓名"], *[[] for _ in range(10)], ["Z1", "末行"]]
    for content in (csv_bytes(rows), xlsx_bytes(rows)):
        body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
        assert [(e["row"], e["code"]) for e in body["errors"]] == [(7, "too_many_rows")]


async def test_only_the_first_thousand_errors_are_listed(client: AsyncClient, tenant: Tenant) -> None:
    rows = [["工号", "姓名"], *[[f"N{i}", ""] for i in range(1200)]]
    body = assert_problem(
        await send(client, EMPLOYEES, csv_bytes(rows), tenant.headers("admin")), 422, "IMPORT_INVALID"
    )
    assert (len(body["errors"]), body["error_count"]) == (1000, 1200)
    assert "1200" in body["detail"]


async def test_other_media_types_are_refused(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(EMPLOYEES, json={"external_id": "x"}, headers=tenant.headers("admin"))
    body = assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/json" in body["detail"]


async def test_a_form_without_its_file(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        EMPLOYEES, data={"note": "忘了附件"}, files={"other": ("a.csv", b"x")}, headers=tenant.headers("admin")
    )
    body = assert_problem(response, 422, "IMPORT_INVALID")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("file", "missing_file")]


async def test_imports_take_bodies_up_to_10_mib(client: AsyncClient, tenant: Tenant) -> None:
    # 2.4 MiB would be refused anywhere else (tests/core/test_limits.py); an import reads it, and refuses its rows for
    # what they hold.
    rows = [["工号", "姓名", "职位"], *[[f"L{i}", "长", "长" * 100_000] for i in range(8)]]
    content = csv_bytes(rows)
    assert len(content) > 2 * 1024 * 1024
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (i, "job_title", "too_long") for i in range(2, 10)
    ]

    # A cell beyond what any sheet holds is not read at all.
    beyond = csv_bytes([["工号", "姓名"], ["A", "一"], ["B", "二" * 200_000]])
    body = assert_problem(await send(client, EMPLOYEES, beyond, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(3, "malformed_csv")]

    too_large = b"x" * (MAX_UPLOAD_BYTES + 1)
    body = assert_problem(await send(client, EMPLOYEES, too_large, tenant.headers("admin")), 413, "PAYLOAD_TOO_LARGE")
    assert str(MAX_UPLOAD_BYTES) in body["detail"]
    streamed = await client.post(
        EMPLOYEES, content=_chunks(too_large), headers={**tenant.headers("admin"), "Content-Type": "text/csv"}
    )
    assert_problem(streamed, 413, "PAYLOAD_TOO_LARGE")


async def _chunks(data: bytes, size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_a_retried_import_is_replayed_not_run_twice(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    # As the body itself: a multipart form's boundary changes with each send, so a retry of a form with the same key
    # is another request to the idempotency check (422 IDEMPOTENCY_KEY_REUSED), as it is for every route.
    headers = {**tenant.headers("admin"), "Idempotency-Key": "hr-sync-2026-12-03"}
    content = xlsx_bytes(PEOPLE)
    first = await send(client, EMPLOYEES, content, headers)
    second = await send(client, EMPLOYEES, content, headers)
    assert ok(first) == ok(second) == {"dry_run": False, "created": 2, "updated": 0, "unchanged": 0, "errors": []}
    assert second.headers["idempotent-replayed"] == "true"
    assert len(await _names(session, tenant)) == 2
