"""Result conversations (绩效面谈, DESIGN §10): what a manager or HR and the employee talked through about an
evaluation's result, and what they agreed.

Whoever may read the evaluation reads its conversations (404 otherwise). The employee's managers and admins record
them — never the evaluated employee — and only their author changes what was recorded; the evaluated employee adds
only their own comment. A conversation is about the result, so it may be recorded at any state of the evaluation,
finalized included: it changes none of the evaluation's inputs.
"""

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.conversations import schemas
from app.core.access import Actor, can_read_employee_data
from app.core.errors import Forbidden, NotFound
from app.core.repository import apply_changes, fetch_in_org
from app.models import Conversation, Evaluation

# What the evaluated employee may write; everything else is the author's.
EMPLOYEE_FIELDS = frozenset({"employee_comment"})


def _is_evaluated(actor: Actor, evaluation: Evaluation) -> bool:
    return actor.employee_id is not None and actor.employee_id == evaluation.employee_id


async def readable(
    session: AsyncSession, actor: Actor, conversation: Conversation | None, conversation_id: uuid.UUID
) -> Conversation:
    """``conversation`` (loaded in the caller's organization, or None), or 404 when the caller may not read its
    evaluation."""
    if conversation is None:
        raise NotFound("conversation", conversation_id)
    evaluation = await session.get(Evaluation, conversation.evaluation_id)
    assert evaluation is not None  # a foreign key
    if not await can_read_employee_data(session, actor, evaluation.employee_id):
        raise NotFound("conversation", conversation_id)
    return conversation


async def get(session: AsyncSession, actor: Actor, conversation_id: uuid.UUID, *, lock: bool = False) -> Conversation:
    conversation = await fetch_in_org(session, Conversation, conversation_id, actor.organization_id, lock=lock)
    return await readable(session, actor, conversation, conversation_id)


def list_statement(evaluation: Evaluation) -> Select[Conversation]:
    return select(Conversation).where(Conversation.evaluation_id == evaluation.id)


async def create(
    session: AsyncSession, actor: Actor, evaluation: Evaluation, body: schemas.ConversationCreate
) -> Conversation:
    # Having read the evaluation, a caller who is neither its employee, an admin nor a service is a manager in the
    # chain; a service reads conversations but records none.
    if _is_evaluated(actor, evaluation) or not (actor.is_admin or not actor.reads_whole_org):
        raise Forbidden(action="record a conversation on this evaluation")
    conversation = Conversation(
        organization_id=actor.organization_id,
        evaluation_id=evaluation.id,
        author_id=actor.employee_id,
        author_subject=actor.subject,
        held_at=body.held_at,
        notes=body.notes,
        agreed_actions=list(body.agreed_actions),
    )
    session.add(conversation)
    await session.flush()
    after = {"evaluation_id": evaluation.id, **body.model_dump()}
    audit.record(session, actor, "create", "conversation", conversation.id, after=after)
    return conversation


async def update(
    session: AsyncSession, actor: Actor, conversation: Conversation, changes: dict[str, Any]
) -> Conversation:
    """Merge-patch: ``employee_comment`` by the evaluated employee alone, the rest by the author alone (403 to anyone
    else who may read it)."""
    evaluation = await session.get(Evaluation, conversation.evaluation_id)  # loaded by ``readable``
    assert evaluation is not None
    if set(changes) & EMPLOYEE_FIELDS and not _is_evaluated(actor, evaluation):
        raise Forbidden(action="comment on this conversation (its employee may)")
    if set(changes) - EMPLOYEE_FIELDS and actor.subject != conversation.author_subject:
        raise Forbidden(action="edit this conversation (its author may)")
    diff = apply_changes(conversation, changes)
    await session.flush()
    audit.record_diff(session, actor, "update", "conversation", conversation.id, diff)
    return conversation
