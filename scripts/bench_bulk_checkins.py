"""Benchmark the metric push (POST /check-ins/bulk, DESIGN §14): 1,000 items per request through the whole HTTP stack.

Builds the schema through the migrations and one organization (employees, an active cycle, goals, approved plans with
KPRs, KPIs, metric keys; its stored figures computed as after an upgrade), then, each ``--runs`` times, times three
requests as a service sends them (in-process over ASGI, so the figure is the service and the database, no network):

1. 1,000 new items by ``kpr_id`` and ``kpi_id`` (spread over every KPR and KPI), with source and external_id;
2. the same 1,000 again: every one a duplicate, nothing stored;
3. 1,000 new items by metric key, each key tracked by two KPRs and a KPI (3,000 check-ins).

Usage:
    python scripts/bench_bulk_checkins.py                       # temp SQLite file
    python scripts/bench_bulk_checkins.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/kpr_bench --reset
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import migrate
from app.core.config import Settings
from app.core.db import create_engine
from app.core.security import mint_token
from app.figures import service as figures
from app.main import create_app
from app.models import Cycle, Employee, Goal, Kpi, Kpr, Organization, Plan

SECRET = "bench-bulk-secret-" + "x" * 32
ITEMS = 1000


async def reset(url: str) -> None:
    engine = create_engine(Settings(database_url=url))
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def build(
    sessionmaker: async_sessionmaker[AsyncSession], employees: int, kprs_each: int, keys: int
) -> tuple[uuid.UUID, list[uuid.UUID], list[uuid.UUID], list[str]]:
    """An organization with an active cycle around today, ``employees`` × ``kprs_each`` KPRs in approved plans, one
    KPI per KPR, and ``keys`` metric keys each tracked by two KPRs and one KPI."""
    now = datetime.now(UTC)
    org_id = uuid.uuid4()
    async with sessionmaker() as session:
        session.add(Organization(id=org_id, name="推送基准公司", locale="zh-CN", timezone="Asia/Shanghai"))
        cycle = Cycle(
            organization_id=org_id,
            name="2026年度（基准）",
            cadence="custom",
            start_date=(now - timedelta(days=200)).date(),
            end_date=(now + timedelta(days=100)).date(),
            status="active",
            policy={},
        )
        session.add(cycle)
        await session.flush()
        goals = [
            Goal(organization_id=org_id, cycle_id=cycle.id, title=f"目标{n}", level="company", weight=Decimal(1))
            for n in range(10)
        ]
        session.add_all(goals)
        await session.flush()
        people = [
            {
                "id": uuid.uuid4(),
                "organization_id": org_id,
                "external_id": f"e{n:05d}",
                "name": f"员工{n}",
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(employees)
        ]
        await session.execute(insert(Employee), people)
        plans = [
            {
                "id": uuid.uuid4(),
                "organization_id": org_id,
                "cycle_id": cycle.id,
                "employee_id": person["id"],
                "status": "approved",
                "created_at": now,
                "updated_at": now,
            }
            for person in people
        ]
        await session.execute(insert(Plan), plans)
        kprs: list[dict[str, Any]] = []
        for n, plan in enumerate(plans):
            for k in range(kprs_each):
                index = n * kprs_each + k
                kprs.append(
                    {
                        "id": uuid.uuid4(),
                        "organization_id": org_id,
                        "plan_id": plan["id"],
                        "cycle_id": cycle.id,
                        "owner_id": plan["employee_id"],
                        "goal_id": goals[index % len(goals)].id,
                        "title": f"销售额增长{index}%",
                        "unit": "万元",
                        "direction": "increase",
                        "baseline": Decimal(0),
                        "target": Decimal(1000),
                        "weight": Decimal(100) / kprs_each,
                        "goal_weight": Decimal(1),
                        "due_date": cycle.end_date,
                        "status": "active",
                        "metric_key": f"bench.key{index // 2}" if index < 2 * keys else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        await session.execute(insert(Kpr), kprs)
        kpis = [
            {
                "id": uuid.uuid4(),
                "organization_id": org_id,
                "kpr_id": kpr["id"],
                "name": f"拜访次数{n}",
                "unit": "次",
                "direction": "increase",
                "baseline": Decimal(0),
                "target": Decimal(100),
                "frequency": "weekly",
                "metric_key": f"bench.key{n}" if n < keys else None,
                "created_at": now,
                "updated_at": now,
            }
            for n, kpr in enumerate(kprs)
        ]
        await session.execute(insert(Kpi), kpis)
        await figures.backfill(session)
        await session.commit()
    return org_id, [k["id"] for k in kprs], [k["id"] for k in kpis], [f"bench.key{n}" for n in range(keys)]


def by_id(run: int, kprs: list[uuid.UUID], kpis: list[uuid.UUID]) -> list[dict[str, Any]]:
    subjects = [{"kpr_id": str(k)} for k in kprs] + [{"kpi_id": str(k)} for k in kpis]
    now = datetime.now(UTC)
    return [
        {
            **subjects[n % len(subjects)],
            "value": n,
            "recorded_at": (now - timedelta(seconds=n + 1)).isoformat(),
            "note": "数仓每日同步",
            "source": "warehouse",
            "external_id": f"run{run}-fact{n}",
        }
        for n in range(ITEMS)
    ]


def by_key(run: int, keys: list[str]) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "metric_key": keys[n % len(keys)],
            "value": n,
            "recorded_at": (now - timedelta(seconds=n + 1)).isoformat(),
            "source": "bi",
            "external_id": f"run{run}-metric{n}",
        }
        for n in range(ITEMS)
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reset", action="store_true", help="drop and recreate the PostgreSQL schema first")
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--kprs-each", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='kpr-bench-')}/bench.db"
    if args.reset and url.startswith("postgresql"):
        await reset(url)
    await asyncio.to_thread(migrate, url)
    settings = Settings(database_url=url, jwt_secret=SECRET, rate_limit_enabled=False, embedded_worker=False)
    app = create_app(settings)
    keys = ITEMS // 3 // 3  # ~111 keys, each tracked by three subjects: every metric push stores 3,000 check-ins
    org_id, kprs, kpis, key_names = await build(app.state.sessionmaker, args.employees, args.kprs_each, keys)
    token = mint_token(settings, subject="bench-sync", organization_id=org_id, roles=["service"])
    headers = {"Authorization": f"Bearer {token}"}
    print(f"{url.split('://')[0]}: {len(kprs)} KPRs, {len(kpis)} KPIs, {len(key_names)} metric keys × 3 subjects")
    timings: dict[str, list[float]] = {"new": [], "duplicate": [], "metric key (3,000 check-ins)": []}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

        async def timed(label: str, items: list[dict[str, Any]], expected: str) -> None:
            started = time.perf_counter()
            response = await client.post("/api/v1/check-ins/bulk", json={"items": items}, headers=headers)
            timings[label].append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            statuses = {item["status"] for item in response.json()["items"]}
            assert statuses == {expected}, statuses

        for run in range(args.runs):
            items = by_id(run, kprs, kpis)
            await timed("new", items, "created")
            await timed("duplicate", items, "duplicate")
            await timed("metric key (3,000 check-ins)", by_key(run, key_names), "created")
    await app.state.engine.dispose()
    for label, values in timings.items():
        print(
            f"{ITEMS} items, {label:<28} median {statistics.median(values) * 1000:7.0f} ms"
            f"   min {min(values) * 1000:7.0f} ms   ({len(values)} runs)"
        )


if __name__ == "__main__":
    asyncio.run(main())
