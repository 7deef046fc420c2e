"""KPR check-ins: append-only, dated inside the cycle and not in the future, written by the owner, their managers,
an admin or a service, listed newest first."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CheckIn
from tests.assertions import assert_problem, ok
from tests.factories import API, CYCLE_END, CYCLE_START, Setup, Tenant, at, make_setup


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


@pytest.fixture
async def kpr(setup: Setup) -> dict[str, Any]:
    return await setup.kpr(baseline=200, target=300)


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


async def count_check_ins(session: AsyncSession, tenant: Tenant) -> int:
    statement = select(func.count()).select_from(CheckIn).where(CheckIn.organization_id == tenant.org.id)
    return int(await session.scalar(statement) or 0)


async def test_the_owner_records_a_check_in(setup: Setup, kpr: dict[str, Any]) -> None:
    response = await setup.post(
        f"/kprs/{kpr['id']}/check-ins",
        {"value": 250.5, "recorded_at": at(30), "note": "6月回款已确认", "confidence": 7},
        "employee",
    )

    check_in = ok(response, 201)
    assert response.headers["location"] == f"/api/v1/kprs/{kpr['id']}/check-ins"
    assert check_in["kpr_id"] == kpr["id"]
    assert check_in["kpi_id"] is None
    assert (check_in["value"], check_in["recorded_at"], check_in["note"], check_in["confidence"]) == (
        250.5,
        at(30),
        "6月回款已确认",
        7,
    )
    assert check_in["author_id"] == str(setup.tenant.employee.id)
    assert check_in["created_at"].endswith("Z")
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["current_value"] == 250.5


async def test_recorded_at_defaults_to_now(setup: Setup, kpr: dict[str, Any]) -> None:
    before = datetime.now(UTC)

    check_in = await setup.check_in(kpr["id"], 230)

    recorded = parse(check_in["recorded_at"])
    assert before - timedelta(seconds=1) <= recorded <= datetime.now(UTC) + timedelta(seconds=1)
    assert check_in["confidence"] is None
    assert check_in["note"] is None


async def test_a_recorded_at_with_an_offset_is_stored_in_utc(setup: Setup, kpr: dict[str, Any]) -> None:
    local = at(30, hour=9).replace("T09:00:00Z", "T17:00:00+08:00")

    check_in = await setup.check_in(kpr["id"], 230, recorded_at=local)

    assert check_in["recorded_at"] == at(30, hour=9)


@pytest.mark.parametrize(
    "recorded_at",
    [
        at(-1),  # the day before the cycle starts
        (datetime.combine(CYCLE_START, datetime.min.time(), tzinfo=UTC) - timedelta(seconds=1)).isoformat(),
        "2001-01-01T00:00:00Z",
    ],
    ids=["day-before", "second-before", "long-ago"],
)
async def test_a_check_in_before_the_cycle_is_refused(
    setup: Setup, kpr: dict[str, Any], session: AsyncSession, recorded_at: str
) -> None:
    response = await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": 230, "recorded_at": recorded_at}, "employee")

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["loc"] == ["body", "recorded_at"]
    assert CYCLE_START.isoformat() in body["errors"][0]["msg"]
    assert await count_check_ins(session, setup.tenant) == 0


async def test_the_first_instant_of_the_cycle_is_inside(setup: Setup, kpr: dict[str, Any]) -> None:
    check_in = await setup.check_in(kpr["id"], 230, recorded_at=f"{CYCLE_START.isoformat()}T00:00:00Z")

    assert check_in["recorded_at"] == f"{CYCLE_START.isoformat()}T00:00:00Z"


async def test_a_check_in_after_the_cycle_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession
) -> None:
    # A cycle that ended yesterday: a check-in today is outside it although not in the future.
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    setup = await make_setup(client, tenant, end_date=yesterday.isoformat())
    kpr = await setup.kpr(due_date=yesterday.isoformat())

    defaulted = await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": 230}, "employee")
    explicit = await setup.post(
        f"/kprs/{kpr['id']}/check-ins", {"value": 230, "recorded_at": datetime.now(UTC).isoformat()}, "employee"
    )

    for response in (defaulted, explicit):
        assert assert_problem(response, 422, "VALIDATION_FAILED")["errors"][0]["loc"] == ["body", "recorded_at"]
    assert await count_check_ins(session, setup.tenant) == 0


@pytest.mark.parametrize("ahead", [timedelta(hours=1), timedelta(days=3)])
async def test_a_check_in_in_the_future_is_refused(
    setup: Setup, kpr: dict[str, Any], session: AsyncSession, ahead: timedelta
) -> None:
    future = (datetime.now(UTC) + ahead).isoformat()
    assert parse(future).date() <= CYCLE_END  # inside the cycle: refused for being in the future, not outside

    response = await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": 230, "recorded_at": future}, "employee")

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["loc"] == ["body", "recorded_at"]
    assert "future" in body["errors"][0]["msg"]
    assert await count_check_ins(session, setup.tenant) == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"confidence": 11},
        {"confidence": -1},
        {"confidence": 5.5},
        {"recorded_at": "2026-03-01T09:00:00"},
        {"recorded_at": "2026-03-01"},
        {"value": None},
        {"value": "abc"},
        {"value": "Infinity"},
        {"author_id": "00000000-0000-4000-8000-000000000000"},
    ],
    ids=["confidence-11", "confidence-neg", "confidence-frac", "naive", "date-only", "null", "text", "inf", "author"],
)
async def test_an_invalid_check_in_is_refused(
    setup: Setup, kpr: dict[str, Any], session: AsyncSession, fields: dict[str, Any]
) -> None:
    response = await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": 230, **fields}, "employee")

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["loc"][:2] == ["body", next(iter(fields))]
    assert await count_check_ins(session, setup.tenant) == 0


@pytest.mark.parametrize("confidence", [0, 10])
async def test_confidence_bounds_are_inclusive(setup: Setup, kpr: dict[str, Any], confidence: int) -> None:
    assert (await setup.check_in(kpr["id"], 230, confidence=confidence))["confidence"] == confidence


async def test_check_ins_are_listed_newest_first_with_pagination(setup: Setup, kpr: dict[str, Any]) -> None:
    # Inserted out of order, two of them at the same instant (the id breaks the tie).
    days = [40, 10, 70, 25, 55, 25, 5]
    created = [await setup.check_in(kpr["id"], 200 + i, recorded_at=at(day)) for i, day in enumerate(days)]
    expected = sorted(created, key=lambda c: (c["recorded_at"], c["id"]), reverse=True)

    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = ok(await setup.get(f"/kprs/{kpr['id']}/check-ins", "employee", **params))
        pages += 1
        assert len(page["items"]) <= 3
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert [c["id"] for c in seen] == [c["id"] for c in expected]
    assert [c["recorded_at"] for c in seen][:2] == [at(70), at(55)]
    everything = ok(await setup.get(f"/kprs/{kpr['id']}/check-ins", "manager"))
    assert [c["id"] for c in everything["items"]] == [c["id"] for c in expected]


async def test_a_tampered_cursor_is_refused(setup: Setup, kpr: dict[str, Any]) -> None:
    for day in (1, 2, 3):
        await setup.check_in(kpr["id"], 210, recorded_at=at(day))
    page = ok(await setup.get(f"/kprs/{kpr['id']}/check-ins", limit=1))

    response = await setup.get(f"/kprs/{kpr['id']}/check-ins", limit=1, cursor=page["next_cursor"][:-2] + "xx")

    assert_problem(response, 400, "INVALID_CURSOR")


async def test_check_ins_are_append_only(setup: Setup, kpr: dict[str, Any]) -> None:
    await setup.check_in(kpr["id"], 230, recorded_at=at(3))
    url = f"{API}/kprs/{kpr['id']}/check-ins"

    for method in ("PUT", "PATCH", "DELETE"):
        response = await setup.client.request(method, url, json={"value": 1}, headers=setup.headers("admin"))
        assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert [c["value"] for c in ok(await setup.get(f"/kprs/{kpr['id']}/check-ins"))["items"]] == [230]


async def test_a_later_check_in_with_an_earlier_date_does_not_replace_the_current_value(
    setup: Setup, kpr: dict[str, Any]
) -> None:
    await setup.check_in(kpr["id"], 280, recorded_at=at(50))
    await setup.check_in(kpr["id"], 210, recorded_at=at(20))  # a back-dated correction of an older figure

    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["current_value"] == 280


# --- who may write ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "manager", "admin"])
async def test_owner_manager_and_admin_write_check_ins_as_themselves(
    setup: Setup, kpr: dict[str, Any], who: str
) -> None:
    check_in = await setup.check_in(kpr["id"], 240, who=who)

    people = {"employee": setup.tenant.employee, "manager": setup.tenant.manager, "admin": setup.tenant.admin}
    assert check_in["author_id"] == str(people[who].id)


async def test_a_service_writes_check_ins_but_not_kprs(setup: Setup, kpr: dict[str, Any]) -> None:
    check_in = await setup.check_in(kpr["id"], 260, who="service", note="ERP 同步")

    assert check_in["author_id"] is None
    assert check_in["note"] == "ERP 同步"
    listed = ok(await setup.get(f"/kprs/{kpr['id']}/check-ins", "service"))
    assert [c["id"] for c in listed["items"]] == [check_in["id"]]
    refused = await setup.post_kpr("service", owner_id=str(setup.tenant.employee.id), title="服务创建的KPR")
    assert_problem(refused, 403, "FORBIDDEN")
    assert ok(await setup.get("/kprs", "admin"))["items"] == [ok(await setup.get(f"/kprs/{kpr['id']}"))]


async def test_a_peer_neither_reads_nor_writes_a_colleagues_check_ins(
    setup: Setup, kpr: dict[str, Any], session: AsyncSession
) -> None:
    await setup.check_in(kpr["id"], 230, recorded_at=at(3))

    assert_problem(await setup.get(f"/kprs/{kpr['id']}/check-ins", "peer"), 404, "NOT_FOUND")
    assert_problem(await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": 1}, "peer"), 404, "NOT_FOUND")
    assert await count_check_ins(session, setup.tenant) == 1


async def test_an_employee_cannot_check_in_on_their_managers_kpr(setup: Setup) -> None:
    managers = await setup.kpr("manager")

    assert_problem(await setup.post(f"/kprs/{managers['id']}/check-ins", {"value": 1}, "employee"), 404, "NOT_FOUND")


async def test_check_ins_require_authentication(setup: Setup, kpr: dict[str, Any]) -> None:
    response = await setup.client.post(f"{API}/kprs/{kpr['id']}/check-ins", json={"value": 1})

    assert_problem(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"].startswith("Bearer")
