"""GET /cycles/{id}/summary: counts and figures over what the caller may read (figures worked in the helpers)."""

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import ok
from tests.factories import API, T0, Tenant, build_scenario, move, open_review, to_calibration

ALL_BANDS = {"S": 0, "A": 0, "B": 0, "C": 0, "D": 0}


async def test_summary_before_review(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    scenario = await build_scenario(session, tenant)

    response = await client.get(f"{API}/cycles/{scenario.cycle_id}/summary", headers=tenant.headers("admin"))

    summary = ok(response)
    assert response.headers["etag"]
    assert summary == {
        "cycle_id": scenario.cycle_id,
        "status": "planning",
        "plans_by_status": {"approved": 2, "draft": 1},
        "evaluations_by_status": {},
        # active KPRs in every plan: employee 2 (one is cancelled), peer 1, manager 1 (draft)
        "kprs": 4,
        # approved plans only: (50 + 100 + 100) / 3 = 83.333… → 83.33
        "average_progress": 83.33,
        "rating_distribution": ALL_BANDS,
    }


async def test_summary_in_calibration(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    await move(client, tenant, "admin", state.employee_eval, "finalized")

    summary = ok(await client.get(f"{API}/cycles/{state.scenario.cycle_id}/summary", headers=tenant.headers("service")))

    assert summary["status"] == "calibration"
    assert summary["evaluations_by_status"] == {"finalized": 1, "calibration": 1}
    # employee: 81.6 → B (frozen); peer: 100 → A (live)
    assert summary["rating_distribution"] == {**ALL_BANDS, "A": 1, "B": 1}


@pytest.mark.parametrize(
    ("who", "plans", "kprs", "progress"),
    [
        # the manager sees the two reports and their own draft
        ("manager", {"approved": 2, "draft": 1}, 4, 83.33),
        # the employee sees only themselves: (50 + 100) / 2 = 75
        ("employee", {"approved": 1}, 2, 75),
        ("peer", {"approved": 1}, 1, 100),
    ],
)
async def test_summary_is_scoped_to_what_the_caller_reads(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    who: str,
    plans: dict[str, int],
    kprs: int,
    progress: float,
) -> None:
    scenario = await build_scenario(session, tenant)

    summary = ok(await client.get(f"{API}/cycles/{scenario.cycle_id}/summary", headers=tenant.headers(who)))

    assert (summary["plans_by_status"], summary["kprs"], summary["average_progress"]) == (plans, kprs, progress)


async def test_summary_as_of(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    scenario = await build_scenario(session, tenant)
    # At T0 only the first check-ins existed: sales 220 → a = 0.2 (progress 20); complaints 4 → 100; on-time 94 → 100
    as_of = (T0 + timedelta(hours=1)).isoformat().replace("+00:00", "Z")

    then = ok(
        await client.get(
            f"{API}/cycles/{scenario.cycle_id}/summary", params={"as_of": as_of}, headers=tenant.headers("admin")
        )
    )
    before_anything = ok(
        await client.get(
            f"{API}/cycles/{scenario.cycle_id}/summary",
            params={"as_of": "2026-01-01T00:00:00Z"},
            headers=tenant.headers("admin"),
        )
    )
    naive = await client.get(
        f"{API}/cycles/{scenario.cycle_id}/summary",
        params={"as_of": "2026-01-01T00:00:00"},
        headers=tenant.headers("admin"),
    )

    # (20 + 100 + 100) / 3 = 73.33
    assert then["average_progress"] == 73.33
    # No check-in yet: every KPR sits at its baseline. Maintain 90 vs target 95 ± 2 → 0; the others 0.
    assert before_anything["average_progress"] == 0
    assert naive.status_code == 422


async def test_summary_of_another_tenants_cycle_is_404(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    scenario = await build_scenario(session, other_tenant)

    response = await client.get(f"{API}/cycles/{scenario.cycle_id}/summary", headers=tenant.headers("admin"))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["admin", "manager", "employee"])
async def test_stored_aggregates_equal_the_figures_scored_from_history(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str
) -> None:
    """Without as_of the summary aggregates the stored figures in SQL; as of a time after every check-in it scores them
    afresh from history: the two agree, frozen and live evaluations alike."""
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    await move(client, tenant, "admin", state.employee_eval, "finalized")
    path = f"{API}/cycles/{state.scenario.cycle_id}/summary"

    stored = ok(await client.get(path, headers=tenant.headers(who)))
    scored = ok(await client.get(path, params={"as_of": "2099-01-01T00:00:00Z"}, headers=tenant.headers(who)))

    assert stored == scored
    assert stored["average_progress"] is not None
