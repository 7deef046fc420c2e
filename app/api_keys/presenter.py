"""An API key as the API shows it: its metadata, and the secret only in the response that created it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys import schemas
from app.models import ApiKey


async def present(session: AsyncSession, key: ApiKey) -> schemas.ApiKey:
    return schemas.ApiKey.model_validate(key)


async def present_many(session: AsyncSession, keys: Sequence[ApiKey]) -> list[schemas.ApiKey]:
    return [schemas.ApiKey.model_validate(key) for key in keys]


async def present_created(session: AsyncSession, key: ApiKey, secret: str) -> schemas.ApiKeyCreated:
    # The row keeps only a hash: the secret exists in this response alone.
    return schemas.ApiKeyCreated.model_validate({**(await present(session, key)).model_dump(), "secret": secret})
