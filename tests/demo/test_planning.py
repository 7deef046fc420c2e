"""The demo's annual cycle and org chart, as its people see them: loaded through the services, by the right people."""

import httpx

from tests.assertions import ok
from tests.demo.conftest import Headers
from tests.factories import API


async def test_demo_annual_cycle_is_tracked(demo: None, client: httpx.AsyncClient, as_demo: Headers) -> None:
    admin = as_demo("demo.hr_mgr", "admin")
    cycles = ok(await client.get(f"{API}/cycles", params={"status": "active"}, headers=admin))["items"]
    assert [cycle["name"] for cycle in cycles] == ["2026年度绩效"]
    cycle_id = cycles[0]["id"]
    summary = ok(await client.get(f"{API}/cycles/{cycle_id}/summary", headers=admin))
    assert summary["plans_by_status"] == {"approved": 6}
    assert summary["kprs"] == 11
    tree = ok(await client.get(f"{API}/goals/tree", params={"cycle_id": cycle_id}, headers=admin))
    assert [root["progress"] is not None for root in tree["roots"]] == [True]

    # The employee's token reads their own plan: drafted and submitted by them, approved by their manager.
    employee = as_demo("demo.sales_rep1")
    kprs = ok(await client.get(f"{API}/kprs", params={"cycle_id": cycle_id}, headers=employee))["items"]
    assert sorted(kpr["weight"] for kpr in kprs) == [40, 60]
    assert all(kpr["smart"]["passed"] and kpr["current_value"] is not None for kpr in kprs)
    plan_id = kprs[0]["plan_id"]
    history = ok(await client.get(f"{API}/plans/{plan_id}/transitions", headers=employee))["items"]
    assert [(step["to"], step["actor"]) for step in history] == [
        ("draft", "demo.sales_rep1"),
        ("submitted", "demo.sales_rep1"),
        ("approved", "demo.sales_lead"),
    ]
    kpis = ok(await client.get(f"{API}/kprs/{kprs[0]['id']}/kpis", headers=employee))["items"]
    assert all(kpi["current_value"] is not None for kpi in kpis)

    # The manager's token sees their team, and the org chart has its heads.
    manager = as_demo("demo.sales_lead")
    team = ok(await client.get(f"{API}/plans", params={"cycle_id": cycle_id}, headers=manager))["items"]
    assert len(team) == 3  # their own and their two reports'
    departments = ok(await client.get(f"{API}/departments", headers=admin))["items"]
    assert len(departments) == 6
    assert all(department["head_id"] for department in departments)
