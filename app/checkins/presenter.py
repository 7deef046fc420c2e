"""A check-in as the API shows it, and the answer to a push."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.checkins import schemas
from app.core.enums import PushStatus
from app.core.errors import AppError
from app.models import CheckIn


async def present(session: AsyncSession, check_in: CheckIn) -> schemas.CheckIn:
    return schemas.CheckIn.model_validate(check_in)


async def present_many(
    session: AsyncSession, check_ins: Sequence[CheckIn] | Sequence[Mapping[str, Any]]
) -> list[schemas.CheckIn]:
    """Check-ins as rows of the session, or as the plain rows a push inserted."""
    return [schemas.CheckIn.model_validate(check_in) for check_in in check_ins]


@dataclass
class PushOutcome:
    """What became of one pushed item: its check-ins (new or stored before), or the error that refused it."""

    index: int
    status: PushStatus
    check_in_ids: list[uuid.UUID] = field(default_factory=list)
    error: AppError | None = None
    error_field: str | None = None


def _error(outcome: PushOutcome) -> schemas.PushItemError | None:
    exc = outcome.error
    if exc is None:
        return None
    # A validation error's detail only says "see errors": its one field message is the message.
    message = str(exc.errors[0]["msg"]) if exc.errors else exc.detail
    return schemas.PushItemError(code=exc.code, message=message, field=outcome.error_field)


def present_push(outcomes: Sequence[PushOutcome]) -> schemas.CheckInPushResult:
    return schemas.CheckInPushResult(
        items=[
            schemas.PushItemResult(
                index=outcome.index,
                status=outcome.status,
                check_in_ids=outcome.check_in_ids,
                error=_error(outcome),
            )
            for outcome in outcomes
        ]
    )
