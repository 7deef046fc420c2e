"""Reward arithmetic (DESIGN §11): hand-worked tables, then the properties that must hold for every input."""

import uuid
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.scoring.rewards import Allocation, RewardInputError, RewardLine, allocate, round_cents

D = Decimal
# Ids in a known order, so the last tie-break (employee id, ascending) is predictable.
A, B, C, E = (uuid.UUID(int=n) for n in (1, 2, 3, 4))


def _amounts(allocation: Allocation) -> dict[uuid.UUID, Decimal]:
    return {a.employee_id: a.amount for a in allocation.amounts}


# --- without a budget: each amount is base × coefficient, half-up to the cent --------------------------------------


def test_without_a_budget_each_amount_is_rounded_half_up() -> None:
    allocation = allocate(
        [
            RewardLine(A, D("10000"), D("1.5")),  # 15000 exactly
            RewardLine(B, D("8333.33"), D("1.2")),  # 9999.996 → 10000.00
            RewardLine(C, D("0.25"), D("0.5")),  # 0.125 → 0.13 (half-up; half-even would say 0.12)
            RewardLine(E, D("5000"), D("0")),  # rated D: nothing
        ]
    )
    assert _amounts(allocation) == {A: D("15000"), B: D("10000.00"), C: D("0.13"), E: D("0")}
    assert allocation.scale == 1
    assert allocation.total == D("25000.13")
    assert [a.employee_id for a in allocation.amounts] == [A, B, C, E]  # the order given


def test_without_a_budget_a_run_of_nobody_totals_zero() -> None:
    assert allocate([]) == Allocation(scale=D(1), total=D(0), amounts=())


# --- with a budget: cut down to the cent, the missing cents to the largest remainders -------------------------------


@pytest.mark.parametrize(
    ("lines", "budget", "expected", "why"),
    [
        (
            [RewardLine(A, D(100), D(1)), RewardLine(B, D(200), D(1)), RewardLine(C, D(300), D(1))],
            D("1000.00"),
            {A: D("166.67"), B: D("333.33"), C: D("500.00")},
            # scale 1000/600: exact 166.666…, 333.333…, 500 → floors 999.99; the one missing cent goes to the largest
            # remainder (0.666… cent against 0.333… and 0).
            "largest remainder",
        ),
        (
            [RewardLine(C, D(100), D(1)), RewardLine(A, D(100), D(1)), RewardLine(B, D(100), D(1))],
            D("100.00"),
            {A: D("33.34"), B: D("33.33"), C: D("33.33")},
            # 33.333… each: equal remainders and equal bases, so the lowest employee id takes the missing cent.
            "tie on remainder and base → employee id",
        ),
        (
            [RewardLine(B, D(100), D("2.0")), RewardLine(A, D(200), D("1.0")), RewardLine(C, D(300), D(0))],
            D("100.01"),
            {A: D("50.01"), B: D("50.00"), C: D("0")},
            # weights 200, 200, 0: 50.005 each for A and B; equal remainders, so the larger base (A's 200) first. The
            # zero coefficient gets nothing, not even a leftover cent.
            "tie on remainder → larger base; zero coefficient",
        ),
        (
            [RewardLine(C, D(1), D(1)), RewardLine(B, D(1), D(1)), RewardLine(A, D(1), D(1))],
            D("0.05"),
            {A: D("0.02"), B: D("0.02"), C: D("0.01")},
            # 1.666… cents each: floors 3 cents, two missing, to the two lowest ids.
            "two missing cents",
        ),
        (
            [RewardLine(A, D("10000"), D("1.5")), RewardLine(B, D("8000"), D("1.0")), RewardLine(C, D("6000"), D(0))],
            D("23000.00"),
            {A: D("15000.00"), B: D("8000.00"), C: D("0")},
            # Σ base·coefficient = 23000 = the budget: scale 1, everything already whole cents.
            "budget equal to the unscaled total",
        ),
        (
            [RewardLine(A, D("7000"), D("1.2")), RewardLine(B, D("3000"), D("0.8"))],
            D("10000.00"),
            {A: D("7777.78"), B: D("2222.22")},
            # weights 8400 and 2400, scale 10000/10800: 7777.777… and 2222.222… → 7777.77 + 2222.22 = 9999.99, the
            # cent to A (remainder 0.777… cent against 0.222…).
            "scaled down",
        ),
    ],
)
def test_with_a_budget_the_amounts_total_the_budget_exactly(
    lines: list[RewardLine], budget: Decimal, expected: dict[uuid.UUID, Decimal], why: str
) -> None:
    allocation = allocate(lines, budget)
    assert _amounts(allocation) == expected, why
    assert allocation.total == budget
    assert sum(expected.values()) == budget


def test_the_scale_is_the_unrounded_quotient() -> None:
    allocation = allocate([RewardLine(A, D(100), D(1)), RewardLine(B, D(500), D(1))], D("1000"))
    # 40 significant digits, as the scoring engine keeps its quotients.
    assert allocation.scale == D("1.666666666666666666666666666666666666667")
    assert allocate([RewardLine(A, D(400), D("1.5"))], D("300")).scale == D("0.5")


# --- refused ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "budget", "field", "code"),
    [
        ([RewardLine(A, D(100), D(1))], D(0), "budget", "BUDGET_NOT_POSITIVE"),
        ([RewardLine(A, D(100), D(1))], D("-5"), "budget", "BUDGET_NOT_POSITIVE"),
        ([RewardLine(A, D(100), D(1))], D("100.001"), "budget", "BUDGET_NOT_CENTS"),
        # Everyone rated D (coefficient 0), every base 0, or nobody at all: a budget nobody can receive.
        ([RewardLine(A, D(100), D(0)), RewardLine(B, D(300), D(0))], D("1000"), "budget", "NOTHING_TO_SHARE"),
        ([RewardLine(A, D(0), D("1.5"))], D("1000"), "budget", "NOTHING_TO_SHARE"),
        ([], D("1000"), "budget", "NOTHING_TO_SHARE"),
        ([RewardLine(A, D("-1"), D(1))], None, "base", "BASE_NEGATIVE"),
        ([RewardLine(A, D(1), D("-0.5"))], D("10"), "coefficient", "COEFFICIENT_NEGATIVE"),
    ],
)
def test_input_the_arithmetic_refuses(lines: list[RewardLine], budget: Decimal | None, field: str, code: str) -> None:
    with pytest.raises(RewardInputError) as raised:
        allocate(lines, budget)
    assert (raised.value.field, raised.value.code) == (field, code)


# --- properties ------------------------------------------------------------------------------------------------------

BASES = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
COEFFICIENTS = st.decimals(min_value=0, max_value=5, places=4, allow_nan=False, allow_infinity=False)
BUDGETS = st.decimals(min_value=D("0.01"), max_value=100_000_000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def line_sets(draw: st.DrawFn, min_size: int = 1) -> list[RewardLine]:
    pairs = draw(st.lists(st.tuples(BASES, COEFFICIENTS), min_size=min_size, max_size=40))
    ids = draw(st.lists(st.uuids(), min_size=len(pairs), max_size=len(pairs), unique=True))
    return [RewardLine(id_, base, coefficient) for id_, (base, coefficient) in zip(ids, pairs, strict=True)]


def _shares_something(lines: list[RewardLine]) -> bool:
    return any(line.base * line.coefficient > 0 for line in lines)


@settings(max_examples=300)
@given(line_sets(), BUDGETS)
def test_the_amounts_total_the_budget_to_the_cent(lines: list[RewardLine], budget: Decimal) -> None:
    assume(_shares_something(lines))
    allocation = allocate(lines, budget)
    assert sum(a.amount for a in allocation.amounts) == budget == allocation.total
    assert all(a.amount >= 0 and a.amount == a.amount.quantize(D("0.01")) for a in allocation.amounts)


@settings(max_examples=300)
@given(line_sets(), BUDGETS)
def test_each_amount_is_within_a_cent_of_its_exact_share(lines: list[RewardLine], budget: Decimal) -> None:
    """Proportional to base × coefficient: cut down, plus at most the one missing cent."""
    assume(_shares_something(lines))
    allocation = allocate(lines, budget)
    weights = sum(line.base * line.coefficient for line in lines)
    for line, amount in zip(lines, allocation.amounts, strict=True):
        exact = budget * line.base * line.coefficient / weights
        assert exact - D("0.01") < amount.amount <= exact + D("0.01")
        if line.coefficient == 0 or line.base == 0:
            assert amount.amount == 0


@settings(max_examples=300)
@given(line_sets(min_size=2), BUDGETS, st.data())
def test_a_higher_coefficient_on_the_same_base_never_gets_less(
    lines: list[RewardLine], budget: Decimal, data: st.DataObject
) -> None:
    """Monotonic in rating: give the first line the second's base and a higher coefficient than it."""
    first, second, *rest = lines
    bump = data.draw(st.decimals(min_value=D("0.0001"), max_value=2, places=4))
    lines = [
        RewardLine(first.employee_id, second.base, second.coefficient + bump),
        second,
        *rest,
    ]
    assume(_shares_something(lines))
    for allocation in (allocate(lines, budget), allocate(lines)):
        higher, lower = allocation.amounts[0].amount, allocation.amounts[1].amount
        assert higher >= lower


@settings(max_examples=300)
@given(line_sets(min_size=2), BUDGETS)
def test_a_larger_base_at_the_same_coefficient_never_gets_less(lines: list[RewardLine], budget: Decimal) -> None:
    """Proportional to base: at one coefficient, amounts follow the bases (and differ from base·scale by < 1 cent)."""
    coefficient = lines[0].coefficient
    lines = [RewardLine(line.employee_id, line.base, coefficient) for line in lines]
    assume(_shares_something(lines))
    allocation = allocate(lines, budget)
    pairs = sorted(zip(lines, allocation.amounts, strict=True), key=lambda pair: pair[0].base)
    for (small, small_amount), (large, large_amount) in pairwise(pairs):
        assert large.base == small.base or large_amount.amount >= small_amount.amount
    for line, amount in zip(lines, allocation.amounts, strict=True):
        assert abs(amount.amount - line.base * coefficient * allocation.scale) < D("0.01")


@settings(max_examples=300)
@given(line_sets(min_size=0))
def test_without_a_budget_each_amount_is_base_times_coefficient_rounded(lines: list[RewardLine]) -> None:
    allocation = allocate(lines)
    assert allocation.scale == 1
    for line, amount in zip(lines, allocation.amounts, strict=True):
        assert amount.amount == round_cents(line.base * line.coefficient)
        assert (amount.employee_id, amount.base, amount.coefficient) == (line.employee_id, line.base, line.coefficient)
    assert allocation.total == sum((a.amount for a in allocation.amounts), D(0))
