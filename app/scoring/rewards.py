"""Reward arithmetic (DESIGN §11): pure functions over exact decimals that turn bases and coefficients into amounts.

No I/O, no framework: the reward service prices each base (the coefficient of the employee's final rating) and hands
the lines here. Like the scoring engine, everything is computed under a private decimal context, and money is cut to
the cent only where the rules say so:

- without a budget, ``scale = 1`` and each amount is ``base × coefficient`` rounded half-up to the cent;
- with a budget, ``scale = budget / Σ base·coefficient``; each exact amount is cut *down* to the cent, and the cents
  still missing go one each to the largest remainders (ties: larger base first, then employee id), so that the
  amounts total the budget exactly (the largest-remainder method).

The budgeted split is done on integers (cents and exact rationals), never on the rounded ``scale``, so the remainders
compared are the true ones whatever the number of lines. Edge cases, decided for the payroll person who reads them:

- a budget that is zero, negative or not a whole number of cents is refused (``BUDGET_NOT_POSITIVE``,
  ``BUDGET_NOT_CENTS``): a budget is money to pay out;
- a budget with ``Σ base·coefficient = 0`` (no lines, every base 0, or every rating's coefficient 0) is refused
  (``NOTHING_TO_SHARE``) rather than answered with all amounts 0: a run whose amounts do not total its budget would
  silently break the one promise a budgeted run makes, and a budget nobody can receive is almost always a mistake in
  the input (the wrong cycle, an empty base file) that the person running it wants to be told about;
- a negative base or coefficient is refused (``BASE_NEGATIVE``, ``COEFFICIENT_NEGATIVE``): nobody is paid less than
  nothing.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP,
    Decimal,
)

from app.scoring.engine import exact

__all__ = [
    "INPUT_CODES",
    "Allocation",
    "RewardAmount",
    "RewardInputError",
    "RewardLine",
    "allocate",
    "round_cents",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_CENT = Decimal("0.01")
_CENTS_PER_UNIT = 100

# Every RewardInputError code (the service translates each as reward.input.<CODE>).
INPUT_CODES = ("BUDGET_NOT_POSITIVE", "BUDGET_NOT_CENTS", "NOTHING_TO_SHARE", "BASE_NEGATIVE", "COEFFICIENT_NEGATIVE")


class RewardInputError(ValueError):
    """Input the arithmetic refuses: ``field`` says what (``budget``, ``base``, ``coefficient``), ``code`` why."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class RewardLine:
    employee_id: uuid.UUID
    base: Decimal
    coefficient: Decimal


@dataclass(frozen=True)
class RewardAmount:
    employee_id: uuid.UUID
    base: Decimal
    coefficient: Decimal
    amount: Decimal  # whole cents


@dataclass(frozen=True)
class Allocation:
    """The amounts in the order of the lines given, the scale applied (unrounded) and their total (= the budget)."""

    scale: Decimal
    total: Decimal
    amounts: tuple[RewardAmount, ...]


def _clean(value: Decimal) -> Decimal:
    # -0 would leak to JSON as "-0.0".
    return abs(value) if value.is_zero() else value


@exact
def round_cents(value: Decimal) -> Decimal:
    """Half-up to the cent, as an unbudgeted amount is."""
    return _clean(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _common_denominator(ratios: Sequence[tuple[int, int]]) -> int:
    # Decimals' denominators are products of powers of 2 and 5, so there are only a few distinct ones to combine.
    return math.lcm(*{denominator for _, denominator in ratios})


def _check_lines(lines: Sequence[RewardLine]) -> None:
    for line in lines:
        if not line.base.is_finite() or line.base < 0:
            raise RewardInputError("base", "BASE_NEGATIVE")
        if not line.coefficient.is_finite() or line.coefficient < 0:
            raise RewardInputError("coefficient", "COEFFICIENT_NEGATIVE")


def _budget_cents(budget: Decimal) -> int:
    if not budget.is_finite() or budget <= 0:
        raise RewardInputError("budget", "BUDGET_NOT_POSITIVE")
    if budget != budget.quantize(_CENT):
        raise RewardInputError("budget", "BUDGET_NOT_CENTS")
    return int(budget.scaleb(2))  # whole cents, so exact


@exact
def allocate(lines: Sequence[RewardLine], budget: Decimal | None = None) -> Allocation:
    """The amounts of ``lines`` (DESIGN §11); raises RewardInputError for input it refuses (see the module's doc)."""
    _check_lines(lines)
    if budget is None:
        amounts = tuple(
            RewardAmount(line.employee_id, line.base, line.coefficient, round_cents(line.base * line.coefficient))
            for line in lines
        )
        return Allocation(scale=_ONE, total=_clean(sum((a.amount for a in amounts), _ZERO)), amounts=amounts)

    cents = _budget_cents(budget)
    # Every base·coefficient as an integer over one common denominator, so shares and remainders are exact integer
    # arithmetic however many digits the products and their sum take.
    bases = [line.base.as_integer_ratio() for line in lines]
    weights = [
        (base_numerator * coefficient_numerator, base_denominator * coefficient_denominator)
        for (base_numerator, base_denominator), (coefficient_numerator, coefficient_denominator) in zip(
            bases, (line.coefficient.as_integer_ratio() for line in lines), strict=True
        )
    ]
    common = _common_denominator(weights) if weights else 1
    numerators = [numerator * (common // denominator) for numerator, denominator in weights]
    denominator = sum(numerators)
    if denominator == 0:
        raise RewardInputError("budget", "NOTHING_TO_SHARE")
    # Line i's exact amount in cents is cents·n_i / Σn: its floor, and the remainder over the same Σn.
    shares = [divmod(cents * numerator, denominator) for numerator in numerators]
    missing = cents - sum(floor for floor, _ in shares)
    # 0 ≤ missing < the number of non-zero remainders (they sum to missing·Σn, each below Σn), so a line whose exact
    # amount is already whole cents (a zero coefficient included) never receives one.
    base_common = _common_denominator(bases) if bases else 1
    scaled_bases = [numerator * (base_common // denominator) for numerator, denominator in bases]
    order = sorted(range(len(lines)), key=lambda i: (-shares[i][1], -scaled_bases[i], lines[i].employee_id.int))
    extra = set(order[:missing])
    amounts = tuple(
        RewardAmount(
            line.employee_id,
            line.base,
            line.coefficient,
            Decimal(floor + (1 if i in extra else 0)).scaleb(-2),  # non-negative integers: never -0
        )
        for i, (line, (floor, _)) in enumerate(zip(lines, shares, strict=True))
    )
    # Reported, not used above: the true quotient to 40 significant digits.
    scale = budget * common / Decimal(denominator)
    return Allocation(scale=scale, total=budget.quantize(_CENT), amounts=amounts)
