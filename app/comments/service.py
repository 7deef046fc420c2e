"""Comments (DESIGN §12): whoever may see a goal, a KPR or an evaluation reads and writes its thread; to anyone else
the thread, and every comment in it, does not exist (404).

Who may see the entity is its own domain's rule (``goals.get``, ``kprs.get``, ``evaluations.get``), called, never
restated. Who may be mentioned is the same rule asked of many people at once, in one statement: everyone active in the
organization for a goal; for a KPR or an evaluation, its employee and the managers above them
(``app.core.access.reads_employee_data``). A mention gives the person a ``mention`` task (a row they close).
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.comments.presenter import present
from app.comments.schemas import CommentCreate
from app.core import outbox
from app.core.access import Actor, reads_employee_data
from app.core.enums import CommentEntityType, EventType, TaskKind, TaskStatus
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import get_in_org
from app.evaluations import service as evaluations
from app.goals import service as goals
from app.kprs import service as kprs
from app.models import Base, Comment, Employee, Evaluation, Goal, Kpr, Task
from app.models.base import utcnow

# The row each kind of thread hangs on, and the rule that says who may read it (404 for the others).
MODELS: dict[CommentEntityType, type[Base]] = {
    CommentEntityType.GOAL: Goal,
    CommentEntityType.KPR: Kpr,
    CommentEntityType.EVALUATION: Evaluation,
}
_READ: dict[CommentEntityType, Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[Any]]] = {
    CommentEntityType.GOAL: goals.get,
    CommentEntityType.KPR: kprs.get,
    CommentEntityType.EVALUATION: evaluations.get,
}
# A mention task's title: the start of the comment, on one line.
TITLE_LENGTH = 120


@dataclass(frozen=True)
class Thread:
    """An entity the caller may see, and whose data it is (None: the organization's, which everyone reads)."""

    entity_type: CommentEntityType
    entity_id: uuid.UUID
    owner_id: uuid.UUID | None


async def open_thread(
    session: AsyncSession, actor: Actor, entity_type: CommentEntityType, entity_id: uuid.UUID
) -> Thread:
    """The thread of this entity, or 404 when the caller may not see the entity (or it is missing, or another
    tenant's). The entity is read by its own domain's rule."""
    entity = await _READ[entity_type](session, actor, entity_id)
    owner_id: uuid.UUID | None = None
    if isinstance(entity, Kpr):
        owner_id = entity.owner_id
    elif isinstance(entity, Evaluation):
        owner_id = entity.employee_id
    return Thread(entity_type, entity_id, owner_id)


def list_statement(actor: Actor, thread: Thread) -> Select[Comment]:
    return select(Comment).where(
        Comment.organization_id == actor.organization_id,
        Comment.entity_type == thread.entity_type,
        Comment.entity_id == thread.entity_id,
    )


async def get(session: AsyncSession, actor: Actor, comment_id: uuid.UUID, *, lock: bool = False) -> Comment:
    """The comment, or 404 when it is another tenant's or the caller may not see what it hangs on."""
    comment = await get_in_org(session, Comment, comment_id, actor.organization_id, "comment", lock=lock)
    await open_thread(session, actor, CommentEntityType(comment.entity_type), comment.entity_id)
    return comment


def require_author(actor: Actor, comment: Comment) -> None:
    if comment.author_subject != actor.subject:
        raise Forbidden(action="change this comment")


def require_author_or_admin(actor: Actor, comment: Comment) -> None:
    if not actor.is_admin and comment.author_subject != actor.subject:
        raise Forbidden(action="delete this comment")


def _require_person_or_admin(actor: Actor) -> None:
    # Services read every thread; a comment is a person's voice (or HR's), never an integration's.
    if actor.employee_id is None and not actor.is_admin:
        raise Forbidden(action="write comments")


def excerpt(body: str) -> str:
    """The start of a comment on one line, as a mention task's title."""
    line = " ".join(body.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"


async def _check_mentions(session: AsyncSession, actor: Actor, thread: Thread, ids: Sequence[uuid.UUID]) -> None:
    """Every mentioned person is an active employee of the organization who may see the entity — one statement
    however many are mentioned — else 422 MENTION_NOT_ALLOWED naming the others."""
    if not ids:
        return
    statement = select(Employee.id).where(
        Employee.organization_id == actor.organization_id, Employee.active.is_(True), Employee.id.in_(ids)
    )
    if thread.owner_id is not None:
        statement = statement.where(reads_employee_data(Employee.id, thread.owner_id))
    allowed = set(await session.scalars(statement))
    refused = [(index, person) for index, person in enumerate(ids) if person not in allowed]
    if refused:
        message = translate("field.mention_not_allowed")
        raise ValidationFailed(
            translate("detail.mention_not_allowed", count=len(refused)),
            code=ProblemCode.MENTION_NOT_ALLOWED,
            errors=[
                {"loc": ["body", "mention_ids", index], "msg": message, "type": "mention_not_allowed"}
                for index, _ in refused
            ],
            extra={"refused_ids": [str(person) for _, person in refused]},
        )


async def create(session: AsyncSession, actor: Actor, data: CommentCreate) -> Comment:
    _require_person_or_admin(actor)
    thread = await open_thread(session, actor, data.entity_type, data.entity_id)
    await _check_mentions(session, actor, thread, data.mention_ids)
    comment = Comment(
        organization_id=actor.organization_id,
        entity_type=thread.entity_type,
        entity_id=thread.entity_id,
        author_id=actor.employee_id,
        author_subject=actor.subject,
        body=data.body,
        mention_ids=[str(person) for person in data.mention_ids],
    )
    session.add(comment)
    await session.flush()
    if data.mention_ids:
        now = utcnow()
        await session.execute(
            insert(Task),
            [
                {
                    "id": uuid.uuid4(),
                    "organization_id": actor.organization_id,
                    "employee_id": person,
                    "kind": TaskKind.MENTION,
                    "title": excerpt(data.body),
                    "entity_type": thread.entity_type,
                    "entity_id": thread.entity_id,
                    "comment_id": comment.id,
                    "status": TaskStatus.OPEN,
                    "created_at": now,
                    "updated_at": now,
                }
                for person in data.mention_ids
            ],
        )
    shown = present(comment)
    audit.record(session, actor, "create", "comment", comment.id, after=shown.model_dump(mode="json"))
    outbox.publish(session, actor.organization_id, EventType.COMMENT_CREATED, shown)
    return comment


def _require_not_deleted(comment: Comment) -> None:
    if comment.deleted_at is not None:
        raise Conflict(translate("detail.comment_deleted"), code=ProblemCode.INVALID_STATE)


async def update_body(session: AsyncSession, actor: Actor, comment: Comment, changes: dict[str, Any]) -> Comment:
    """The author's new text (the comment is marked edited); its mention tasks' titles follow it."""
    _require_not_deleted(comment)
    body = changes.get("body")
    if body is None or body == comment.body:
        return comment
    before = comment.body
    now = utcnow()
    comment.body = body
    comment.edited_at = now
    await session.flush()
    await session.execute(
        update(Task).where(Task.comment_id == comment.id).values(title=excerpt(body), updated_at=now),
        execution_options={"synchronize_session": False},
    )
    audit.record(session, actor, "update", "comment", comment.id, before={"body": before}, after={"body": body})
    return comment


async def delete_comment(session: AsyncSession, actor: Actor, comment: Comment) -> None:
    """The comment stays in its thread, its text and mentions gone, and so are the tasks its mentions gave. Deleting
    it again changes nothing."""
    if comment.deleted_at is not None:
        return
    audit.record(
        session,
        actor,
        "delete",
        "comment",
        comment.id,
        before={"body": comment.body, "mention_ids": list(comment.mention_ids)},
    )
    comment.body = None
    comment.mention_ids = []
    comment.deleted_at = utcnow()
    await session.flush()
    await session.execute(
        delete(Task).where(Task.comment_id == comment.id), execution_options={"synchronize_session": False}
    )
