"""API keys for internal services: role service, stored hashed, secret shown once. Who may manage them (admins) is
the routes' to declare (app/api_keys/dependencies.py)."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys.schemas import ApiKeyCreate
from app.audit import service as audit
from app.core.access import Actor
from app.core.repository import get_in_org
from app.core.security import new_api_key_secret
from app.models import ApiKey


def list_statement(actor: Actor) -> Select[ApiKey]:
    return select(ApiKey).where(ApiKey.organization_id == actor.organization_id)


async def create(session: AsyncSession, actor: Actor, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    secret, prefix, secret_hash = new_api_key_secret()
    key = ApiKey(
        organization_id=actor.organization_id,
        name=data.name,
        prefix=prefix,
        secret_hash=secret_hash,
        created_by=actor.subject,
    )
    session.add(key)
    await session.flush()
    audit.record(session, actor, "create", "api_key", key.id, after={"name": key.name, "prefix": prefix})
    return key, secret


async def get(session: AsyncSession, actor: Actor, key_id: uuid.UUID, *, lock: bool = False) -> ApiKey:
    return await get_in_org(session, ApiKey, key_id, actor.organization_id, "api_key", lock=lock)


async def delete(session: AsyncSession, actor: Actor, key: ApiKey) -> None:
    audit.record(session, actor, "delete", "api_key", key.id, before={"name": key.name, "prefix": key.prefix})
    await session.delete(key)
    await session.flush()
