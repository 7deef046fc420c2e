"""Incremental sync (DESIGN §14): ``?updated_since=`` on the five lists a sync client follows — only what changed at or
after it, in (updated_at, id) order, walked page by page without skipping or repeating a row that stays unchanged,
however much changes meanwhile; every write moves a row's updated_at, a KPR's stored figures included."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.models import Department, Employee, Evaluation, Goal, Kpr
from tests.assertions import assert_index_serves, assert_problem, ok
from tests.factories import (
    API,
    CYCLE_END,
    CYCLE_START,
    Tenant,
    make_cycle,
    make_department,
    make_employees,
    make_goal,
    make_kpr,
    make_plan,
)

ROWS = 12
BASE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Synced:
    """One list under test: its path, its rows' model, how to make rows and how a client changes one."""

    path: str
    model: Any
    make: Callable[[AsyncSession, Tenant], Awaitable[None]]
    change: Callable[[httpx.AsyncClient, Tenant, str, int], Awaitable[None]]


async def _employees(session: AsyncSession, tenant: Tenant) -> None:
    await make_employees(session, tenant.org, ROWS)


async def _change_employee(client: httpx.AsyncClient, tenant: Tenant, row_id: str, n: int) -> None:
    ok(
        await client.patch(
            f"{API}/employees/{row_id}", json={"job_title": f"工程师{n}"}, headers=tenant.headers("admin")
        )
    )


async def _departments(session: AsyncSession, tenant: Tenant) -> None:
    for _ in range(ROWS):
        await make_department(session, tenant.org)


async def _change_department(client: httpx.AsyncClient, tenant: Tenant, row_id: str, n: int) -> None:
    body = {"name": f"改名部门{n}"}
    ok(await client.patch(f"{API}/departments/{row_id}", json=body, headers=tenant.headers("admin")))


async def _active_cycle(session: AsyncSession, tenant: Tenant) -> Any:
    return await make_cycle(session, tenant.org, cadence="custom", start_date=CYCLE_START, end_date=CYCLE_END)


async def _goals(session: AsyncSession, tenant: Tenant) -> None:
    cycle = await _active_cycle(session, tenant)
    for _ in range(ROWS):
        await make_goal(session, tenant.org, cycle=cycle)


async def _change_goal(client: httpx.AsyncClient, tenant: Tenant, row_id: str, n: int) -> None:
    ok(await client.patch(f"{API}/goals/{row_id}", json={"title": f"营收增长{n}%"}, headers=tenant.headers("admin")))


async def _kprs(session: AsyncSession, tenant: Tenant) -> None:
    cycle = await _active_cycle(session, tenant)
    goal = await make_goal(session, tenant.org, cycle=cycle)
    for _ in range(ROWS):
        await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle, goal=goal, weight=5)


async def _change_kpr(client: httpx.AsyncClient, tenant: Tenant, row_id: str, n: int) -> None:
    # A check-in changes the KPR as the API shows it (its current value and figures): it counts as an update.
    body = {"value": n + 1}
    ok(await client.post(f"{API}/kprs/{row_id}/check-ins", json=body, headers=tenant.headers("service")), 201)


async def _evaluations(session: AsyncSession, tenant: Tenant) -> None:
    cycle = await make_cycle(session, tenant.org, status="review")
    for employee in await make_employees(session, tenant.org, ROWS):
        plan = await make_plan(session, tenant.org, cycle=cycle, employee=employee, status="approved")
        session.add(
            Evaluation(
                organization_id=tenant.org.id,
                cycle_id=cycle.id,
                employee_id=employee.id,
                plan_id=plan.id,
                reviewer_id=tenant.manager.id,
                status="self_review",
            )
        )
    await session.flush()


async def _change_evaluation(client: httpx.AsyncClient, tenant: Tenant, row_id: str, n: int) -> None:
    body = {"to": "manager_review", "comment": f"第{n}次"}
    ok(await client.post(f"{API}/evaluations/{row_id}/transitions", json=body, headers=tenant.headers("admin")))


LISTS = {
    "employees": Synced("/employees", Employee, _employees, _change_employee),
    "departments": Synced("/departments", Department, _departments, _change_department),
    "goals": Synced("/goals", Goal, _goals, _change_goal),
    "kprs": Synced("/kprs", Kpr, _kprs, _change_kpr),
    "evaluations": Synced("/evaluations", Evaluation, _evaluations, _change_evaluation),
}


@pytest.fixture(params=sorted(LISTS))
def synced(request: pytest.FixtureRequest) -> Synced:
    return LISTS[request.param]


async def _rows_at_known_instants(session: AsyncSession, tenant: Tenant, synced: Synced) -> list[uuid.UUID]:
    """Every row of the list in the organization, each given updated_at BASE + 1 min, + 2 min… in an order unlike
    the ids' (so the walk's order is the timestamps'), a pair of them tied (so the id must break the tie)."""
    await synced.make(session, tenant)
    model = synced.model
    ids = sorted(await session.scalars(select(model.id).where(model.organization_id == tenant.org.id)), key=str)
    ordered = ids[1::2] + ids[0::2]
    for n, row_id in enumerate(ordered):
        await session.execute(
            update(model)
            .where(model.id == row_id)
            .values(updated_at=BASE + timedelta(minutes=max(n, 1)))
            .execution_options(synchronize_session=False)
        )
    await session.commit()
    return ordered


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return item["updated_at"], item["id"]


async def test_only_rows_updated_at_or_after_the_instant_in_updated_at_then_id_order(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, synced: Synced
) -> None:
    ordered = await _rows_at_known_instants(session, tenant, synced)
    since = BASE + timedelta(minutes=5)

    body = ok(
        await client.get(
            f"{API}{synced.path}",
            params={"updated_since": since.isoformat().replace("+00:00", "Z"), "limit": 200},
            headers=tenant.headers("admin"),
        )
    )

    items = body["items"]
    assert [item["id"] for item in items] == [str(row_id) for row_id in ordered[5:]]
    assert items == sorted(items, key=_key)
    assert items[0]["updated_at"] == "2026-01-01T00:05:00Z"  # at the instant counts as after it
    # The same instant with an offset is the same instant.
    shifted = since.astimezone(datetime.now().astimezone().tzinfo).isoformat()
    again = ok(
        await client.get(
            f"{API}{synced.path}", params={"updated_since": shifted, "limit": 200}, headers=tenant.headers("admin")
        )
    )
    assert again["items"] == items


async def test_a_walk_sees_every_unchanged_row_exactly_once_while_rows_change_between_pages(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, synced: Synced
) -> None:
    ordered = await _rows_at_known_instants(session, tenant, synced)
    since = BASE.isoformat().replace("+00:00", "Z")
    seen: list[dict[str, Any]] = []
    changed: list[str] = []
    cursor: str | None = None
    changes = 0
    while True:
        params: dict[str, Any] = {"updated_since": since, "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = ok(await client.get(f"{API}{synced.path}", params=params, headers=tenant.headers("admin")))
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # Between pages another client changes one row already read and one still ahead of the cursor.
        seen_ids = {item["id"] for item in seen}
        behind = [str(i) for i in ordered if str(i) in seen_ids and str(i) not in changed]
        ahead = [str(i) for i in ordered if str(i) not in seen_ids and str(i) not in changed]
        for row_id in (behind[:1] + ahead[-1:]) if changes < 6 else []:
            await synced.change(client, tenant, row_id, changes)
            changed.append(row_id)
            changes += 1
        assert len(seen) < 10 * len(ordered), "the walk does not end"

    counts: dict[str, int] = {}
    for item in seen:
        counts[item["id"]] = counts.get(item["id"], 0) + 1
    unchanged = [str(i) for i in ordered if str(i) not in changed]
    assert changed, "nothing changed during the walk"
    assert all(counts.get(row_id) == 1 for row_id in unchanged), counts
    # Each changed row moved to the end: it is seen there, after every unchanged one, in the order of the changes.
    assert all(counts.get(row_id, 0) >= 1 for row_id in changed), counts
    tail = [item["id"] for item in seen[-len(changed) :]]
    assert tail == changed
    assert [item["id"] for item in seen if item["id"] in unchanged] == unchanged


async def test_a_check_in_moves_its_kprs_updated_at_and_so_its_goals(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    cycle = await _active_cycle(session, tenant)
    goal = await make_goal(session, tenant.org, cycle=cycle)
    kpr = await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle, goal=goal, baseline=0, target=100)
    await session.commit()
    before = datetime.now(UTC).isoformat()

    ok(await client.post(f"{API}/kprs/{kpr.id}/check-ins", json={"value": 40}, headers=tenant.headers("employee")), 201)

    kprs = ok(await client.get(f"{API}/kprs", params={"updated_since": before}, headers=tenant.headers("admin")))
    goals = ok(await client.get(f"{API}/goals", params={"updated_since": before}, headers=tenant.headers("admin")))
    assert [(k["id"], k["current_value"]) for k in kprs["items"]] == [(str(kpr.id), 40)]
    assert [(g["id"], g["progress"]) for g in goals["items"]] == [(str(goal.id), 40)]


async def test_updated_since_reads_what_the_caller_may_read_only(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    cycle = await _active_cycle(session, tenant)
    mine = await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle)
    await make_kpr(session, tenant.org, owner=tenant.peer, cycle=cycle)
    await make_kpr(
        session, other_tenant.org, owner=other_tenant.employee, cycle=await _active_cycle(session, other_tenant)
    )
    await session.commit()

    body = ok(
        await client.get(f"{API}/kprs", params={"updated_since": BASE.isoformat()}, headers=tenant.headers("employee"))
    )

    assert [k["id"] for k in body["items"]] == [str(mine.id)]


@pytest.mark.parametrize("path", sorted(synced.path for synced in LISTS.values()))
@pytest.mark.parametrize("value", ["2026-01-01T08:00:00", "2026-01-01", "yesterday", "1767225600"])
async def test_a_timestamp_without_an_offset_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, path: str, value: str
) -> None:
    response = await client.get(f"{API}{path}", params={"updated_since": value}, headers=tenant.headers("admin"))

    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_a_cursor_of_one_order_is_refused_by_the_other(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    await make_employees(session, tenant.org, 5)
    await session.commit()
    since = {"updated_since": BASE.isoformat()}
    plain = ok(await client.get(f"{API}/employees", params={"limit": 2}, headers=tenant.headers("admin")))
    changes = ok(await client.get(f"{API}/employees", params={"limit": 2} | since, headers=tenant.headers("admin")))

    mixed = [
        await client.get(
            f"{API}/employees",
            params={"limit": 2, "cursor": plain["next_cursor"]} | since,
            headers=tenant.headers("admin"),
        ),
        await client.get(
            f"{API}/employees", params={"limit": 2, "cursor": changes["next_cursor"]}, headers=tenant.headers("admin")
        ),
    ]

    for response in mixed:
        assert_problem(response, 400, "INVALID_CURSOR")


class _Captured:
    def __init__(self, table: str) -> None:
        self.table = table
        self.found: tuple[str, Any] | None = None

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if f"ORDER BY {self.table}.updated_at" in statement:
            self.found = (statement, parameters)


async def test_a_page_of_changes_is_read_along_the_organization_updated_at_index(
    client: httpx.AsyncClient, session: AsyncSession, connection: AsyncConnection, tenant: Tenant, synced: Synced
) -> None:
    await _rows_at_known_instants(session, tenant, synced)
    table = synced.model.__tablename__
    first = ok(
        await client.get(
            f"{API}{synced.path}",
            params={"updated_since": BASE.isoformat(), "limit": 2},
            headers=tenant.headers("admin"),
        )
    )
    captured = _Captured(table)
    sync_engine = connection.sync_connection.engine if connection.sync_connection else None
    assert sync_engine is not None
    event.listen(sync_engine, "before_cursor_execute", captured)
    try:
        params = {"updated_since": BASE.isoformat(), "limit": 2, "cursor": first["next_cursor"]}
        ok(await client.get(f"{API}{synced.path}", params=params, headers=tenant.headers("admin")))
    finally:
        event.remove(sync_engine, "before_cursor_execute", captured)
    assert captured.found is not None
    statement, parameters = captured.found

    await assert_index_serves(connection, statement, parameters, f"ix_{table}_org_updated")
