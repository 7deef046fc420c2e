"""Shared schema building blocks: strict input models, UTC timestamps, exact decimals, pages, problems."""

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from app.core.pagination import MAX_CURSOR_LENGTH, MAX_LIMIT
from app.core.problems import ProblemCode

CENT = Decimal("0.01")


# RFC 3339 date-time: a full date, a time with seconds (fraction optional) and an offset. Numbers ("0.5" read as a
# Unix time), dates alone, week dates and naive times are all refused.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?")
# The instants a performance cycle can sensibly talk about; outside them arithmetic on offsets overflows.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _rfc3339_only(value: object) -> object:
    if isinstance(value, datetime):
        return value  # from our own code (ORM rows), never from JSON
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        if isinstance(value, str) and _NAIVE.fullmatch(value):
            raise ValueError("timestamp must carry a timezone (RFC 3339, e.g. 2026-01-31T08:00:00Z)")
        raise ValueError("expected an RFC 3339 timestamp with an offset, e.g. 2026-01-31T08:00:00Z")
    return value


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a timezone (RFC 3339, e.g. 2026-01-31T08:00:00Z)")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValueError(f"timestamp out of range ({EARLIEST.year}-01-01 to {LATEST.year - 1}-12-31)")
    return utc


def _format_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcDatetime = Annotated[
    datetime,
    BeforeValidator(_rfc3339_only),
    AfterValidator(_require_aware),
    PlainSerializer(_format_utc, return_type=str, when_used="json"),
    # Written as "2026-01-31T08:00:00.123456Z" at most; read with an offset and up to 9 decimals (35 characters).
    WithJsonSchema({"type": "string", "format": "date-time", "maxLength": 35}, mode="serialization"),
]


def _as_number(value: Decimal) -> float | int:
    # JSON numbers, as the contract says; integral values stay integers so 100 reads as 100, not 100.0.
    return int(value) if value == value.to_integral_value() else float(value)


def _rounded(value: Decimal) -> float | int:
    return _as_number(value.quantize(CENT, rounding=ROUND_HALF_UP))


# Validation context for documents this service wrote itself (a stored policy, a pending revision's changes): their
# decimals were checked on the way in and are kept as exact strings.
STORED = {"stored": True}


def _not_text(value: object, info: ValidationInfo) -> object:
    # JSON numbers only, as the contract declares them: "12.5" and true are not numbers.
    if isinstance(value, bool) or (isinstance(value, str) and not (info.context or {}).get("stored")):
        raise ValueError("expected a JSON number")
    return value


class _NumberInSchema:
    """Declares a Decimal input as a JSON number (Pydantic would also offer a string form the API does not take)."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        numbers = [v for v in schema.get("anyOf", []) if v.get("type") == "number"]
        if numbers:
            del schema["anyOf"]
            schema.update(numbers[0])
        return schema


_E = TypeVar("_E", bound=StrEnum)

if TYPE_CHECKING:
    # A field holding one of the enums of app.core.enums: validated and typed as the enum.
    Choice = Annotated[_E, ...]
else:

    class Choice:
        """``Choice[Direction]``: the enum, documented inline (``{"enum": [...], "type": "string"}``) as the contract
        has always spelled its states; Pydantic would otherwise file each enum as a named component."""

        def __class_getitem__(cls, enum: type[StrEnum]) -> object:
            # Validated as the Literal of its values (so documented exactly as one), then made the enum member.
            return Annotated[Literal[tuple(member.value for member in enum)], AfterValidator(enum)]


# Metadata for every decimal a client writes.
JSON_NUMBER = (BeforeValidator(_not_text), _NumberInSchema())

# The serializers return int or float; a declared return_type of float would turn 100 back into 100.0, so the
# return type is left open and the documented schema says "number".
_NUMBER_SCHEMA = WithJsonSchema({"type": "number"}, mode="serialization")

# A measurement entered by a user: read exactly (JSON numbers are parsed as Decimal, never through a float), at most
# 15 significant digits and 6 after the point — what an IEEE-754 double (every JavaScript client) holds exactly, so
# the number written out is the number read in. More precise input is refused (422), never rounded.
MEASURE_DIGITS = 15
MEASURE_PLACES = 6


def _exact_measure(value: Decimal) -> Decimal:
    # Pydantic's max_digits/decimal_places would also cap the whole part at 15 - 6 digits; a measure may use all 15
    # (revenue in yuan), or 6 of them after the point.
    _, digits, exponent = value.normalize().as_tuple()
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    significant = max(len(digits), places)
    if significant > MEASURE_DIGITS:
        raise ValueError(f"at most {MEASURE_DIGITS} significant digits (what a JSON double holds exactly)")
    if places > MEASURE_PLACES:
        raise ValueError(f"at most {MEASURE_PLACES} decimal places")
    return value


Measure = Annotated[
    Decimal,
    Field(allow_inf_nan=False, ge=Decimal("-1e13"), le=Decimal("1e13")),
    AfterValidator(_exact_measure),
    *JSON_NUMBER,
    PlainSerializer(_as_number, return_type=Any, when_used="json"),
    _NUMBER_SCHEMA,
]
# A derived figure: computed unrounded, rounded half-up to 2 decimals only on output.
Figure = Annotated[Decimal, PlainSerializer(_rounded, return_type=Any, when_used="json"), _NUMBER_SCHEMA]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


def _json_bool(value: object) -> object:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


# A calendar date, written YYYY-MM-DD only (Pydantic would also read 0 or "0" as a Unix time).
Day = Annotated[date, BeforeValidator(_iso_day)]
# A JSON boolean in a body: 1, "yes" and "true" are not booleans.
Flag = Annotated[bool, BeforeValidator(_json_bool)]


def _stripped_not_empty(value: str) -> str:
    # A required text: something must be left once the surrounding whitespace is trimmed.
    value = value.strip()
    if not value:
        raise ValueError("may not be blank")
    return value


def _strip(value: str) -> str:
    return value.strip()


# Text trimmed of surrounding whitespace, after the declared lengths are checked on the text as sent (as the schema
# says): NOT_BLANK for a required text, which must keep something once trimmed; TRIMMED for an optional one.
NOT_BLANK = AfterValidator(_stripped_not_empty)
TRIMMED = AfterValidator(_strip)
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), NOT_BLANK]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300), NOT_BLANK]
Text = Annotated[str, StringConstraints(max_length=10_000)]
Comment = Annotated[str, StringConstraints(max_length=4_000)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64), NOT_BLANK]


class Declared:
    """JSON Schema keywords that an output field declares without checking them again on the way out.

    Every string, array and integer of the contract has declared limits (clients and fuzzers size buffers and checks
    by them). An output's value was checked when it came in (by the input type with the same limit, by the database
    column) or is made by the service within the limit; checking it again would only turn a response into a 500.
    """

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema

    def __repr__(self) -> str:
        return f"Declared({self.keywords!r})"


INT32_MAX = 2**31 - 1
# Output counterparts of the input texts above, and of what the service writes itself.
NameOut = Annotated[str, Declared(maxLength=200)]
TitleOut = Annotated[str, Declared(maxLength=300)]
TextOut = Annotated[str, Declared(maxLength=10_000)]
CommentOut = Annotated[str, Declared(maxLength=4_000)]
CodeOut = Annotated[str, Declared(maxLength=64)]
# Who did something: a token's subject (at most 255 characters, checked when the token is read) or "api-key:<id>".
SUBJECT_MAX = 255
SubjectOut = Annotated[str, Declared(maxLength=SUBJECT_MAX)]
# A token's roles, as far as they are read (checked when the token is read).
MAX_ROLES = 32
MAX_ROLE_LENGTH = 64
# A state, rating or other short label the service writes (database columns of 16 and 32 characters).
LabelOut = Annotated[str, Declared(maxLength=32)]
# A number of rows.
Count = Annotated[int, Declared(minimum=0, maximum=INT32_MAX, format="int32")]
# What grows with the organization (departments of a report, goals of a tree, KPRs of a plan or of a goal) is
# declared with the service's capacity: a bound for clients to size by, far above any organization it serves.
CAPACITY = 1_000_000


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class OutputModel(BaseModel):
    # Every field is always written, defaults included: the contract says so (required), so generated clients type
    # them as present rather than optional.
    model_config = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    items: Annotated[list[T], Declared(maxItems=MAX_LIMIT)] = Field(
        description=f"At most ?limit= items ({MAX_LIMIT} at most)."
    )
    next_cursor: Annotated[str, Declared(maxLength=MAX_CURSOR_LENGTH)] | None = Field(
        default=None, description="Pass as ?cursor= for the next page; null at the end."
    )


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is answered."""

    type: str = Field(
        description="A link to the page describing `code` on this service (`/problems/{slug}`): JSON, or HTML for a "
        "browser."
    )
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: ProblemCode = Field(description="Stable UPPER_SNAKE_CASE error code; docs/errors.md lists them all.")
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "http://127.0.0.1:8000/problems/not-found",
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

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # The contract says what the server does: a field that may not be cleared is optional but never null.
        schema = handler.resolve_ref_schema(handler(core_schema))
        properties = schema.get("properties", {})
        for name in cls.non_nullable:
            field = properties.get(name)
            if field is None:
                continue
            field.pop("default", None)
            variants = [v for v in field.pop("anyOf", []) if v.get("type") != "null"]
            if len(variants) == 1:
                field.update(variants[0])
            elif variants:
                field["anyOf"] = variants
        clearable = sorted(name for name in properties if name not in cls.non_nullable)
        note = "Absent fields stay as they are. " + (
            f"`null` clears: {', '.join(clearable)}; no other field may be null."
            if clearable
            else "No field may be null."
        )
        schema["description"] = f"{schema['description']}\n\n{note}" if schema.get("description") else note
        return schema

    @model_validator(mode="after")
    def _refuse_null_for_required(self) -> Self:
        for name in self.model_fields_set & self.non_nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self
