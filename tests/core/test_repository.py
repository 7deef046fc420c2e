"""Reading rows by a list of ids that grows with the company: one bound value, however many ids."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.repository import among, fetch_many
from app.models import Employee
from tests.factories.org import make_employee, make_org

# More than a statement may bind as separate parameters (32,767 through asyncpg, 32,766 on SQLite).
MANY = 40_000


async def test_among_takes_more_ids_than_a_statement_has_parameters(session: AsyncSession) -> None:
    org = await make_org(session)
    wanted = [await make_employee(session, org) for _ in range(3)]
    other = await make_employee(session, org)
    ids = [uuid.uuid4() for _ in range(MANY)] + [employee.id for employee in wanted]

    found = set(await session.scalars(select(Employee.id).where(among(session, Employee.id, ids))))

    assert found == {employee.id for employee in wanted}
    assert other.id not in found


async def test_among_nothing_matches_nothing(session: AsyncSession) -> None:
    org = await make_org(session)
    await make_employee(session, org)
    assert list(await session.scalars(select(Employee.id).where(among(session, Employee.id, [])))) == []


async def test_fetch_many_reads_past_the_parameter_limit(session: AsyncSession) -> None:
    org = await make_org(session)
    employee = await make_employee(session, org)
    session.expunge(employee)
    ids = [uuid.uuid4() for _ in range(MANY)] + [employee.id]

    found = await fetch_many(session, Employee, ids)

    assert list(found) == [employee.id]
