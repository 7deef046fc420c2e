import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, PlainSerializer, StringConstraints, WithJsonSchema

from app.core.enums import RewardRunStatus, RewardSkipReason
from app.core.schemas import (
    CENT,
    Choice,
    Comment,
    CommentOut,
    Count,
    Declared,
    InputModel,
    Measure,
    OutputModel,
    SubjectOut,
    UtcDatetime,
)

# One run prices at most this many bases (a large company's whole payroll in one go).
MAX_BASE_LINES = 100_000
# A base is at most this (exclusive): even 100,000 of them at the policy's largest coefficient (100) stay within the
# 16 whole digits a stored amount keeps.
MAX_BASE = Decimal(1_000_000_000)
# A budget is at most this: its cents are still exact in a JSON double (15 significant digits).
MAX_BUDGET = Decimal("9999999999999.99")


def _whole_cents(value: Decimal) -> Decimal:
    if value != value.quantize(CENT):
        raise ValueError("at most 2 decimal places (whole cents)")
    return value


def _number(value: Decimal) -> int | float:
    # JSON numbers, as the contract says: integral values stay integers (15000, not 15000.0).
    return int(value) if value == value.to_integral_value() else float(value)


# Money as a client writes it: exact (never through a float), not negative, whole cents.
BaseAmount = Annotated[Measure, Field(ge=0, lt=MAX_BASE), AfterValidator(_whole_cents)]
Budget = Annotated[Measure, Field(gt=0, le=MAX_BUDGET), AfterValidator(_whole_cents)]
Currency = Annotated[
    str,
    StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$"),
    Field(description="ISO 4217 code, three upper-case letters (CNY, USD, EUR…)."),
]
# Figures the service computed or stored, written as JSON numbers and never checked again on the way out.
NumberOut = Annotated[
    Decimal, PlainSerializer(_number, return_type=Any, when_used="json"), WithJsonSchema({"type": "number"})
]


class RewardBase(InputModel):
    employee_id: uuid.UUID
    amount: BaseAmount = Field(description="The employee's base (before their rating's coefficient), in `currency`.")


class RewardRunCreate(InputModel):
    base: Annotated[list[RewardBase], Field(min_length=1, max_length=MAX_BASE_LINES)] = Field(
        description="One line per employee (an employee listed twice is refused)."
    )
    budget: Budget | None = Field(
        default=None,
        description="null: each amount is base × coefficient, rounded half-up to the cent. A number: the amounts are "
        "scaled to total exactly this (largest-remainder method).",
    )
    currency: Currency = "CNY"
    note: Comment | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "base": [
                        {"employee_id": "0f9c4a52-8b1e-4d0a-9a51-5d2f7c3e1b10", "amount": 20000},
                        {"employee_id": "6a1d2e3f-4b5c-4d6e-8f70-8192a3b4c5d6", "amount": 15000.5},
                    ],
                    "budget": 50000,
                    "currency": "CNY",
                    "note": "2026 年度绩效奖金",
                }
            ]
        }
    )


class RewardRunItem(OutputModel):
    employee_id: uuid.UUID
    final_rating: Annotated[str, Declared(maxLength=16)]
    coefficient: NumberOut = Field(description="From the reward_coefficients of the evaluation's frozen policy.")
    base: NumberOut
    amount: NumberOut = Field(description="base × coefficient × scale, in whole cents.")


class RewardRunSkipped(OutputModel):
    employee_id: uuid.UUID
    reason: Choice[RewardSkipReason] = Field(
        description="NO_FINAL_RATING: no finalized or acknowledged evaluation with a rating in this cycle (one under "
        "appeal is not final). NO_COEFFICIENT: the evaluation's frozen policy has no coefficient for its rating."
    )


class RewardRunSummary(OutputModel):
    """A reward run without its lines: what lists and events carry (a run may have 100,000 lines)."""

    id: uuid.UUID
    cycle_id: uuid.UUID
    status: Choice[RewardRunStatus]
    currency: Annotated[str, Declared(maxLength=3)]
    budget: NumberOut | None
    scale: NumberOut = Field(description="budget / Σ base·coefficient (unrounded); 1 without a budget.")
    total: NumberOut = Field(description="Σ amount: the budget exactly, when there is one.")
    item_count: Count
    skipped_count: Count
    note: CommentOut | None
    created_by: SubjectOut = Field(description="Who made the run (a token's subject).")
    created_at: UtcDatetime
    updated_at: UtcDatetime


class RewardRun(RewardRunSummary):
    items: Annotated[list[RewardRunItem], Declared(maxItems=MAX_BASE_LINES)] = Field(
        description="The priced lines, by employee id."
    )
    skipped: Annotated[list[RewardRunSkipped], Declared(maxItems=MAX_BASE_LINES)] = Field(
        description="The bases that could not be priced, by employee id."
    )
