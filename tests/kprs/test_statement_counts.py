"""List endpoints run a fixed number of SQL statements however many rows they return (no N+1).

Rows are written through the ORM (bulk set-up); the reads go through the API. The larger set spreads over several
owners, cycles, goals (with parent chains) and carries check-ins and KPIs, so every per-row lookup would show.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CheckIn, Cycle, Employee, Goal, Kpr, Plan
from tests.assertions import ok
from tests.factories import API, CYCLE_END, CYCLE_START, Tenant, make_employee


class Builder:
    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.org_id = tenant.org.id
        self.cycles: list[Cycle] = []
        self.goals: dict[Any, Goal] = {}
        self.plans: dict[tuple[Any, Any], Plan] = {}
        self.reports: list[Employee] = [tenant.employee, tenant.peer]

    async def start(self, cycles: int = 2) -> None:
        for n in range(cycles):
            cycle = Cycle(
                organization_id=self.org_id,
                name=f"周期{n}",
                cadence="custom",
                start_date=CYCLE_START,
                end_date=CYCLE_END,
                status="active",
                policy={"curve": "threshold"} if n else {},
            )
            self.session.add(cycle)
            await self.session.flush()
            company = Goal(organization_id=self.org_id, cycle_id=cycle.id, title="公司目标", level="company")
            self.session.add(company)
            await self.session.flush()
            department = Goal(
                organization_id=self.org_id,
                cycle_id=cycle.id,
                title="部门目标",
                level="department",
                department_id=self.tenant.department.id,
                parent_id=company.id,
            )
            self.session.add(department)
            await self.session.flush()
            self.cycles.append(cycle)
            self.goals[cycle.id] = department

    async def add_reports(self, how_many: int) -> None:
        for _ in range(how_many):
            self.reports.append(
                await make_employee(
                    self.session, self.tenant.org, manager=self.tenant.manager, department=self.tenant.department
                )
            )

    async def kprs(self, how_many: int, owners: list[Employee]) -> None:
        now = datetime.now(UTC)
        for n in range(how_many):
            owner = owners[n % len(owners)]
            # Every owner gets a KPR in one cycle before any gets one in the next.
            cycle = self.cycles[(n // len(owners)) % len(self.cycles)]
            plan = self.plans.get((cycle.id, owner.id))
            if plan is None:
                plan = Plan(organization_id=self.org_id, cycle_id=cycle.id, employee_id=owner.id, status="draft")
                self.session.add(plan)
                await self.session.flush()
                self.plans[(cycle.id, owner.id)] = plan
            kpr = Kpr(
                organization_id=self.org_id,
                plan_id=plan.id,
                cycle_id=cycle.id,
                owner_id=owner.id,
                goal_id=self.goals[cycle.id].id,
                title=f"销售额增长{n}%",
                unit="万元",
                direction="increase",
                baseline=Decimal(100),
                target=Decimal(200),
                threshold=Decimal(150),
                weight=Decimal(10),
                due_date=CYCLE_END,
            )
            self.session.add(kpr)
            await self.session.flush()
            for k in range(2):
                self.session.add(
                    CheckIn(
                        organization_id=self.org_id,
                        kpr_id=kpr.id,
                        value=Decimal(120 + 10 * k + n),
                        recorded_at=now - timedelta(days=10 - k),
                        author="factory",
                    )
                )
        await self.session.commit()


async def count_get(
    client: httpx.AsyncClient, count_statements: Callable[[], Any], path: str, headers: dict[str, str], **params: Any
) -> tuple[int, dict[str, Any]]:
    with count_statements() as counter:
        response = await client.get(f"{API}{path}", params=params, headers=headers)
    return counter.count, ok(response)


@pytest.mark.parametrize("who", ["admin", "manager"])
async def test_listing_kprs_takes_the_same_statements_for_3_or_40(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    count_statements: Callable[[], Any],
    who: str,
) -> None:
    build = Builder(session, tenant)
    await build.start()
    await build.add_reports(6)
    await build.kprs(3, build.reports[:3])
    small_count, small = await count_get(client, count_statements, "/kprs", tenant.headers(who))

    await build.kprs(37, build.reports)
    large_count, large = await count_get(client, count_statements, "/kprs", tenant.headers(who))

    assert len(small["items"]) == 3
    assert len(large["items"]) == 40
    assert {k["owner_id"] for k in large["items"]} == {str(e.id) for e in build.reports}
    assert all(k["current_value"] is not None and k["smart"]["relevant"]["status"] == "pass" for k in large["items"])
    assert large_count == small_count, large_count
    # Authentication, the page, check-in values, cycles, goal chains: a handful, not one per row.
    assert small_count <= 8


async def test_listing_kprs_as_of_takes_the_same_statements(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    build = Builder(session, tenant)
    await build.start()
    await build.add_reports(4)
    await build.kprs(3, build.reports[:3])
    as_of = (datetime.now(UTC) - timedelta(days=9, hours=12)).isoformat()
    small_count, _ = await count_get(client, count_statements, "/kprs", tenant.headers("admin"), as_of=as_of)

    await build.kprs(37, build.reports)
    large_count, large = await count_get(client, count_statements, "/kprs", tenant.headers("admin"), as_of=as_of)

    assert len(large["items"]) == 40
    assert large_count == small_count


@pytest.mark.parametrize("who", ["admin", "manager"])
async def test_listing_plans_takes_the_same_statements_for_3_or_40(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    count_statements: Callable[[], Any],
    who: str,
) -> None:
    build = Builder(session, tenant)
    await build.start(cycles=2)
    await build.add_reports(18)
    # 3 plans: three owners in one cycle.
    await build.kprs(3, build.reports[:3])
    small_count, small = await count_get(client, count_statements, "/plans", tenant.headers(who))

    # 40 plans: twenty owners in each of the two cycles, each plan with one or more KPRs.
    await build.kprs(77, build.reports)
    large_count, large = await count_get(client, count_statements, "/plans", tenant.headers(who))

    assert len(small["items"]) == 3
    assert len(large["items"]) == 40
    assert all(p["weight_total"] >= 10 for p in large["items"])
    assert sum(p["weight_total"] for p in large["items"]) == 800
    assert large_count == small_count, large_count
    assert small_count <= 6
