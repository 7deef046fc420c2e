"""A department as the API shows it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.departments import schemas
from app.models import Department


async def present(session: AsyncSession, department: Department) -> schemas.Department:
    return schemas.Department.model_validate(department)


async def present_many(session: AsyncSession, departments: Sequence[Department]) -> list[schemas.Department]:
    return [schemas.Department.model_validate(department) for department in departments]
