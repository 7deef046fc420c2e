"""Who may reach an API key (DESIGN §6), declared in the endpoint signature: admins only, for every endpoint; another
tenant's key answers 404 as if it did not exist."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.api_keys import service
from app.core.access import Actor
from app.core.auth import Session, admin_only
from app.models import ApiKey

ApiKeyAdmin = Annotated[Actor, Depends(admin_only("manage API keys"))]


async def readable_api_key(session: Session, actor: ApiKeyAdmin, api_key_id: uuid.UUID) -> ApiKey:
    return await service.get(session, actor, api_key_id)


async def writable_api_key(session: Session, actor: ApiKeyAdmin, api_key_id: uuid.UUID) -> ApiKey:
    return await service.get(session, actor, api_key_id, lock=True)


ReadableApiKey = Annotated[ApiKey, Depends(readable_api_key)]
WritableApiKey = Annotated[ApiKey, Depends(writable_api_key)]
