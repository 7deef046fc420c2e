"""An employee as the API shows it."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.employees import schemas
from app.models import Employee


async def present(session: AsyncSession, employee: Employee) -> schemas.Employee:
    return schemas.Employee.model_validate(employee)


async def present_many(
    session: AsyncSession, employees: Sequence[Employee | Mapping[str, Any]]
) -> list[schemas.Employee]:
    """Rows, or the column values of rows just written in bulk (an import), which are shown without being read back:
    building ORM objects only to read their attributes cost an import of 10,000 people half a second."""
    return [schemas.Employee.model_validate(employee) for employee in employees]
