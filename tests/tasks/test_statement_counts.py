"""GET /me/tasks costs a fixed number of statements, whether the manager has 3 reports or 300.

Rows are written through the ORM (bulk set-up); the read goes through the API. Each report has a plan waiting for
approval, a revision waiting for a decision and an evaluation waiting for the manager's review.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Employee, Evaluation, Goal, Kpr, Plan, Revision
from tests.assertions import ok
from tests.factories import API, Tenant, make_cycle, make_employees
from tests.factories.planning import make_goal

PER_REPORT = ("approve_plan", "decide_revision", "manager_review")


async def give_reports(session: AsyncSession, tenant: Tenant, how_many: int) -> list[Employee]:
    """``how_many`` more reports of the manager, each with one task of each of PER_REPORT for the manager."""
    org = tenant.org
    planning = await make_cycle(session, org, status="planning")
    review = await make_cycle(session, org, status="review")
    goal: Goal = await make_goal(session, org, cycle=review)
    reports = await make_employees(session, org, how_many, department=tenant.department)
    for report in reports:
        report.manager_id = tenant.manager.id
    submitted = [
        Plan(organization_id=org.id, cycle_id=planning.id, employee_id=r.id, status="submitted") for r in reports
    ]
    approved = [Plan(organization_id=org.id, cycle_id=review.id, employee_id=r.id, status="approved") for r in reports]
    session.add_all(submitted + approved)
    await session.flush()
    kprs = [
        Kpr(
            organization_id=org.id,
            plan_id=plan.id,
            cycle_id=review.id,
            owner_id=plan.employee_id,
            goal_id=goal.id,
            title="个人销售额同比增长20%",
            unit="万元",
            direction="increase",
            baseline=Decimal(100),
            target=Decimal(120),
            weight=Decimal(100),
        )
        for plan in approved
    ]
    evaluations = [
        Evaluation(
            organization_id=org.id,
            cycle_id=review.id,
            employee_id=plan.employee_id,
            plan_id=plan.id,
            reviewer_id=tenant.manager.id,
            status="manager_review",
        )
        for plan in approved
    ]
    session.add_all(kprs + evaluations)
    await session.flush()
    revisions = [
        Revision(
            organization_id=org.id,
            kpr_id=kpr.id,
            changes={"target": "110"},
            reason="市场变化",
            requested_by="factory",
        )
        for kpr in kprs
    ]
    session.add_all(revisions)
    await session.commit()
    return reports


async def count_tasks(
    client: httpx.AsyncClient, count_statements: Callable[[], Any], headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    with count_statements() as counter:
        listed = ok(await client.get(f"{API}/me/tasks", headers=headers))
    return counter.count, listed


async def test_a_manager_s_tasks_take_the_same_statements_for_3_or_300_reports(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    await give_reports(session, tenant, 3)
    small_count, small = await count_tasks(client, count_statements, tenant.headers("manager"))

    await give_reports(session, tenant, 297)
    large_count, large = await count_tasks(client, count_statements, tenant.headers("manager"))

    assert small["total"] == 3 * len(PER_REPORT)
    assert {t["kind"] for t in small["items"]} == set(PER_REPORT)
    assert large["total"] == 300 * len(PER_REPORT)
    assert len(large["items"]) == 500  # the list is cut, the total says so
    assert large_count == small_count
    # The caller; the organization's timezone and the reports; the tasks; their cycles' policies.
    assert small_count <= 4, small_count


async def test_an_employee_s_tasks_cost_what_a_manager_s_do(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    await give_reports(session, tenant, 3)
    manager_count, _ = await count_tasks(client, count_statements, tenant.headers("manager"))
    employee_count, listed = await count_tasks(client, count_statements, tenant.headers("employee"))
    assert listed["items"] == []
    assert employee_count <= manager_count  # with no task, no cycle's policy is read
