"""Properties of the scoring engine that must hold for every input, not just the hand-worked tables."""

from decimal import ROUND_FLOOR, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring.engine import (
    Curve,
    Direction,
    KprFigures,
    Policy,
    final_score,
    goal_progress,
    rating_for,
    results_score,
    round2,
    score_kpr,
)

# Bounded, few-place decimals: the engine's products and sums of such values are exact, which the scaling property
# below relies on.
VALUES = st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
POSITIVE = st.decimals(min_value=Decimal("0.01"), max_value=5_000, places=2, allow_nan=False, allow_infinity=False)
WEIGHTS = st.decimals(min_value=0, max_value=1_000, places=2, allow_nan=False, allow_infinity=False)
SCORES = st.decimals(min_value=0, max_value=200, places=4, allow_nan=False, allow_infinity=False)
STEPS = st.decimals(min_value=0, max_value=20_000, places=2, allow_nan=False, allow_infinity=False)
PERCENTS = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)

POLICIES = st.builds(
    Policy,
    curve=st.sampled_from(Curve),
    cap=st.decimals(min_value=100, max_value=300, places=2, allow_nan=False, allow_infinity=False),
    threshold_score=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)


@st.composite
def directed_kprs(draw: st.DrawFn) -> KprFigures:
    """An increase/decrease KPR whose threshold and stretch (when set) are ordered the way definition_errors wants."""
    direction = draw(st.sampled_from([Direction.INCREASE, Direction.DECREASE]))
    ahead = 1 if direction is Direction.INCREASE else -1
    baseline = draw(VALUES)
    target = baseline + ahead * draw(POSITIVE)
    threshold = draw(st.none() | POSITIVE.map(lambda gap: target - ahead * gap))
    stretch = draw(st.none() | POSITIVE.map(lambda gap: target + ahead * gap))
    return KprFigures(direction=direction, baseline=baseline, target=target, threshold=threshold, stretch=stretch)


@st.composite
def any_kprs(draw: st.DrawFn) -> KprFigures:
    """Any KPR at all, including out-of-order thresholds/stretches that only a bug could let through."""
    return KprFigures(
        direction=draw(st.sampled_from(Direction)),
        baseline=draw(VALUES),
        target=draw(VALUES),
        threshold=draw(st.none() | VALUES),
        stretch=draw(st.none() | VALUES),
        tolerance=draw(st.none() | WEIGHTS),
        actual=draw(st.none() | VALUES),
    )


def _with_actual(k: KprFigures, actual: Decimal) -> KprFigures:
    return KprFigures(
        direction=k.direction,
        baseline=k.baseline,
        target=k.target,
        threshold=k.threshold,
        stretch=k.stretch,
        tolerance=k.tolerance,
        actual=actual,
    )


@settings(deadline=None)
@given(k=directed_kprs(), policy=POLICIES, start=VALUES, step=STEPS)
def test_score_never_drops_as_actual_improves(k: KprFigures, policy: Policy, start: Decimal, step: Decimal) -> None:
    ahead = 1 if k.direction is Direction.INCREASE else -1
    worse = score_kpr(_with_actual(k, start), policy)
    better = score_kpr(_with_actual(k, start + ahead * step), policy)
    assert worse.score is not None
    assert better.score is not None
    assert better.score >= worse.score
    assert better.progress is not None
    assert worse.progress is not None
    assert better.progress >= worse.progress


@settings(deadline=None)
@given(k=any_kprs(), policy=POLICIES)
def test_score_and_progress_stay_in_range(k: KprFigures, policy: Policy) -> None:
    got = score_kpr(k, policy)
    if got.score is None:
        # only an increase/decrease with no span is unmeasurable, and then nothing is reported
        assert k.direction is not Direction.MAINTAIN
        assert k.target == k.baseline
        assert got.achievement is None
        assert got.progress is None
        return
    assert 0 <= got.score <= policy.cap
    assert got.progress is not None
    assert 0 <= got.progress <= 100
    assert got.achievement is not None
    if policy.curve is Curve.LINEAR:
        assert got.score == min(max(got.achievement, Decimal(0)), policy.cap)


@settings(deadline=None)
@given(k=any_kprs(), policy=POLICIES)
def test_same_inputs_same_outputs(k: KprFigures, policy: Policy) -> None:
    first = score_kpr(k, policy)
    # a caller's own decimal context must not change a figure either
    with localcontext() as ctx:
        ctx.prec = 6
        ctx.rounding = ROUND_FLOOR
        second = score_kpr(k, policy)
    assert first == second
    assert str(first) == str(second)  # same digits, not merely numerically equal


@settings(deadline=None)
@given(
    items=st.lists(st.tuples(WEIGHTS, st.none() | SCORES), max_size=12),
    factor=st.decimals(min_value=Decimal("0.01"), max_value=1_000, places=2, allow_nan=False, allow_infinity=False),
)
def test_scaling_weights_leaves_results_score_unchanged(
    items: list[tuple[Decimal, Decimal | None]], factor: Decimal
) -> None:
    # With these bounds every product and sum is exact, so Σkw·s / Σkw and Σw·s / Σw are the same rational number
    # before the single rounding of the division: the results agree exactly, not just to the cent.
    scaled = [(weight * factor, score) for weight, score in items]
    assert results_score(scaled) == results_score(items)


@settings(deadline=None)
@given(items=st.lists(st.tuples(WEIGHTS, st.none() | SCORES), max_size=12))
def test_results_score_lies_between_the_scores(items: list[tuple[Decimal, Decimal | None]]) -> None:
    got = results_score(items)
    counted = [score for weight, score in items if score is not None and weight > 0]
    if not counted:
        assert got is None
        return
    assert got is not None
    assert min(counted) <= got <= max(counted)


@settings(deadline=None)
@given(children=st.lists(st.tuples(WEIGHTS, st.none() | PERCENTS), max_size=12))
def test_goal_progress_stays_within_0_and_100(children: list[tuple[Decimal, Decimal | None]]) -> None:
    got = goal_progress(children)
    if got is not None:
        assert 0 <= got <= 100


@settings(deadline=None)
@given(results=SCORES, manager=PERCENTS, self_=PERCENTS, split=st.tuples(PERCENTS, PERCENTS))
def test_final_score_is_a_weighted_mean(
    results: Decimal, manager: Decimal, self_: Decimal, split: tuple[Decimal, Decimal]
) -> None:
    low, high = sorted(split)
    components = {"results": low, "manager": high - low, "self": 100 - high}
    policy = Policy(components=components)
    got = final_score(results, manager, self_, policy)
    assert got is not None
    assert min(results, manager, self_) <= got <= max(results, manager, self_)
    rating = rating_for(got, policy)
    assert rating is not None  # the lowest default band starts at 0


@settings(deadline=None)
@given(value=st.decimals(min_value=-100_000, max_value=100_000, places=6, allow_nan=False, allow_infinity=False))
def test_round2_is_nearest_cent_half_up(value: Decimal) -> None:
    got = round2(value)
    assert got.as_tuple().exponent == -2
    assert abs(got - value) <= Decimal("0.005")
    assert round2(got) == got
    # half-up is symmetric about zero
    assert round2(-value) == -got
