"""An employee as the API shows it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.employees import schemas
from app.models import Employee


async def present(session: AsyncSession, employee: Employee) -> schemas.Employee:
    return schemas.Employee.model_validate(employee)


async def present_many(session: AsyncSession, employees: Sequence[Employee]) -> list[schemas.Employee]:
    return [schemas.Employee.model_validate(employee) for employee in employees]
