"""Regression: a plan made by applying a template has the same history as one made by its first KPR (→ draft).

The template service used to insert plans itself and recorded no first transition, so
``GET /plans/{id}/transitions`` of such a plan was empty.
"""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.kpr_templates.library import list_templates
from tests.factories import Tenant, make_cycle, make_employee, make_goal


async def test_plans_made_by_a_template_apply_start_their_history_at_draft(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    cycle = await make_cycle(session, tenant.org, status="planning")
    goal = await make_goal(session, tenant.org, cycle=cycle, level="department", department=tenant.department)
    employees = [await make_employee(session, tenant.org, manager=tenant.manager) for _ in range(2)]
    await session.commit()
    template = list_templates("sales")[0]  # revenue: increase
    body = {
        "cycle_id": str(cycle.id),
        "goal_id": str(goal.id),
        "employee_ids": [str(e.id) for e in employees],
        "baseline": 800,
        "target": 1000,
        "weight": 40,
        "due_date": "2026-09-30",
    }
    applied = await client.post(
        f"/api/v1/kpr-templates/{template.id}/apply", json=body, headers=tenant.headers("admin")
    )
    assert applied.status_code == 201, applied.text

    for created in applied.json()["created"]:
        history = await client.get(f"/api/v1/plans/{created['plan_id']}/transitions", headers=tenant.headers("admin"))
        assert history.status_code == 200, history.text
        items = history.json()["items"]
        assert [(t["from"], t["to"], t["actor"]) for t in items] == [(None, "draft", tenant.admin.external_id)]
