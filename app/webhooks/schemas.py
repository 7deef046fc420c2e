import uuid
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from app.core.enums import DeliveryStatus, EventType
from app.core.schemas import NOT_BLANK, TRIMMED, Choice, Flag, InputModel, OutputModel, PatchModel, UtcDatetime
from app.webhooks.ssrf import MAX_URL_LENGTH

SECRET_DESCRIPTION = (
    "The signing secret (Standard Webhooks: `whsec_` and base64). Shown only in this response; store it now. "
    "Verify each delivery's `webhook-signature` with it."
)

WebhookUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_URL_LENGTH),
    NOT_BLANK,
    Field(description="Where events are POSTed: https:// to a public address (see KPR_WEBHOOK_ALLOWED_HOSTS)."),
]


def _unique(types: list[EventType]) -> list[EventType]:
    return list(dict.fromkeys(types))


EventTypes = Annotated[
    list[Choice[EventType]],
    Field(max_length=len(EventType), description="The event types sent; empty: every type. Repeats count once."),
    AfterValidator(_unique),
]
Description = Annotated[str, StringConstraints(max_length=500), TRIMMED]


class Webhook(OutputModel):
    id: uuid.UUID
    url: Annotated[str, Field(max_length=MAX_URL_LENGTH)]
    event_types: EventTypes
    description: Annotated[str, Field(max_length=500)] | None
    active: bool
    created_at: UtcDatetime
    updated_at: UtcDatetime


class WebhookCreated(Webhook):
    secret: Annotated[str, Field(max_length=100, description=SECRET_DESCRIPTION)]


class WebhookCreate(InputModel):
    url: WebhookUrl
    event_types: EventTypes = Field(default_factory=list)
    description: Description | None = None
    active: Flag = True

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hr.example.com/hooks/kpr",
                    "event_types": ["evaluation.transitioned", "cycle.transitioned"],
                    "description": "绩效结果同步到薪酬系统",
                }
            ]
        }
    )


class WebhookUpdate(PatchModel):
    non_nullable = frozenset({"url", "event_types", "active"})

    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    active: Flag | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})


class WebhookDelivery(OutputModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: Choice[EventType]
    status: Choice[DeliveryStatus]
    attempts: Annotated[int, Field(ge=0, le=1_000_000)]
    last_status_code: Annotated[int, Field(ge=100, le=599)] | None = Field(
        description="The HTTP status of the last attempt; null when it got no answer (see last_error)."
    )
    last_error: Annotated[str, Field(max_length=500)] | None
    next_attempt_at: UtcDatetime
    delivered_at: UtcDatetime | None
    created_at: UtcDatetime
