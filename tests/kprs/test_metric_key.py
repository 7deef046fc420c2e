"""A KPR's and a KPI's metric key (DESIGN §14): what a BI or ERP system pushes figures under. Optional, an identifier
of letters, digits and . _ : - up to 100 characters, and plumbing: changed freely even once the plan is approved,
where the measurable definition is locked."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent
from tests.assertions import assert_problem, ok
from tests.factories import Setup, Tenant, make_setup

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


async def test_a_kpr_is_created_with_a_metric_key_and_shows_it(setup: Setup) -> None:
    kpr = await setup.kpr(metric_key="sales.east:revenue_2026-Q3")

    assert kpr["metric_key"] == "sales.east:revenue_2026-Q3"
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["metric_key"] == "sales.east:revenue_2026-Q3"
    assert (await setup.kpr(title="华东区回款率达到95%"))["metric_key"] is None


async def test_the_metric_key_of_an_approved_kpr_changes_without_a_revision(
    setup: Setup, session: AsyncSession, tenant: Tenant
) -> None:
    kpr = await setup.approved_kpr()

    changed = ok(await setup.patch(f"/kprs/{kpr['id']}", {"metric_key": "erp.revenue"}, "employee"))
    cleared = ok(await setup.patch(f"/kprs/{kpr['id']}", {"metric_key": None}, "employee"))
    locked = await setup.patch(f"/kprs/{kpr['id']}", {"metric_key": "erp.revenue", "target": 999}, "employee")

    assert changed["metric_key"] == "erp.revenue"
    assert cleared["metric_key"] is None
    assert_problem(locked, 409, "DEFINITION_LOCKED")
    # Plumbing moves no figure, yet is audited like any edit.
    assert (changed["current_value"], changed["score"], changed["smart"]) == (
        kpr["current_value"],
        kpr["score"],
        kpr["smart"],
    )
    audited = await session.scalars(
        select(AuditEvent.after).where(AuditEvent.entity_type == "kpr", AuditEvent.action == "update")
    )
    assert {"metric_key": "erp.revenue"} in list(audited)


async def test_a_kpi_carries_a_metric_key_too(setup: Setup) -> None:
    kpr = await setup.kpr()

    kpi = ok(await setup.post(f"/kprs/{kpr['id']}/kpis", {**VISITS, "metric_key": "crm.visits"}, "employee"), 201)
    changed = ok(await setup.patch(f"/kpis/{kpi['id']}", {"metric_key": "crm.visits.weekly"}, "employee"))

    assert kpi["metric_key"] == "crm.visits"
    assert changed["metric_key"] == "crm.visits.weekly"
    assert ok(await setup.get(f"/kpis/{kpi['id']}"))["metric_key"] == "crm.visits.weekly"


@pytest.mark.parametrize("key", ["", "has space", "销售额", "a/b", "k" * 101, "x\n"])
async def test_a_metric_key_is_an_identifier_of_at_most_100_characters(setup: Setup, key: str) -> None:
    kpr: dict[str, Any] = await setup.kpr()

    responses = [
        await setup.post_kpr(metric_key=key, title="华东区回款率达到95%"),
        await setup.patch(f"/kprs/{kpr['id']}", {"metric_key": key}, "employee"),
        await setup.post(f"/kprs/{kpr['id']}/kpis", {**VISITS, "metric_key": key}, "employee"),
    ]

    for response in responses:
        assert_problem(response, 422, "VALIDATION_FAILED")


async def test_a_100_character_key_is_accepted(setup: Setup) -> None:
    key = "a." + "k" * 98

    assert (await setup.kpr(metric_key=key))["metric_key"] == key


async def test_the_metric_key_is_shown_to_whoever_reads_the_kpr(setup: Setup) -> None:
    kpr = await setup.kpr(metric_key="sales.east")

    assert ok(await setup.get(f"/kprs/{kpr['id']}", "manager"))["metric_key"] == "sales.east"
    assert ok(await setup.get(f"/kprs/{kpr['id']}", "service"))["metric_key"] == "sales.east"
    assert_problem(await setup.get(f"/kprs/{kpr['id']}", "peer"), 404, "NOT_FOUND")
