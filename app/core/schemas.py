"""Shared schema building blocks: strict input models, UTC timestamps, exact decimals, pages, problems."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

CENT = Decimal("0.01")


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a timezone (RFC 3339, e.g. 2026-01-31T08:00:00Z)")
    return value.astimezone(UTC)


def _format_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_require_aware),
    PlainSerializer(_format_utc, return_type=str, when_used="json"),
]


def _as_number(value: Decimal) -> float | int:
    # JSON numbers, as the contract says; integral values stay integers so 100 reads as 100, not 100.0.
    return int(value) if value == value.to_integral_value() else float(value)


def _rounded(value: Decimal) -> float | int:
    return _as_number(value.quantize(CENT, rounding=ROUND_HALF_UP))


# The serializers return int or float; a declared return_type of float would turn 100 back into 100.0, so the
# return type is left open and the documented schema says "number".
_NUMBER_SCHEMA = WithJsonSchema({"type": "number"}, mode="serialization")

# A measurement entered by a user: exact, bounded, serialized as a JSON number.
Measure = Annotated[
    Decimal,
    Field(allow_inf_nan=False, max_digits=20, decimal_places=6, ge=Decimal("-1e13"), le=Decimal("1e13")),
    PlainSerializer(_as_number, return_type=Any, when_used="json"),
    _NUMBER_SCHEMA,
]
# A derived figure: computed unrounded, rounded half-up to 2 decimals only on output.
Figure = Annotated[Decimal, PlainSerializer(_rounded, return_type=Any, when_used="json"), _NUMBER_SCHEMA]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
Comment = Annotated[str, StringConstraints(max_length=4_000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= for the next page; null at the end.")


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is answered."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str = Field(description="Stable UPPER_SNAKE_CASE error code.")
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "https://kpr.example.com/problems/not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "Employee 3f0c… was not found.",
                    "instance": "/api/v1/employees/3f0c…",
                    "code": "NOT_FOUND",
                    "request_id": "b7e1c2d4a5f64a9e",
                }
            ]
        }
    )


class TransitionIn(InputModel):
    to: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    comment: Comment | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"to": "submitted", "comment": "请审批 / please review"}]}
    )


class PatchModel(InputModel):
    """Merge-patch bodies: absent fields stay unchanged; ``null`` is only accepted where the field may be empty."""

    non_nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_null_for_required(self) -> Self:
        for name in self.model_fields_set & self.non_nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self
