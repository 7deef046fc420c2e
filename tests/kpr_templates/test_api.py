"""The template library over HTTP (localized, paged) and applying a template to many employees at once."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kpr_templates.library import get_template, list_templates
from app.models import AuditEvent, Employee, Kpr, Plan
from tests.factories import Tenant, make_cycle, make_employee, make_employees, make_goal, make_plan

TEMPLATES = "/api/v1/kpr-templates"
REVENUE = list_templates("sales")[0]


def _apply_url(template_id: Any = REVENUE.id) -> str:
    return f"{TEMPLATES}/{template_id}/apply"


async def test_templates_are_listed_per_function_in_english_and_chinese(client: AsyncClient, tenant: Tenant) -> None:
    expected = list_templates("hr")
    en = await client.get(TEMPLATES, params={"function": "hr"}, headers=tenant.headers("employee"))
    assert en.status_code == 200
    body = en.json()
    assert body["next_cursor"] is None
    assert [t["id"] for t in body["items"]] == [str(t.id) for t in expected]
    first = body["items"][0]
    assert set(first) == {"id", "function", "title", "description", "unit", "direction", "suggested_kpis"}
    assert first["function"] == "hr"
    assert first["title"] == expected[0].title.en
    assert set(first["suggested_kpis"][0]) == {"name", "unit", "direction", "frequency"}
    assert first["suggested_kpis"][0]["name"] == expected[0].suggested_kpis[0].name.en

    zh = await client.get(
        TEMPLATES, params={"function": "hr"}, headers={**tenant.headers("employee"), "Accept-Language": "zh-CN"}
    )
    zh_first = zh.json()["items"][0]
    assert zh_first["title"] == expected[0].title.zh
    assert zh_first["description"] == expected[0].description.zh
    assert zh_first["suggested_kpis"][0]["name"] == expected[0].suggested_kpis[0].name.zh
    assert zh_first["id"] == first["id"]

    sales = await client.get(TEMPLATES, params={"function": "sales"}, headers=tenant.headers("service"))
    assert {t["function"] for t in sales.json()["items"]} == {"sales"}
    assert sales.json()["items"][0]["title"] == REVENUE.title.en


async def test_template_list_pages_and_refuses_bad_input(client: AsyncClient, tenant: Tenant) -> None:
    headers = tenant.headers("manager")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(TEMPLATES, params=params, headers=headers)).json()
        assert len(page["items"]) <= 7
        seen.extend(t["id"] for t in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [str(t.id) for t in list_templates()]
    assert (await client.get(TEMPLATES, params={"function": "astrology"}, headers=headers)).json() == {
        "items": [],
        "next_cursor": None,
    }
    assert (await client.get(TEMPLATES, params={"function": "x" * 65}, headers=headers)).status_code == 422
    everything = await client.get(TEMPLATES, params={"function": "", "limit": 200}, headers=headers)
    assert len(everything.json()["items"]) == len(list_templates())
    assert (await client.get(TEMPLATES, params={"cursor": "Zm9vYmFy"}, headers=headers)).status_code == 400
    assert (await client.get(TEMPLATES)).status_code == 401


async def _setup(session: AsyncSession, tenant: Tenant, n: int, *, manager: Employee | None = None) -> dict[str, Any]:
    cycle = await make_cycle(session, tenant.org, status="planning")
    goal = await make_goal(session, tenant.org, cycle=cycle, level="department", department=tenant.department)
    employees = [await make_employee(session, tenant.org, manager=manager or tenant.manager) for _ in range(n)]
    await session.commit()
    return {
        "cycle": cycle,
        "goal": goal,
        "employees": employees,
        "body": {
            "cycle_id": str(cycle.id),
            "goal_id": str(goal.id),
            "employee_ids": [str(e.id) for e in employees],
            "baseline": 800,
            "target": 1000,
            "threshold": 850,
            "weight": 40,
            "due_date": "2026-09-30",
        },
    }


async def _counts(session: AsyncSession, cycle_id: Any) -> tuple[int, int]:
    kprs = await session.scalar(select(func.count()).select_from(Kpr).where(Kpr.cycle_id == cycle_id))
    plans = await session.scalar(select(func.count()).select_from(Plan).where(Plan.cycle_id == cycle_id))
    return int(kprs or 0), int(plans or 0)


async def test_admin_applies_a_template_to_several_employees(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    s = await _setup(session, tenant, 3)
    existing = await make_plan(session, tenant.org, cycle=s["cycle"], employee=s["employees"][0])
    await session.commit()

    response = await client.post(_apply_url(), json=s["body"], headers=tenant.headers("admin"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["template_id"] == str(REVENUE.id)
    assert body["cycle_id"] == str(s["cycle"].id)
    assert [c["employee_id"] for c in body["created"]] == s["body"]["employee_ids"]
    assert body["created"][0]["plan_id"] == str(existing.id)  # an existing draft plan is reused

    kprs = {k.owner_id: k for k in await session.scalars(select(Kpr).where(Kpr.cycle_id == s["cycle"].id))}
    assert len(kprs) == 3
    for created, employee in zip(body["created"], s["employees"], strict=True):
        kpr = kprs[employee.id]
        assert str(kpr.id) == created["kpr_id"]
        assert str(kpr.plan_id) == created["plan_id"]
        assert kpr.template_id == REVENUE.id
        # The organization's language (zh-CN), whatever the caller's.
        assert kpr.title == REVENUE.title.zh
        assert kpr.description == REVENUE.description.zh
        assert kpr.unit == REVENUE.unit.zh
        assert kpr.direction == REVENUE.direction
        assert (kpr.baseline, kpr.target, kpr.threshold, kpr.stretch) == (
            Decimal(800),
            Decimal(1000),
            Decimal(850),
            None,
        )
        assert (kpr.weight, kpr.goal_weight, kpr.status) == (Decimal(40), Decimal(1), "active")
        assert (kpr.goal_id, kpr.owner_id, kpr.due_date) == (s["goal"].id, employee.id, date(2026, 9, 30))
    plans = {p.employee_id: p for p in await session.scalars(select(Plan).where(Plan.cycle_id == s["cycle"].id))}
    assert len(plans) == 3
    assert {p.status for p in plans.values()} == {"draft"}

    events = list(await session.scalars(select(AuditEvent).where(AuditEvent.organization_id == tenant.org.id)))
    by_type: dict[str, int] = {}
    for event in events:
        by_type[event.entity_type] = by_type.get(event.entity_type, 0) + 1
    assert by_type == {"kpr": 3, "plan": 2, "kpr_template": 1}
    assert all(e.actor == tenant.admin.external_id for e in events)


async def test_manager_applies_to_their_reporting_chain_only(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    lead = await make_employee(session, tenant.org, manager=tenant.manager)
    s = await _setup(session, tenant, 2, manager=lead)  # two levels below the manager
    ok = await client.post(_apply_url(), json=s["body"], headers=tenant.headers("manager"))
    assert ok.status_code == 201, ok.text

    outsider = await make_employee(session, tenant.org)
    await session.commit()
    body = {**s["body"], "employee_ids": [str(tenant.employee.id), str(outsider.id)]}
    refused = await client.post(_apply_url(), json=body, headers=tenant.headers("manager"))
    assert refused.status_code == 403
    assert refused.json()["employee_ids"] == [str(outsider.id)]
    assert str(outsider.id) in refused.json()["detail"]
    myself = {**s["body"], "employee_ids": [str(tenant.manager.id)]}
    assert (await client.post(_apply_url(), json=myself, headers=tenant.headers("manager"))).status_code == 403
    for who in ("employee", "service"):
        body = {**s["body"], "employee_ids": [str(tenant.peer.id)]}
        assert (await client.post(_apply_url(), json=body, headers=tenant.headers(who))).status_code == 403
    assert await _counts(session, s["cycle"].id) == (2, 2)


async def test_nothing_is_created_unless_everything_can_be(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    s = await _setup(session, tenant, 3)
    cycle, body, admin = s["cycle"], s["body"], tenant.headers("admin")
    unknown = "00000000-0000-4000-8000-000000000000"

    missing = await client.post(
        _apply_url(), json={**body, "employee_ids": [*body["employee_ids"], unknown]}, headers=admin
    )
    assert missing.status_code == 404
    assert missing.json()["employee_ids"] == [unknown]
    assert unknown in missing.json()["detail"]
    foreign = str(other_tenant.employee.id)
    assert (
        await client.post(_apply_url(), json={**body, "employee_ids": [foreign, *body["employee_ids"]]}, headers=admin)
    ).status_code == 404

    s["employees"][1].active = False
    await session.commit()
    inactive = await client.post(_apply_url(), json=body, headers=admin)
    assert inactive.status_code == 422
    assert inactive.json()["errors"][0]["loc"] == ["body", "employee_ids", 1]
    assert inactive.json()["employee_ids"] == [str(s["employees"][1].id)]
    s["employees"][1].active = True
    await make_plan(session, tenant.org, cycle=cycle, employee=s["employees"][2], status="submitted")
    await session.commit()

    locked = await client.post(_apply_url(), json=body, headers=admin)
    assert locked.status_code == 409
    assert locked.json()["code"] == "PLAN_LOCKED"
    assert locked.json()["employee_ids"] == [str(s["employees"][2].id)]
    assert await _counts(session, cycle.id) == (0, 1)

    duplicated = {**body, "employee_ids": [body["employee_ids"][0]] * 2}
    assert (await client.post(_apply_url(), json=duplicated, headers=admin)).status_code == 422
    assert (await client.post(_apply_url(), json={**body, "employee_ids": []}, headers=admin)).status_code == 422
    assert (await client.post(_apply_url(), json={**body, "extra": 1}, headers=admin)).status_code == 422
    assert await _counts(session, cycle.id) == (0, 1)


async def test_template_cycle_goal_and_definition_are_checked(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    s = await _setup(session, tenant, 1)
    body, admin = s["body"], tenant.headers("admin")
    closed = await make_cycle(session, tenant.org, status="closed")
    other_cycle = await make_cycle(session, tenant.org)
    other_goal = await make_goal(session, tenant.org, cycle=other_cycle)
    long_term = await make_goal(session, tenant.org)
    their_cycle = await make_cycle(session, other_tenant.org)
    their_goal = await make_goal(session, other_tenant.org)
    await session.commit()

    unknown_template = await client.post(_apply_url("00000000-0000-4000-8000-000000000001"), json=body, headers=admin)
    assert unknown_template.status_code == 404
    closed_response = await client.post(_apply_url(), json={**body, "cycle_id": str(closed.id)}, headers=admin)
    assert closed_response.status_code == 409
    assert closed_response.json()["code"] == "CYCLE_NOT_OPEN"
    assert (
        await client.post(_apply_url(), json={**body, "cycle_id": str(their_cycle.id)}, headers=admin)
    ).status_code == 404
    assert (
        await client.post(_apply_url(), json={**body, "goal_id": str(their_goal.id)}, headers=admin)
    ).status_code == 404
    wrong_goal = await client.post(_apply_url(), json={**body, "goal_id": str(other_goal.id)}, headers=admin)
    assert wrong_goal.status_code == 422
    assert wrong_goal.json()["errors"][0]["loc"] == ["body", "goal_id"]
    late = await client.post(_apply_url(), json={**body, "due_date": "2027-01-31"}, headers=admin)
    assert late.status_code == 422
    assert late.json()["errors"][0]["loc"] == ["body", "due_date"]
    flat = await client.post(
        _apply_url(), json={**body, "target": 800, "threshold": None}, headers={**admin, "Accept-Language": "zh-CN"}
    )
    assert flat.status_code == 422
    assert flat.json()["errors"][0]["loc"] == ["body", "target"]
    assert "基线" in flat.json()["errors"][0]["msg"]
    backwards = await client.post(_apply_url(), json={**body, "threshold": 1200, "stretch": 900}, headers=admin)
    assert {tuple(e["loc"]) for e in backwards.json()["errors"]} == {("body", "threshold"), ("body", "stretch")}
    assert await _counts(session, s["cycle"].id) == (0, 0)

    # A long-term goal takes KPRs of any cycle.
    aligned = await client.post(_apply_url(), json={**body, "goal_id": str(long_term.id)}, headers=admin)
    assert aligned.status_code == 201


@pytest.mark.parametrize("sizes", [(3, 60)])
async def test_apply_takes_the_same_statements_for_3_or_60_employees(
    client: AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    count_statements: Callable[[], Any],
    sizes: tuple[int, int],
) -> None:
    counts = []
    for n in sizes:
        s = await _setup(session, tenant, n)
        with count_statements() as counter:
            response = await client.post(_apply_url(), json=s["body"], headers=tenant.headers("admin"))
        assert response.status_code == 201, response.text
        assert len(response.json()["created"]) == n
        assert await _counts(session, s["cycle"].id) == (n, n)
        counts.append(counter.count)
    assert counts[0] == counts[1]


async def test_apply_to_a_thousand_employees(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    cycle = await make_cycle(session, tenant.org)
    goal = await make_goal(session, tenant.org)
    rows = await make_employees(session, tenant.org, 1000)
    await session.commit()
    employee_ids = [str(e.id) for e in rows]
    body: dict[str, Any] = {
        "cycle_id": str(cycle.id),
        "goal_id": str(goal.id),
        "employee_ids": employee_ids,
        "baseline": 0,
        "target": 30,
        "weight": 20,
        "due_date": "2026-09-30",
    }
    template = get_template(list_templates("sales")[1].id)
    assert template is not None
    response = await client.post(_apply_url(template.id), json=body, headers=tenant.headers("admin"))
    assert response.status_code == 201, response.text
    assert await _counts(session, cycle.id) == (1000, 1000)
    too_many = {**body, "employee_ids": [*employee_ids, str(tenant.employee.id)]}
    assert (
        await client.post(_apply_url(template.id), json=too_many, headers=tenant.headers("admin"))
    ).status_code == 422


async def test_a_retried_apply_replays_instead_of_creating_twice(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    s = await _setup(session, tenant, 2)
    headers = {**tenant.headers("admin"), "Idempotency-Key": "apply-2026-q3-sales"}
    first = await client.post(_apply_url(), json=s["body"], headers=headers)
    again = await client.post(_apply_url(), json=s["body"], headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await _counts(session, s["cycle"].id) == (2, 2)
    # Without a key, applying again adds a second KPR to the same draft plans.
    plain = await client.post(_apply_url(), json=s["body"], headers=tenant.headers("admin"))
    assert [c["plan_id"] for c in plain.json()["created"]] == [c["plan_id"] for c in first.json()["created"]]
    assert await _counts(session, s["cycle"].id) == (4, 2)
