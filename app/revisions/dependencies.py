"""Who may reach a revision: whoever may read its KPR (DESIGN §6); deciding is the service's rule."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.auth import CurrentActor, Session
from app.models import Revision
from app.revisions import service


async def readable_revision(session: Session, actor: CurrentActor, revision_id: uuid.UUID) -> Revision:
    return await service.get(session, actor, revision_id)


async def decidable_revision(session: Session, actor: CurrentActor, revision_id: uuid.UUID) -> Revision:
    return await service.get(session, actor, revision_id, lock=True)


ReadableRevision = Annotated[Revision, Depends(readable_revision)]
DecidableRevision = Annotated[Revision, Depends(decidable_revision)]
