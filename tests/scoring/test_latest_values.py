"""The latest check-in of each KPR or KPI: newest by (recorded_at, id), as of a moment, found by one index probe."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.models import CheckIn
from app.scoring.service import latest_values
from tests.assertions import assert_index_serves
from tests.factories import Tenant
from tests.factories.planning import make_check_in, make_cycle, make_kpi, make_kpr

MOMENT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


async def test_newest_by_moment_then_id_as_of_a_moment_for_kprs_and_kpis(session: AsyncSession, tenant: Tenant) -> None:
    org = tenant.org
    cycle = await make_cycle(session, org)
    kprs = [await make_kpr(session, org, owner=tenant.employee, cycle=cycle) for _ in range(3)]
    for value, days in ((10, 0), (30, 2), (20, 1)):
        await make_check_in(session, org, kpr=kprs[0], value=value, recorded_at=MOMENT + timedelta(days=days))
    ties = [await make_check_in(session, org, kpr=kprs[1], value=v, recorded_at=MOMENT) for v in (1, 2, 3)]
    kpi = await make_kpi(session, org, kpr=kprs[0])
    await make_check_in(session, org, kpi=kpi, value=7, recorded_at=MOMENT)
    await make_check_in(session, org, kpi=kpi, value=8, recorded_at=MOMENT + timedelta(days=1))

    assert await latest_values(session, [k.id for k in kprs]) == {
        kprs[0].id: 30,
        kprs[1].id: max(ties, key=lambda c: c.id).value,  # a tie on the moment: the greater id, as the list orders
    }
    assert await latest_values(session, [kprs[0].id], as_of=MOMENT + timedelta(days=1)) == {kprs[0].id: 20}
    assert await latest_values(session, [kprs[0].id], as_of=MOMENT - timedelta(seconds=1)) == {}
    assert await latest_values(session, [kpi.id], subject=CheckIn.kpi_id) == {kpi.id: 8}


async def test_the_latest_check_in_is_one_index_probe(
    session: AsyncSession, connection: AsyncConnection, tenant: Tenant
) -> None:
    org = tenant.org
    kpr = await make_kpr(session, org, owner=tenant.employee, cycle=await make_cycle(session, org))
    for value in range(5):
        await make_check_in(session, org, kpr=kpr, value=value, recorded_at=MOMENT)
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if "check_ins.value" in statement:
            captured.append((statement, parameters))

    sync_engine = connection.sync_connection.engine if connection.sync_connection else None
    assert sync_engine is not None
    event.listen(sync_engine, "before_cursor_execute", capture)
    try:
        await latest_values(session, [kpr.id])
    finally:
        event.remove(sync_engine, "before_cursor_execute", capture)
    [(statement, parameters)] = captured

    await assert_index_serves(connection, statement, parameters, "ix_check_ins_kpr_recorded")
