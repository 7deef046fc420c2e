"""A revision request as the API shows it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Revision
from app.revisions import schemas


async def present(session: AsyncSession, revision: Revision) -> schemas.Revision:
    return schemas.Revision.model_validate(revision)


async def present_many(session: AsyncSession, revisions: Sequence[Revision]) -> list[schemas.Revision]:
    return [schemas.Revision.model_validate(revision) for revision in revisions]
