"""API-level builders shared by the planning tests (cycles, plans, KPRs, KPIs, check-ins, revisions).

Everything goes through the HTTP API, as a client would, so the tests exercise the real rules; only bulk set-ups (the
statement-count tests) write rows through the ORM. The cycle spans today, so check-ins "now" are inside it, and
``at(day)`` gives fixed instants in its past.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from tests.assertions import ok
from tests.factories.org import Tenant

API = "/api/v1"

CYCLE_START = datetime.now(UTC).date() - timedelta(days=200)
CYCLE_END = datetime.now(UTC).date() + timedelta(days=100)


def at(day: int, hour: int = 9) -> str:
    """An RFC 3339 instant ``day`` days after the cycle's start (day 0 .. 199 are in the past)."""
    moment = datetime.combine(CYCLE_START + timedelta(days=day), time(hour), tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


async def create_cycle(client: httpx.AsyncClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "2026年度绩效",
        "cadence": "custom",
        "start_date": CYCLE_START.isoformat(),
        "end_date": CYCLE_END.isoformat(),
    }
    body.update(overrides)
    cycle: dict[str, Any] = ok(await client.post(f"{API}/cycles", json=body, headers=tenant.headers("admin")), 201)
    return cycle


async def create_goal(
    client: httpx.AsyncClient, tenant: Tenant, cycle_id: str, title: str = "公司营收增长20%"
) -> dict[str, Any]:
    body = {"title": title, "level": "company", "cycle_id": cycle_id}
    goal: dict[str, Any] = ok(await client.post(f"{API}/goals", json=body, headers=tenant.headers("admin")), 201)
    return goal


def kpr_body(cycle_id: str, goal_id: str, **overrides: Any) -> dict[str, Any]:
    """A KPR that passes every SMART criterion: a result, a unit, +20% from the baseline, due inside the cycle."""
    body: dict[str, Any] = {
        "cycle_id": cycle_id,
        "goal_id": goal_id,
        "title": "华东区销售额同比增长20%",
        "unit": "万元",
        "direction": "increase",
        "baseline": 200,
        "target": 240,
        "weight": 100,
        "due_date": (CYCLE_END - timedelta(days=1)).isoformat(),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@dataclass
class Setup:
    """A tenant with an open cycle and a company goal of it."""

    client: httpx.AsyncClient
    tenant: Tenant
    cycle: dict[str, Any]
    goal: dict[str, Any]

    @property
    def cycle_id(self) -> str:
        return str(self.cycle["id"])

    @property
    def goal_id(self) -> str:
        return str(self.goal["id"])

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return self.tenant.headers(who) | extra

    async def post_kpr(self, who: str = "employee", **overrides: Any) -> httpx.Response:
        body = kpr_body(self.cycle_id, self.goal_id) | overrides
        body = {k: v for k, v in body.items() if v is not None}
        return await self.client.post(f"{API}/kprs", json=body, headers=self.headers(who))

    async def kpr(self, who: str = "employee", **overrides: Any) -> dict[str, Any]:
        kpr: dict[str, Any] = ok(await self.post_kpr(who, **overrides), 201)
        return kpr

    async def get(self, path: str, who: str = "admin", **params: Any) -> httpx.Response:
        return await self.client.get(f"{API}{path}", params=params, headers=self.headers(who))

    async def post(self, path: str, body: dict[str, Any], who: str = "admin", **headers: str) -> httpx.Response:
        return await self.client.post(f"{API}{path}", json=body, headers=self.headers(who, **headers))

    async def patch(self, path: str, body: dict[str, Any], who: str = "admin") -> httpx.Response:
        return await self.client.patch(f"{API}{path}", json=body, headers=self.headers(who))

    async def delete(self, path: str, who: str = "admin") -> httpx.Response:
        return await self.client.delete(f"{API}{path}", headers=self.headers(who))

    async def move_plan(self, plan_id: str, to: str, who: str, comment: str | None = None) -> httpx.Response:
        return await self.post(f"/plans/{plan_id}/transitions", {"to": to, "comment": comment}, who)

    async def check_in(self, kpr_id: str, value: float | int | str, who: str = "employee", **extra: Any) -> Any:
        return ok(await self.post(f"/kprs/{kpr_id}/check-ins", {"value": value, **extra}, who), 201)

    async def approved_kpr(self, **overrides: Any) -> dict[str, Any]:
        """The employee's KPR (weight 100) in a plan the employee submitted and the manager approved."""
        kpr = await self.kpr(**{"weight": 100, **overrides})
        ok(await self.move_plan(kpr["plan_id"], "submitted", "employee"))
        ok(await self.move_plan(kpr["plan_id"], "approved", "manager"))
        return kpr


async def make_setup(client: httpx.AsyncClient, tenant: Tenant, **cycle: Any) -> Setup:
    created = await create_cycle(client, tenant, **cycle)
    goal = await create_goal(client, tenant, created["id"])
    return Setup(client, tenant, created, goal)
