"""Cycle calibration report and evaluation exports, compared with the API's own figures."""

import csv
import io
import urllib.parse
from typing import Any

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import mint_token
from tests.assertions import assert_problem, ok
from tests.factories import API, Tenant, move, open_review, to_calibration

# A at most 40% of the cycle: with one A (the peer, final 100) out of two that is 50% → violated.
POLICY = {"distribution": {"A": {"max_share": 40}, "C": {"min_share": 10}}}


async def test_calibration_report_names_violations(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant, policy=POLICY)
    await to_calibration(client, tenant, state)

    report = ok(
        await client.get(f"{API}/cycles/{state.scenario.cycle_id}/calibration", headers=tenant.headers("admin"))
    )

    assert report["cycle_id"] == state.scenario.cycle_id
    assert report["status"] == "calibration"
    assert report["total"] == 2
    bands = {b["rating"]: b for b in report["bands"]}
    assert [b["rating"] for b in report["bands"]] == ["S", "A", "B", "C", "D"]
    assert (bands["A"]["count"], bands["A"]["share"], bands["A"]["max_share"], bands["A"]["violated"]) == (
        1,
        50,
        40,
        True,
    )
    assert (bands["B"]["count"], bands["B"]["share"], bands["B"]["violated"]) == (1, 50, False)
    assert (bands["C"]["count"], bands["C"]["share"], bands["C"]["min_share"], bands["C"]["violated"]) == (
        0,
        0,
        10,
        True,
    )
    assert [(v["rating"], v["bound"], v["limit"], v["share"]) for v in report["violations"]] == [
        ("A", "max_share", 40, 50),
        ("C", "min_share", 10, 0),
    ]
    assert "A" in report["violations"][0]["message"]
    [department] = report["departments"]
    assert (department["department_id"], department["department_name"]) == (str(tenant.department.id), "销售部")
    assert department["total"] == 2
    assert [v["rating"] for v in department["violations"]] == ["A", "C"]


async def test_calibrated_ratings_move_the_distribution(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant, policy=POLICY)
    await to_calibration(client, tenant, state)
    ok(
        await client.put(
            f"{API}/evaluations/{state.peer_eval}/calibration",
            json={"rating": "C", "reason": "校准"},
            headers=tenant.headers("admin"),
        )
    )

    report = ok(
        await client.get(f"{API}/cycles/{state.scenario.cycle_id}/calibration", headers=tenant.headers("service"))
    )

    assert {b["rating"]: b["count"] for b in report["bands"]} == {"S": 0, "A": 0, "B": 1, "C": 1, "D": 0}
    assert report["violations"] == []


@pytest.mark.parametrize("who", ["manager", "employee"])
async def test_only_admin_and_service_read_the_calibration_report(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str
) -> None:
    state = await open_review(session, client, tenant)

    response = await client.get(f"{API}/cycles/{state.scenario.cycle_id}/calibration", headers=tenant.headers(who))

    assert_problem(response, 403, "FORBIDDEN")


async def _api_rows(client: httpx.AsyncClient, tenant: Tenant, cycle_id: str) -> dict[str, dict[str, Any]]:
    page = ok(await client.get(f"{API}/evaluations", params={"cycle_id": cycle_id}, headers=tenant.headers("admin")))
    return {e["employee_id"]: e for e in page["items"]}


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


async def _prepare(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings) -> str:
    tenant.employee.external_id = "=cmd|' /C calc'!A0"  # a spreadsheet formula must stay text
    await session.commit()
    tenant.tokens["employee"] = mint_token(
        settings, subject=tenant.employee.external_id, organization_id=tenant.org.id, roles=[]
    )
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    ok(
        await client.put(
            f"{API}/evaluations/{state.peer_eval}/calibration",
            json={"rating": "S", "reason": "卓越贡献"},
            headers=tenant.headers("admin"),
        )
    )
    await move(client, tenant, "admin", state.employee_eval, "finalized")
    return state.scenario.cycle_id


async def test_csv_export_matches_the_api(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    cycle_id = await _prepare(client, session, tenant, settings)
    api = await _api_rows(client, tenant, cycle_id)

    response = await client.get(
        f"{API}/cycles/{cycle_id}/evaluations/export",
        params={"format": "csv"},
        headers={**tenant.headers("admin"), "Accept-Language": "zh-CN"},
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert ".csv" in disposition
    assert urllib.parse.quote("2026年第三季度") in disposition
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["工号", "姓名", "部门", "上级", "状态"]
    assert len(body) == 2
    by_name = {row[1]: row for row in body}
    employee, peer = by_name["员工"], by_name["同事"]
    assert employee[0] == "'=cmd|' /C calc'!A0"
    assert (employee[2], employee[3], employee[4]) == ("销售部", "经理", "finalized")
    assert peer[0] == tenant.peer.external_id
    for row, who in ((employee, tenant.employee), (peer, tenant.peer)):
        figures = api[str(who.id)]
        assert [_number(v) for v in row[5:9]] == [
            figures["results_score"],
            figures["self_score"],
            figures["manager_score"],
            figures["final_score"],
        ]
        assert row[9:] == [figures["rating"] or "", figures["calibrated_rating"] or "", figures["final_rating"] or ""]
    assert peer[9:] == ["A", "S", "S"]
    assert [_number(v) for v in employee[5:9]] == [78, None, 90, 81.6]


async def test_xlsx_export_matches_the_api(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    cycle_id = await _prepare(client, session, tenant, settings)
    api = await _api_rows(client, tenant, cycle_id)

    response = await client.get(
        f"{API}/cycles/{cycle_id}/evaluations/export", params={"format": "xlsx"}, headers=tenant.headers("service")
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert {cell.data_type for cell in sheet["A"]} == {"s"}  # text cells, never formulas
    assert rows[0][:2] == ["Employee ID", "Name"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"员工", "同事"}
    assert by_name["员工"][0] == "=cmd|' /C calc'!A0"  # stored as text, never as a formula
    for name, who in (("员工", tenant.employee), ("同事", tenant.peer)):
        row, figures = by_name[name], api[str(who.id)]
        assert row[2:4] == ["销售部", "经理"]
        assert row[5:9] == [
            figures["results_score"],
            figures["self_score"],
            figures["manager_score"],
            figures["final_score"],
        ]
        assert row[9:] == [figures["rating"], figures["calibrated_rating"], figures["final_rating"]]


@pytest.mark.parametrize("who", ["manager", "employee"])
async def test_only_admin_and_service_export(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str
) -> None:
    state = await open_review(session, client, tenant)

    response = await client.get(
        f"{API}/cycles/{state.scenario.cycle_id}/evaluations/export", headers=tenant.headers(who)
    )

    assert_problem(response, 403, "FORBIDDEN")


async def test_export_format_is_validated(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await open_review(session, client, tenant)

    response = await client.get(
        f"{API}/cycles/{state.scenario.cycle_id}/evaluations/export",
        params={"format": "pdf"},
        headers=tenant.headers("admin"),
    )

    assert_problem(response, 422, "VALIDATION_FAILED")
