"""A reward run as a file for payroll: CSV with a BOM (Excel reads Chinese) or XLSX, headers in the caller's
language, paid rows first then the skipped ones with their reason, each by employee number."""

import csv
import io
from decimal import Decimal
from typing import Any

import httpx
import openpyxl  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import ok
from tests.factories import API, Tenant
from tests.factories.rewards import closed_scenario, reward_runs_path


async def _run(session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    state = await closed_scenario(session, client, tenant)
    # Employee numbers that sort the paid rows peer first, and a name that a spreadsheet would run as a formula.
    tenant.peer.external_id = "E001"
    tenant.employee.external_id = "E002"
    tenant.manager.name = "=HYPERLINK(1)"
    await session.commit()
    base = [(tenant.employee, 10000), (tenant.peer, 10000), (tenant.manager, 5000), (tenant.admin, 7000.5)]
    body = {"base": [{"employee_id": str(who.id), "amount": amount} for who, amount in base], "budget": 20000}
    run: dict[str, Any] = ok(
        await client.post(reward_runs_path(state.scenario.cycle_id), json=body, headers=tenant.headers("admin")), 201
    )
    return run


async def test_csv_has_a_bom_and_one_row_per_base(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    run = await _run(session, client, tenant)

    response = await client.get(
        f"{API}/reward-runs/{run['id']}/export",
        params={"format": "csv"},
        headers={**tenant.headers("admin"), "Accept-Language": "zh-CN"},
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert ".csv" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["工号", "姓名", "最终评级", "系数", "基数（CNY）", "金额（CNY）", "跳过原因"]
    paid, skipped = rows[1:3], rows[3:]
    # The peer (A, 1.2) and the employee (B, 1.0) share the budget: 10909.09 and 9090.91 (see test_runs).
    assert paid == [
        ["E001", "同事", "A", "1.2", "10000", "10909.09", ""],
        ["E002", "员工", "B", "1", "10000", "9090.91", ""],
    ]
    assert sum(Decimal(row[5]) for row in paid) == 20000
    assert sorted(skipped) == sorted(
        [
            [
                tenant.admin.external_id,
                "人事管理员",
                "",
                "",
                "7000.5",
                "",
                "无最终评级（本周期没有已定稿或已确认的评估）",
            ],
            [
                tenant.manager.external_id,
                "'=HYPERLINK(1)",
                "",
                "",
                "5000",
                "",
                "无最终评级（本周期没有已定稿或已确认的评估）",
            ],
        ]
    )
    assert [row[0] for row in skipped] == sorted(row[0] for row in skipped)


async def test_xlsx_opens_and_has_the_rows(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    run = await _run(session, client, tenant)

    response = await client.get(
        f"{API}/reward-runs/{run['id']}/export", params={"format": "xlsx"}, headers=tenant.headers("admin")
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Employee ID",
        "Name",
        "Final rating",
        "Coefficient",
        "Base (CNY)",
        "Amount (CNY)",
        "Skipped because",
    ]
    assert rows[1:3] == [
        ["E001", "同事", "A", 1.2, 10000, 10909.09, None],
        ["E002", "员工", "B", 1, 10000, 9090.91, None],
    ]
    reasons = {row[0]: row[6] for row in rows[3:]}
    assert reasons == {
        tenant.admin.external_id: "No final rating (no finalized or acknowledged evaluation in this cycle)",
        tenant.manager.external_id: "No final rating (no finalized or acknowledged evaluation in this cycle)",
    }
    assert {row[1] for row in rows[3:]} == {"人事管理员", "=HYPERLINK(1)"}  # text, never a formula
    assert {cell.data_type for cell in sheet["B"]} == {"s"}
