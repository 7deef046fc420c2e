"""Inputs that used to break the promises: NUL bytes, extreme or numeric timestamps, over-precise decimals.

Each is refused with 422 problem+json on SQLite and PostgreSQL alike — never a 500, never silently changed.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.assertions import assert_problem, ok
from tests.factories import API, CYCLE_START, Setup, Tenant, make_setup


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


def _locs(response: httpx.Response) -> list[list[Any]]:
    return [error["loc"] for error in assert_problem(response, 422, "VALIDATION_FAILED")["errors"]]


# --- NUL -------------------------------------------------------------------------------------------------------


async def test_nul_in_a_body_string_is_refused_where_it_stands(setup: Setup) -> None:
    body = {"title": "a\u0000b", "level": "company", "cycle_id": setup.cycle_id}
    response = await setup.post("/goals", body)
    assert _locs(response) == [["body", "title"]]
    assert "NUL" in response.json()["errors"][0]["msg"]


@pytest.mark.parametrize(
    ("method", "path", "body", "loc"),
    [
        ("POST", "/departments", {"name": "销售\u0000部", "code": "S1"}, ["body", "name"]),
        ("POST", "/employees", {"external_id": "e\u00001", "name": "张三"}, ["body", "external_id"]),
        (
            "POST",
            "/cycles",
            {"name": "\u0000", "cadence": "annual", "start_date": "2026-01-01", "end_date": "2026-12-31"},
            ["body", "name"],
        ),
        ("POST", "/api-keys", {"name": "k\u0000"}, ["body", "name"]),
        ("POST", "/kprs/smart-check", {"title": "销售额\u0000增长"}, ["body", "title"]),
    ],
)
async def test_nul_is_refused_by_every_writer(
    setup: Setup, method: str, path: str, body: dict[str, Any], loc: list[Any]
) -> None:
    response = await setup.client.request(method, f"{API}{path}", json=body, headers=setup.headers("admin"))
    assert loc in _locs(response)


async def test_nul_in_nested_values_and_keys_is_found(setup: Setup) -> None:
    kpr = await setup.approved_kpr()
    response = await setup.post(
        f"/kprs/{kpr['id']}/revisions", {"changes": {"target": 250, "t\u0000": 1}, "reason": "原因\u0000"}, "employee"
    )
    assert sorted(_locs(response)) == [["body", "changes", "t"], ["body", "reason"]]
    check_in = await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": 210, "note": "x\u0000"}, "employee")
    assert _locs(check_in) == [["body", "note"]]
    transition = await setup.post(
        f"/plans/{kpr['plan_id']}/transitions", {"to": "draft", "comment": "\u0000"}, "manager"
    )
    assert _locs(transition) == [["body", "comment"]]


async def test_nul_in_a_query_parameter_is_refused(setup: Setup) -> None:
    response = await setup.client.get(f"{API}/employees?q=a%00b", headers=setup.headers("admin"))
    assert _locs(response) == [["query", "q"]]
    # An escaped backslash followed by "u0000" is text, not a NUL.
    fine = await setup.post("/departments", {"name": "\\u0000部", "code": "ESC"})
    assert ok(fine, 201)["name"] == "\\u0000部"


# --- timestamps ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "0.5",
        "1700000000",
        "2026-01-01",
        "2026-01-01T08:00:00",
    ],
)
async def test_as_of_takes_a_sane_rfc3339_instant_only(setup: Setup, as_of: str) -> None:
    kpr = await setup.kpr()
    response = await setup.get(f"/kprs/{kpr['id']}", as_of=as_of)
    assert _locs(response) == [["query", "as_of"]]
    tree = await setup.get("/goals/tree", cycle_id=setup.cycle_id, as_of=as_of)
    assert _locs(tree) == [["query", "as_of"]]


@pytest.mark.parametrize(
    "recorded_at", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", 1700000000, 0.5, "2026-W05-1T08:00:00Z"]
)
async def test_a_check_in_takes_a_sane_rfc3339_instant_only(setup: Setup, recorded_at: object) -> None:
    kpr = await setup.kpr()
    response = await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": 1, "recorded_at": recorded_at}, "employee")
    assert _locs(response) == [["body", "recorded_at"]]


async def test_offsets_are_read_and_written_in_utc(setup: Setup) -> None:
    kpr = await setup.kpr()
    day = (CYCLE_START + timedelta(days=10)).isoformat()
    check_in = await setup.check_in(kpr["id"], 210, recorded_at=f"{day}T08:30:00.123+08:00")
    assert check_in["recorded_at"] == f"{day}T00:30:00.123000Z"


async def _raw_check_in(setup: Setup, kpr_id: str, number_text: str) -> httpx.Response:
    """A check-in whose value is sent exactly as written (a JSON library would reformat the number first)."""
    return await setup.client.post(
        f"{API}/kprs/{kpr_id}/check-ins",
        content='{"value": ' + number_text + "}",
        headers=setup.headers("employee", **{"Content-Type": "application/json"}),
    )


# --- decimals --------------------------------------------------------------------------------------------------


async def test_decimals_are_stored_exactly_as_written(setup: Setup) -> None:
    kpr = await setup.kpr(baseline=0, target=123456789.123456)
    check_in = await setup.check_in(kpr["id"], 1234567890.12345)
    raw = (await setup.get(f"/kprs/{kpr['id']}/check-ins", "employee")).text
    assert "1234567890.12345" in raw
    assert check_in["value"] == 1234567890.12345
    stored = ok(await setup.get(f"/kprs/{kpr['id']}", "employee"))
    assert Decimal(str(stored["target"])) == Decimal("123456789.123456")


@pytest.mark.parametrize("value", ["1234567890123.123456", "0.1234567", "12345678901234567"])
async def test_over_precise_decimals_are_refused_not_rounded(setup: Setup, value: str) -> None:
    kpr = await setup.kpr()
    response = await _raw_check_in(setup, kpr["id"], value)
    assert _locs(response) == [["body", "value"]]
    listed = ok(await setup.get(f"/kprs/{kpr['id']}/check-ins", "employee"))
    assert listed["items"] == []


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_non_json_numbers_are_refused(setup: Setup, constant: str) -> None:
    kpr = await setup.kpr()
    assert_problem(await _raw_check_in(setup, kpr["id"], constant), 422, "VALIDATION_FAILED")


@pytest.mark.parametrize("value", ["250.5", True, ""])
async def test_decimals_are_json_numbers_not_strings(setup: Setup, value: object) -> None:
    kpr = await setup.kpr()
    response = await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": value}, "employee")
    assert _locs(response) == [["body", "value"]]


@pytest.mark.parametrize("body", ["6.600274581580879e+16", "5", "[]", '"x"'])
async def test_a_body_that_is_not_an_object_is_refused(setup: Setup, body: str) -> None:
    response = await setup.client.patch(
        f"{API}/employees/{setup.tenant.peer.id}",
        content=body,
        headers=setup.headers("admin", **{"Content-Type": "application/json", "If-Match": '"stale"'}),
    )
    assert _locs(response) == [["body"]]
