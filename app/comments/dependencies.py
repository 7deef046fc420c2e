"""Who may reach a comment thread and its comments (DESIGN §12), declared in the endpoint signature: the readers of
the entity it hangs on (404 for everyone else); the author edits, the author or an admin deletes (403 for the other
readers)."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request

from app.comments import service
from app.comments.service import Thread
from app.core.access import Actor
from app.core.auth import CurrentActor, CurrentPrincipal, Session, resolve_actor_and
from app.core.enums import CommentEntityType
from app.core.schemas import Choice
from app.models import Comment


async def readable_thread(
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    entity_type: Annotated[Choice[CommentEntityType], Query(description="What the thread hangs on.")],
    entity_id: Annotated[uuid.UUID, Query(description="The goal, KPR or evaluation.")],
) -> tuple[Actor, Thread]:
    # The caller and the entity in one statement; the entity's own rule then finds it already loaded.
    actor, _ = await resolve_actor_and(request, session, principal, service.MODELS[entity_type], entity_id)
    return actor, await service.open_thread(session, actor, entity_type, entity_id)


async def readable_comment(session: Session, actor: CurrentActor, comment_id: uuid.UUID) -> Comment:
    return await service.get(session, actor, comment_id)


async def editable_comment(session: Session, actor: CurrentActor, comment_id: uuid.UUID) -> Comment:
    comment = await service.get(session, actor, comment_id, lock=True)
    service.require_author(actor, comment)
    return comment


async def deletable_comment(session: Session, actor: CurrentActor, comment_id: uuid.UUID) -> Comment:
    comment = await service.get(session, actor, comment_id, lock=True)
    service.require_author_or_admin(actor, comment)
    return comment


ReadableThread = Annotated[tuple[Actor, Thread], Depends(readable_thread)]
ReadableComment = Annotated[Comment, Depends(readable_comment)]
EditableComment = Annotated[Comment, Depends(editable_comment)]
DeletableComment = Annotated[Comment, Depends(deletable_comment)]
