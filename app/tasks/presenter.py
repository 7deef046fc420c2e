"""A task as the API (and a reminder event) shows it."""

from datetime import datetime

from app.core.i18n import Locale
from app.tasks import schemas
from app.tasks.derivation import OpenTask, title_text


def present(task: OpenTask, now: datetime, locale: Locale | None = None) -> schemas.Task:
    """``locale``: the request's language by default; an event's is its organization's."""
    return schemas.Task(
        id=task.id,
        kind=task.kind,
        title=title_text(task, locale),
        entity_type=task.entity_type,
        entity_id=task.entity_id,
        comment_id=task.comment_id,
        due_at=task.due_at,
        overdue=task.overdue(now),
        status=task.status,
        created_at=task.created_at,
    )
