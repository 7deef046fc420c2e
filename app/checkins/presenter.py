"""A check-in as the API shows it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.checkins import schemas
from app.models import CheckIn


async def present(session: AsyncSession, check_in: CheckIn) -> schemas.CheckIn:
    return schemas.CheckIn.model_validate(check_in)


async def present_many(session: AsyncSession, check_ins: Sequence[CheckIn]) -> list[schemas.CheckIn]:
    return [schemas.CheckIn.model_validate(check_in) for check_in in check_ins]
