"""KPIs under a KPR: CRUD, progress from their own check-ins, and the same access rules as their KPR."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CheckIn
from tests.assertions import assert_problem, ok
from tests.factories import API, Setup, Tenant, at, make_setup

VISITS = {
    "name": "每周客户拜访次数",
    "unit": "次",
    "direction": "increase",
    "baseline": 5,
    "target": 12,
    "frequency": "weekly",
}


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


@pytest.fixture
async def kpr(setup: Setup) -> dict[str, Any]:
    return await setup.kpr()


async def add_kpi(setup: Setup, kpr: dict[str, Any], who: str = "employee", **overrides: Any) -> dict[str, Any]:
    kpi: dict[str, Any] = ok(await setup.post(f"/kprs/{kpr['id']}/kpis", {**VISITS, **overrides}, who), 201)
    return kpi


async def test_the_owner_adds_a_kpi_under_their_kpr(setup: Setup, kpr: dict[str, Any]) -> None:
    response = await setup.post(f"/kprs/{kpr['id']}/kpis", VISITS, "employee")

    kpi = ok(response, 201)
    assert response.headers["location"] == f"/api/v1/kpis/{kpi['id']}"
    assert response.headers["etag"]
    assert kpi["kpr_id"] == kpr["id"]
    assert {k: kpi[k] for k in VISITS} == VISITS
    assert (kpi["current_value"], kpi["progress"]) == (None, None)
    assert ok(await setup.get(f"/kpis/{kpi['id']}", "employee")) == kpi


async def test_kpis_are_listed_under_their_kpr_in_creation_order(setup: Setup, kpr: dict[str, Any]) -> None:
    other_kpr = await setup.kpr(title="新客户回款额达到500万元", weight=50)
    first = await add_kpi(setup, kpr)
    second = await add_kpi(setup, kpr, name="每周电话沟通时长", unit="小时", baseline=2, target=6)
    await add_kpi(setup, other_kpr, name="月度新签合同数")

    page = ok(await setup.get(f"/kprs/{kpr['id']}/kpis", "manager"))

    assert [k["id"] for k in page["items"]] == [first["id"], second["id"]]
    assert page["next_cursor"] is None
    one = ok(await setup.get(f"/kprs/{kpr['id']}/kpis", "employee", limit=1))
    rest = ok(await setup.get(f"/kprs/{kpr['id']}/kpis", "employee", limit=1, cursor=one["next_cursor"]))
    assert [k["id"] for k in one["items"] + rest["items"]] == [first["id"], second["id"]]


async def test_a_kpi_is_patched_with_merge_semantics(setup: Setup, kpr: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr)

    patched = ok(await setup.patch(f"/kpis/{kpi['id']}", {"target": 15, "unit": None}, "employee"))

    assert (patched["target"], patched["unit"]) == (15, None)
    assert (patched["name"], patched["baseline"], patched["frequency"]) == (VISITS["name"], 5, "weekly")
    assert ok(await setup.get(f"/kpis/{kpi['id']}")) == patched


@pytest.mark.parametrize(
    "change",
    [
        {"target": 5},
        {"baseline": 12},
        {"direction": "decrease"},
        {"name": None},
        {"frequency": "hourly"},
        {"kpr_id": None},
    ],
)
async def test_an_invalid_kpi_patch_is_refused(setup: Setup, kpr: dict[str, Any], change: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr)

    response = await setup.patch(f"/kpis/{kpi['id']}", change, "employee")

    assert_problem(response, 422, "VALIDATION_FAILED")
    assert ok(await setup.get(f"/kpis/{kpi['id']}")) == kpi


@pytest.mark.parametrize(
    "change",
    [
        {"target": 5},
        {"direction": "decrease"},
        {"frequency": "yearly"},
        {"name": ""},
        {"colour": "red"},
    ],
    ids=["flat", "mismatch", "frequency", "name", "unknown"],
)
async def test_an_invalid_kpi_is_refused(setup: Setup, kpr: dict[str, Any], change: dict[str, Any]) -> None:
    response = await setup.post(f"/kprs/{kpr['id']}/kpis", {**VISITS, **change}, "employee")

    assert_problem(response, 422, "VALIDATION_FAILED")
    assert ok(await setup.get(f"/kprs/{kpr['id']}/kpis"))["items"] == []


async def test_a_maintain_kpi_may_hold_its_baseline(setup: Setup, kpr: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr, name="周报按时提交率", unit="%", direction="maintain", baseline=100, target=100)

    assert kpi["direction"] == "maintain"


async def test_a_kpi_is_deleted_with_its_check_ins(setup: Setup, kpr: dict[str, Any], session: AsyncSession) -> None:
    kpi = await add_kpi(setup, kpr)
    ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 7, "recorded_at": at(10)}, "employee"), 201)

    deleted = await setup.delete(f"/kpis/{kpi['id']}", "employee")

    assert deleted.status_code == 204
    assert_problem(await setup.get(f"/kpis/{kpi['id']}"), 404, "NOT_FOUND")
    assert ok(await setup.get(f"/kprs/{kpr['id']}/kpis"))["items"] == []
    assert (
        await session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.organization_id == setup.tenant.org.id)
        )
        == 0
    )


async def test_kpi_progress_comes_from_its_own_check_ins(setup: Setup, kpr: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr)  # 5 → 12 per week
    await setup.check_in(kpr["id"], 230, recorded_at=at(12))  # a KPR check-in does not move the KPI

    ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 7, "recorded_at": at(10)}, "employee"), 201)
    ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 8.5, "recorded_at": at(11)}, "employee"), 201)

    fetched = ok(await setup.get(f"/kpis/{kpi['id']}"))
    # (8.5 − 5)/(12 − 5) = 0.5
    assert (fetched["current_value"], fetched["progress"]) == (8.5, 50)
    listed = ok(await setup.get(f"/kprs/{kpr['id']}/kpis"))["items"]
    assert (listed[0]["current_value"], listed[0]["progress"]) == (8.5, 50)
    # The KPR is scored from its own check-ins only.
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["current_value"] == 230


@pytest.mark.parametrize(
    ("value", "progress"),
    [(20, 100), (3, 0), (12, 100), (9.2, 60)],
)
async def test_kpi_progress_is_clamped(setup: Setup, kpr: dict[str, Any], value: Any, progress: int) -> None:
    kpi = await add_kpi(setup, kpr)

    ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": value, "recorded_at": at(10)}, "employee"), 201)

    assert ok(await setup.get(f"/kpis/{kpi['id']}"))["progress"] == progress


async def test_a_decreasing_kpi_progresses_downwards(setup: Setup, kpr: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr, name="客户投诉响应时长", unit="小时", direction="decrease", baseline=24, target=4)

    ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 19, "recorded_at": at(10)}, "employee"), 201)

    assert ok(await setup.get(f"/kpis/{kpi['id']}"))["progress"] == 25


async def test_kpi_check_ins_are_listed_newest_first(setup: Setup, kpr: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr)
    for day, value in ((10, 6), (30, 9), (20, 7)):
        ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": value, "recorded_at": at(day)}, "employee"), 201)

    page = ok(await setup.get(f"/kpis/{kpi['id']}/check-ins", "manager"))

    assert [(c["value"], c["recorded_at"]) for c in page["items"]] == [(9, at(30)), (7, at(20)), (6, at(10))]
    assert all(c["kpi_id"] == kpi["id"] and c["kpr_id"] is None for c in page["items"])
    assert ok(await setup.get(f"/kprs/{kpr['id']}/check-ins"))["items"] == []


async def test_kpi_check_ins_follow_the_cycle_rules(setup: Setup, kpr: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr)
    url = f"/kpis/{kpi['id']}/check-ins"

    before = await setup.post(url, {"value": 6, "recorded_at": at(-1)}, "employee")
    confidence = await setup.post(url, {"value": 6, "confidence": 11}, "employee")

    assert_problem(before, 422, "VALIDATION_FAILED")
    assert_problem(confidence, 422, "VALIDATION_FAILED")


# --- access -----------------------------------------------------------------------------------------------------------


async def test_a_manager_adds_and_reads_kpis_of_a_report(setup: Setup, kpr: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr, who="manager")

    assert ok(await setup.get(f"/kpis/{kpi['id']}", "manager"))["id"] == kpi["id"]
    assert ok(await setup.patch(f"/kpis/{kpi['id']}", {"target": 14}, "manager"))["target"] == 14
    ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 6}, "manager"), 201)
    assert ok(await setup.get(f"/kpis/{kpi['id']}", "employee"))["current_value"] == 6


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/kpis/{kpi}", None),
        ("PATCH", "/kpis/{kpi}", {"target": 20}),
        ("DELETE", "/kpis/{kpi}", None),
        ("GET", "/kpis/{kpi}/check-ins", None),
        ("POST", "/kpis/{kpi}/check-ins", {"value": 6}),
        ("GET", "/kprs/{kpr}/kpis", None),
        ("POST", "/kprs/{kpr}/kpis", VISITS),
    ],
)
async def test_a_peer_sees_nothing(
    setup: Setup, kpr: dict[str, Any], method: str, path: str, body: dict[str, Any] | None
) -> None:
    kpi = await add_kpi(setup, kpr)

    response = await setup.client.request(
        method, API + path.format(kpi=kpi["id"], kpr=kpr["id"]), json=body, headers=setup.headers("peer")
    )

    assert_problem(response, 404, "NOT_FOUND")
    assert ok(await setup.get(f"/kpis/{kpi['id']}")) == kpi


async def test_a_service_reads_kpis_and_writes_only_check_ins(setup: Setup, kpr: dict[str, Any]) -> None:
    kpi = await add_kpi(setup, kpr)

    assert ok(await setup.get(f"/kpis/{kpi['id']}", "service"))["id"] == kpi["id"]
    assert len(ok(await setup.get(f"/kprs/{kpr['id']}/kpis", "service"))["items"]) == 1
    check_in = ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 8}, "service"), 201)
    assert check_in["author_id"] is None
    assert_problem(await setup.post(f"/kprs/{kpr['id']}/kpis", VISITS, "service"), 403, "FORBIDDEN")
    assert_problem(await setup.patch(f"/kpis/{kpi['id']}", {"target": 20}, "service"), 403, "FORBIDDEN")
    assert_problem(await setup.delete(f"/kpis/{kpi['id']}", "service"), 403, "FORBIDDEN")


async def test_an_unknown_kpi_is_not_found(setup: Setup) -> None:
    missing = "00000000-0000-4000-8000-000000000000"

    assert_problem(await setup.get(f"/kpis/{missing}"), 404, "NOT_FOUND")
    assert_problem(await setup.post(f"/kprs/{missing}/kpis", VISITS), 404, "NOT_FOUND")
