"""A conversation as the API shows it."""

from collections.abc import Sequence

from app.conversations import schemas
from app.models import Conversation


def present(conversation: Conversation) -> schemas.Conversation:
    return schemas.Conversation.model_validate(conversation)


def present_many(conversations: Sequence[Conversation]) -> list[schemas.Conversation]:
    return [present(conversation) for conversation in conversations]
