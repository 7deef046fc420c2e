"""Who may reach a conversation (DESIGN §6, §10): whoever may read its evaluation, else 404. Who may change which of
its fields is the service's rule."""

import uuid
from typing import Annotated

from fastapi import Depends, Request

from app.conversations import service
from app.core.auth import CurrentActor, CurrentPrincipal, Session, resolve_actor_and
from app.models import Conversation


async def readable_conversation(
    request: Request, session: Session, principal: CurrentPrincipal, conversation_id: uuid.UUID
) -> Conversation:
    actor, conversation = await resolve_actor_and(request, session, principal, Conversation, conversation_id)
    return await service.readable(session, actor, conversation, conversation_id)


async def writable_conversation(session: Session, actor: CurrentActor, conversation_id: uuid.UUID) -> Conversation:
    return await service.get(session, actor, conversation_id, lock=True)


ReadableConversation = Annotated[Conversation, Depends(readable_conversation)]
WritableConversation = Annotated[Conversation, Depends(writable_conversation)]
