"""Benchmark a whole evaluation cycle at scale: N employees × K KPRs with check-ins.

Builds the schema through the migrations, bulk-loads an organization and computes its stored figures (DESIGN §15; not
timed beyond lines of their own), then times
the steps that touch every evaluation, through the same service functions the API calls, each committed like a request:

1. entering review (one evaluation per approved plan),
2. moving every evaluation to calibration in bulk and the cycle into calibration (setup, timed separately),
3. closing the cycle (finalizes every evaluation: freezes its stored figures and its KPRs' in a snapshot),
4. rolling the cycle over into a new one (goals, plans, KPRs with last actuals as baselines), and again (a no-op),
plus the cycle-level reads (summary, calibration report, CSV and XLSX export) and one page of GET /evaluations.

Usage:
    python scripts/bench_cycle.py                       # temp SQLite file, 10,000 employees
    python scripts/bench_cycle.py --employees 1000
    python scripts/bench_cycle.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/kpr_bench --reset
"""

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import migrate
from app.core.access import Actor
from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.enums import ExportFormat
from app.core.pagination import CursorCodec, PageParams, paginate
from app.core.security import Principal
from app.cycles import reports
from app.cycles import service as cycles
from app.cycles.schemas import CycleCreate
from app.evaluations import service as evaluations
from app.evaluations.presenter import present_many as present_evaluations
from app.figures import service as figures
from app.models import CheckIn, Cycle, Department, Employee, Evaluation, Goal, Kpr, Organization, Plan
from app.rollover import service as rollover
from app.rollover.schemas import RolloverIn

T = TypeVar("T")
CHUNK = 5_000
BUILD_CHUNK = 1_000  # employees generated and inserted at a time
DEPARTMENTS = 20
TEAM_SIZE = 10  # one manager per ten people
# direction, baseline, target: increase, decrease and maintain KPRs, so every branch of the engine is exercised.
SHAPES = [("increase", 100, 200), ("decrease", 50, 30), ("increase", 0, 40), ("maintain", 95, 95), ("increase", 10, 20)]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


async def bulk(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start : start + CHUNK])


async def build(
    sessionmaker: async_sessionmaker[AsyncSession], employees: int, kprs_each: int, check_ins: int
) -> Actor:
    """One organization with a cycle in ``active`` and an approved plan of ``kprs_each`` KPRs per employee.

    Generated and inserted a team-aligned chunk of employees at a time, so the build's memory stays bounded too (the
    peak RSS line is about the steps, not the fixture); then the stored figures are computed, as after an upgrade.
    """
    now = datetime.now(UTC)
    org_id = uuid.uuid4()
    async with sessionmaker() as session:
        session.add(
            Organization(id=org_id, name=f"基准测试公司 {now:%H%M%S}", locale="zh-CN", timezone="Asia/Shanghai")
        )
        await session.flush()
        departments = [
            {
                "id": uuid.uuid4(),
                "organization_id": org_id,
                "name": f"部门{d}",
                "code": f"D{d}",
                "created_at": now,
                "updated_at": now,
            }
            for d in range(DEPARTMENTS)
        ]
        await bulk(session, Department, departments)
        admin_id = uuid.uuid4()
        admin = {
            "id": admin_id,
            "organization_id": org_id,
            "external_id": "bench-admin",
            "name": "人事管理员",
            "department_id": departments[0]["id"],
            "manager_id": None,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        await bulk(session, Employee, [admin])
        cycle = Cycle(
            organization_id=org_id,
            name="2026年第三季度（基准）",
            cadence="quarterly",
            start_date=date(2026, 7, 1),
            end_date=date(2026, 9, 30),
            status="active",
            policy={},
        )
        session.add(cycle)
        await session.flush()
        goal = Goal(organization_id=org_id, cycle_id=cycle.id, title="基准目标", level="company", weight=Decimal(1))
        session.add(goal)
        await session.flush()
        weight = Decimal(100) / kprs_each
        manager_id = admin_id
        readings_made = 0
        for first in range(0, employees, BUILD_CHUNK):  # a multiple of TEAM_SIZE: each team lead comes first
            people: list[dict[str, Any]] = []
            plans: list[dict[str, Any]] = []
            kprs: list[dict[str, Any]] = []
            readings: list[dict[str, Any]] = []
            for index in range(first, min(first + BUILD_CHUNK, employees)):
                person_id = uuid.uuid4()
                if index % TEAM_SIZE == 0:  # a team lead, reporting to the admin
                    boss, manager_id = admin_id, person_id
                else:
                    boss = manager_id
                external_id = f"e{index:06d}"
                people.append(
                    {
                        "id": person_id,
                        "organization_id": org_id,
                        "external_id": external_id,
                        "name": f"员工{index}",
                        "department_id": departments[(index // TEAM_SIZE) % DEPARTMENTS]["id"],
                        "manager_id": boss,
                        "active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                plan_id = uuid.uuid4()
                plans.append(
                    {
                        "id": plan_id,
                        "organization_id": org_id,
                        "cycle_id": cycle.id,
                        "employee_id": person_id,
                        "status": "approved",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                for k in range(kprs_each):
                    direction, baseline, target = SHAPES[k % len(SHAPES)]
                    kpr_id = uuid.uuid4()
                    kprs.append(
                        {
                            "id": kpr_id,
                            "organization_id": org_id,
                            "plan_id": plan_id,
                            "cycle_id": cycle.id,
                            "owner_id": person_id,
                            "goal_id": goal.id,
                            "title": f"关键结果 {k + 1}",
                            "unit": "%",
                            "direction": direction,
                            "baseline": Decimal(baseline),
                            "target": Decimal(target),
                            "threshold": None,
                            "stretch": None,
                            "tolerance": Decimal(2) if direction == "maintain" else None,
                            "weight": weight,
                            "goal_weight": Decimal(1),
                            "due_date": date(2026, 9, 30),
                            "status": "active",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    for c in range(check_ins):
                        span = Decimal(target - baseline) or Decimal(1)
                        value = Decimal(baseline) + span * Decimal((readings_made * 7919) % 130) / 100
                        readings_made += 1
                        readings.append(
                            {
                                "id": uuid.uuid4(),
                                "organization_id": org_id,
                                "kpr_id": kpr_id,
                                "kpi_id": None,
                                "value": value,
                                "recorded_at": datetime(2026, 8, 1, tzinfo=UTC) + timedelta(days=c),
                                "author": external_id,
                                "created_at": now,
                            }
                        )
            await bulk(session, Employee, people)
            await bulk(session, Plan, plans)
            await bulk(session, Kpr, kprs)
            await bulk(session, CheckIn, readings)
        await session.commit()
        principal = Principal(subject="bench-admin", organization_id=org_id, roles=frozenset({"admin"}))
        actor = Actor(principal=principal, organization_id=org_id, employee_id=admin_id)
        actor_cycle_id = cycle.id
    ACTORS[actor] = actor_cycle_id
    return actor


async def backfill(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """The stored figures of the bulk-loaded rows, computed the way ``kpr migrate`` does after an upgrade; then, on
    PostgreSQL, the VACUUM ANALYZE that autovacuum would run after such a load (the bench server runs without it, and
    with no statistics at all the planner takes a 250,000-row table for an empty one), and a checkpoint."""
    async with request(sessionmaker) as session:
        filled = await figures.backfill(session)
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM ANALYZE")
            # The load leaves gigabytes of dirty pages; written now, their checkpoint does not run into the timed steps.
            await autocommit.exec_driver_sql("CHECKPOINT")
    return filled


ACTORS: dict[Actor, uuid.UUID] = {}
# The cycle each benchmarked cycle was rolled over into.
ROLLED: dict[uuid.UUID, uuid.UUID] = {}


@asynccontextmanager
async def request(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work like an API request's: the service flushes, this commits."""
    async with sessionmaker() as session:
        yield session
        await session.commit()


async def timed(label: str, step: Callable[[], Awaitable[T]], per_second: tuple[str, int] | None = None) -> T:
    started = time.perf_counter()
    result = await step()
    seconds = time.perf_counter() - started
    rate = f"   {per_second[1] / seconds:>12,.0f} {per_second[0]}/s" if per_second else ""
    print(f"{label:<46} {seconds:>8.2f} s{rate}   peak RSS {peak_rss_mib():,.0f} MiB", flush=True)
    return result


async def latencies(label: str, step: Callable[[], Awaitable[object]], repeat: int) -> None:
    """Latency percentiles of a request-sized read repeated ``repeat`` times."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await step()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()

    def pct(p: float) -> float:
        return samples[min(len(samples) - 1, round(p / 100 * (len(samples) - 1)))]

    print(f"{label:<46} p50 {pct(50):.1f} ms  p95 {pct(95):.1f} ms  p99 {pct(99):.1f} ms  max {samples[-1]:.1f} ms")


async def run(url: str, employees: int, kprs_each: int, check_ins: int, rollover_steps: bool = True) -> None:
    engine = create_engine(Settings(database_url=url))
    sessionmaker = create_sessionmaker(engine)
    total_kprs = employees * kprs_each
    print(
        f"database {engine.url.render_as_string(hide_password=True)}: {employees:,} employees × {kprs_each} KPRs "
        f"({total_kprs:,}) × {check_ins} check-ins",
        flush=True,
    )
    try:
        actor = await timed(
            "build (bulk insert, not part of the targets)", lambda: build(sessionmaker, employees, kprs_each, check_ins)
        )
        cycle_id = ACTORS[actor]
        await timed("build: figures, VACUUM ANALYZE (not a target)", lambda: backfill(engine, sessionmaker))

        async def transition(target: str) -> None:
            async with request(sessionmaker) as session:
                cycle = await cycles.get(session, actor, cycle_id, lock=True)
                await cycles.transition(session, actor, cycle, target, None)

        await timed("1. enter review (open evaluations)", lambda: transition("review"), ("evaluations", employees))

        async def to_calibration() -> None:
            async with request(sessionmaker) as session:
                await session.execute(
                    update(Evaluation)
                    .where(Evaluation.cycle_id == cycle_id)
                    .values(status="calibration", manager_score=Decimal(88), self_score=Decimal(90))
                )
                # Written around the services, so the evaluations' stored figures are refreshed as a service would.
                await figures.evaluations_changed(session, Evaluation.cycle_id == cycle_id)
            await transition("calibration")

        await timed("2. setup: all evaluations → calibration (bulk)", to_calibration)

        async def summary(session: AsyncSession) -> Any:
            return await reports.cycle_summary(session, actor, await cycles.get(session, actor, cycle_id))

        async def calibration(session: AsyncSession) -> Any:
            return await reports.cycle_calibration(session, await cycles.get(session, actor, cycle_id))

        async def read(step: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
            async with request(sessionmaker) as session:
                return await step(session)

        await timed(
            "   summary (stored figures)",
            lambda: read(lambda s: summary(s)),
            ("evaluations", employees),
        )
        await timed(
            "   calibration report (stored figures)",
            lambda: read(lambda s: calibration(s)),
            ("evaluations", employees),
        )
        await timed(
            "3. close (freeze every evaluation's figures)", lambda: transition("closed"), ("evaluations", employees)
        )

        async def export(file_format: str) -> int:
            async with request(sessionmaker) as session:
                cycle = await cycles.get(session, actor, cycle_id)
                result = await reports.export_cycle_evaluations(session, cycle, ExportFormat(file_format))
            return sum(len(chunk) for chunk in result.chunks)

        size = await timed("   export CSV (frozen figures)", lambda: export("csv"), ("rows", employees))
        print(f"{'':<46} {size / 1024:>8,.0f} KiB")
        size = await timed("   export XLSX (frozen figures)", lambda: export("xlsx"), ("rows", employees))
        print(f"{'':<46} {size / 1024:>8,.0f} KiB")
        page = PageParams(limit=200, cursor=None, codec=CursorCodec(b"bench"))

        async def evaluation_page(session: AsyncSession, params: PageParams) -> Any:
            # What GET /evaluations does: the visible rows of the cycle, one page, presented.
            statement = evaluations.list_statement(actor, cycle_id, None, None)
            rows, _ = await paginate(session, statement, params, [Evaluation.created_at, Evaluation.id])
            return await present_evaluations(session, rows)

        await timed(
            "   GET /evaluations page of 200",
            lambda: read(lambda s: evaluation_page(s, page)),
        )
        await latencies(
            "   GET /evaluations page of 50, 30 times",
            lambda: read(lambda s: evaluation_page(s, PageParams(50, None, page.codec))),
            30,
        )

        async def roll() -> Any:
            async with request(sessionmaker) as session:
                source = await cycles.get(session, actor, cycle_id)
                name = f"{source.name} (next)"
                if (target_id := ROLLED.get(cycle_id)) is None:
                    start = source.end_date + timedelta(days=1)
                    body = CycleCreate(
                        name=name, cadence=source.cadence, start_date=start, end_date=start + timedelta(days=90)
                    )
                    target_id = ROLLED[cycle_id] = (await cycles.create(session, actor, body)).id
                target = await cycles.get(session, actor, target_id, lock=True)
                return await rollover.rollover(session, actor, target, RolloverIn(from_cycle_id=cycle_id))

        if not rollover_steps:
            print(f"peak RSS {peak_rss_mib():,.0f} MiB")
            return
        result = await timed("4. rollover into a new cycle", roll, ("KPRs", total_kprs))
        print(f"{'':<46} {result.goals:,} goals, {result.plans:,} plans, {result.kprs:,} KPRs, {result.kpis:,} KPIs")
        result = await timed("   rollover again (copies nothing)", roll)
        print(f"{'':<46} {result.kprs:,} KPRs, {len(result.skipped):,} skipped")
        print(f"peak RSS {peak_rss_mib():,.0f} MiB")
    finally:
        await engine.dispose()


def reset_postgres(url: str) -> None:
    async def drop() -> None:
        engine = create_engine(Settings(database_url=url))
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(drop())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--kprs", type=int, default=5, help="KPRs per employee")
    parser.add_argument("--check-ins", type=int, default=2, help="check-ins per KPR")
    parser.add_argument(
        "--reset", action="store_true", help="PostgreSQL only: drop and recreate the public schema first"
    )
    parser.add_argument("--no-rollover", action="store_true", help="stop before the rollover steps (the slowest)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='kpr-bench-')}/bench.db"
    if args.reset and url.startswith("postgresql"):
        reset_postgres(url)
    migrate(url)
    asyncio.run(run(url, args.employees, args.kprs, args.check_ins, not args.no_rollover))


if __name__ == "__main__":
    main()
