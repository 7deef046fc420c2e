"""Table tests for the scoring engine. Every expected figure is worked by hand in the comment beside it."""

from dataclasses import FrozenInstanceError
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest

from app.scoring.engine import (
    DEFAULT_POLICY,
    Band,
    BandShare,
    Curve,
    Direction,
    Guideline,
    KprFigures,
    KprResult,
    Policy,
    achievement_ratio,
    definition_errors,
    distribution,
    final_rating,
    final_score,
    goal_progress,
    peer_score,
    rating_for,
    results_score,
    round2,
    score_kpr,
)

D = Decimal
INC = Direction.INCREASE
DEC = Direction.DECREASE
KEEP = Direction.MAINTAIN

THRESHOLD_POLICY = Policy(curve=Curve.THRESHOLD)  # cap 120, threshold_score 60


def kpr(
    direction: Direction,
    baseline: str,
    target: str,
    actual: str | None = None,
    *,
    threshold: str | None = None,
    stretch: str | None = None,
    tolerance: str | None = None,
) -> KprFigures:
    def dec(value: str | None) -> Decimal | None:
        return None if value is None else D(value)

    return KprFigures(
        direction=direction,
        baseline=D(baseline),
        target=D(target),
        actual=dec(actual),
        threshold=dec(threshold),
        stretch=dec(stretch),
        tolerance=dec(tolerance),
    )


def result(achievement: str, progress: str, score: str) -> KprResult:
    return KprResult(achievement=D(achievement), progress=D(progress), score=D(score))


# --- achievement ratio ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        # DESIGN worked example: (250 − 200) / (300 − 200) = 50 / 100
        pytest.param(kpr(INC, "200", "300", "250"), D("0.5"), id="design-example"),
        # (90 − 100) / (80 − 100) = −10 / −20
        pytest.param(kpr(DEC, "100", "80", "90"), D("0.5"), id="decrease"),
        # no check-in: x = b, so (200 − 200) / 100
        pytest.param(kpr(INC, "200", "300"), D("0"), id="no-check-in"),
        # |96 − 95| = 1 ≤ 2
        pytest.param(kpr(KEEP, "90", "95", "96", tolerance="2"), D("1"), id="maintain-in"),
        # |98 − 95| = 3 > 2
        pytest.param(kpr(KEEP, "90", "95", "98", tolerance="2"), D("0"), id="maintain-out"),
        # t = b: no span to measure along
        pytest.param(kpr(INC, "100", "100", "120"), None, id="target-equals-baseline"),
        pytest.param(kpr(DEC, "100", "100", "80"), None, id="target-equals-baseline-decrease"),
    ],
)
def test_achievement_ratio(figures: KprFigures, expected: Decimal | None) -> None:
    assert achievement_ratio(figures) == expected


# --- KPR scores, linear curve (cap 120) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        # a = 0.5 → achievement 50, progress 50, score clamp(50, 0, 120) = 50
        pytest.param(kpr(INC, "200", "300", "250"), result("50", "50", "50"), id="design-example"),
        # a = (90 − 100) / (80 − 100) = 0.5
        pytest.param(kpr(DEC, "100", "80", "90"), result("50", "50", "50"), id="decrease-half"),
        # a = (70 − 100) / (80 − 100) = 1.5 → 150; progress clamps to 100, score to the cap 120
        pytest.param(kpr(DEC, "100", "80", "70"), result("150", "100", "120"), id="decrease-beyond-cap"),
        # a = (110 − 0) / 100 = 1.1 → 110, under the cap
        pytest.param(kpr(INC, "0", "100", "110"), result("110", "100", "110"), id="above-target-under-cap"),
        # a = 1.3 → 130 → capped at 120
        pytest.param(kpr(INC, "0", "100", "130"), result("130", "100", "120"), id="above-target-capped"),
        # a = (150 − 200) / 100 = −0.5 → achievement −50; progress and score floor at 0
        pytest.param(kpr(INC, "200", "300", "150"), result("-50", "0", "0"), id="increase-negative"),
        # a = (110 − 100) / (80 − 100) = −0.5
        pytest.param(kpr(DEC, "100", "80", "110"), result("-50", "0", "0"), id="decrease-negative"),
        # no check-in: x = b → a = 0
        pytest.param(kpr(INC, "200", "300"), result("0", "0", "0"), id="no-check-in"),
        # x = b for a decrease gives 0 / −20, which must not come out as −0
        pytest.param(kpr(DEC, "100", "80", "100"), result("0", "0", "0"), id="decrease-at-baseline"),
        # exactly at target: a = 1
        pytest.param(kpr(INC, "200", "300", "300"), result("100", "100", "100"), id="at-target"),
        # maintain: |96.5 − 95| = 1.5 ≤ 2 → a = 1
        pytest.param(kpr(KEEP, "90", "95", "96.5", tolerance="2"), result("100", "100", "100"), id="maintain-in"),
        # |97 − 95| = 2 ≤ 2: the tolerance is inclusive
        pytest.param(kpr(KEEP, "90", "95", "97", tolerance="2"), result("100", "100", "100"), id="maintain-edge"),
        # |97.01 − 95| = 2.01 > 2 → a = 0
        pytest.param(kpr(KEEP, "90", "95", "97.01", tolerance="2"), result("0", "0", "0"), id="maintain-out"),
        # |93 − 95| = 2 ≤ 2 from below as well
        pytest.param(kpr(KEEP, "90", "95", "93", tolerance="2"), result("100", "100", "100"), id="maintain-below"),
        # tolerance None means 0: only the exact target passes
        pytest.param(kpr(KEEP, "90", "95", "95"), result("100", "100", "100"), id="maintain-exact"),
        pytest.param(kpr(KEEP, "90", "95", "95.001"), result("0", "0", "0"), id="maintain-no-tolerance"),
        # maintain with no check-in: x = b = 90, |90 − 95| = 5 > 2
        pytest.param(kpr(KEEP, "90", "95", tolerance="2"), result("0", "0", "0"), id="maintain-no-check-in"),
        # ... but b = 94 is already within 2 of 95
        pytest.param(kpr(KEEP, "94", "95", tolerance="2"), result("100", "100", "100"), id="maintain-baseline-ok"),
        # maintain has no span, so t = b is fine
        pytest.param(kpr(KEEP, "95", "95", "95"), result("100", "100", "100"), id="maintain-target-at-baseline"),
        # threshold and stretch mean nothing to the linear curve: a = 0.4 → 40
        pytest.param(
            kpr(INC, "0", "100", "40", threshold="50", stretch="150"), result("40", "40", "40"), id="linear-ignores"
        ),
    ],
)
def test_score_kpr_linear(figures: KprFigures, expected: KprResult) -> None:
    assert score_kpr(figures) == expected
    assert score_kpr(figures, DEFAULT_POLICY) == expected


def test_score_kpr_not_measurable() -> None:
    # t = b: nothing to score, and all three figures say so together
    assert score_kpr(kpr(INC, "100", "100", "150")) == KprResult(None, None, None)
    assert score_kpr(kpr(DEC, "100", "100", "50"), THRESHOLD_POLICY) == KprResult(None, None, None)


def test_score_kpr_repeating_fraction_rounds_only_on_output() -> None:
    # a = (1 − 0) / 3 → achievement 33.333…; round2 → 33.33, and 3 × the unrounded value is ≈ 100, not 99.99
    figures = score_kpr(kpr(INC, "0", "3", "1"))
    assert figures.achievement is not None
    assert round2(figures.achievement) == D("33.33")
    assert round2(figures.achievement * 3) == D("100.00")


def test_linear_cap_follows_policy() -> None:
    # a = 1.3 → 130, capped at the policy's 100 (progress is always capped at 100)
    policy = Policy(cap=D(100))
    assert score_kpr(kpr(INC, "0", "100", "130"), policy) == result("130", "100", "100")


# --- KPR scores, threshold curve (cap 120, threshold_score 60) ------------------------------------------------------

# increase b = 0, t = 100, threshold 50, stretch 150 → a_th = 0.5, a_st = 1.5
_INC_CURVE = {"threshold": "50", "stretch": "150"}
# decrease b = 100, t = 80, threshold 90, stretch 70 → a_th = (90 − 100)/(−20) = 0.5, a_st = (70 − 100)/(−20) = 1.5
_DEC_CURVE = {"threshold": "90", "stretch": "70"}


@pytest.mark.parametrize(
    ("figures", "expected_score"),
    [
        # a = 0.4 < a_th = 0.5 → 0
        pytest.param(kpr(INC, "0", "100", "40", **_INC_CURVE), "0", id="below-threshold"),
        # a = 0.49 still below → 0 (no partial credit before the threshold)
        pytest.param(kpr(INC, "0", "100", "49", **_INC_CURVE), "0", id="just-below-threshold"),
        # a = a_th → threshold_score = 60
        pytest.param(kpr(INC, "0", "100", "50", **_INC_CURVE), "60", id="at-threshold"),
        # 60 + 40 · (0.75 − 0.5) / (1 − 0.5) = 60 + 20 = 80
        pytest.param(kpr(INC, "0", "100", "75", **_INC_CURVE), "80", id="between-threshold-and-target"),
        # 60 + 40 · (1 − 0.5) / 0.5 = 100
        pytest.param(kpr(INC, "0", "100", "100", **_INC_CURVE), "100", id="at-target"),
        # 100 + (120 − 100) · (1.25 − 1) / (1.5 − 1) = 100 + 10 = 110
        pytest.param(kpr(INC, "0", "100", "125", **_INC_CURVE), "110", id="between-target-and-stretch"),
        # 100 + 20 · 0.5 / 0.5 = 120 = cap
        pytest.param(kpr(INC, "0", "100", "150", **_INC_CURVE), "120", id="at-stretch"),
        # a = 2 > a_st → cap
        pytest.param(kpr(INC, "0", "100", "200", **_INC_CURVE), "120", id="above-stretch"),
        # no check-in: a = 0 < a_th → 0
        pytest.param(kpr(INC, "0", "100", **_INC_CURVE), "0", id="no-check-in"),
        # decrease, a = (85 − 100)/(−20) = 0.75 → 60 + 40 · 0.25 / 0.5 = 80
        pytest.param(kpr(DEC, "100", "80", "85", **_DEC_CURVE), "80", id="decrease-between"),
        # decrease, a = (95 − 100)/(−20) = 0.25 < 0.5 → 0
        pytest.param(kpr(DEC, "100", "80", "95", **_DEC_CURVE), "0", id="decrease-below-threshold"),
        # decrease, a = (75 − 100)/(−20) = 1.25 → 100 + 20 · 0.25 / 0.5 = 110
        pytest.param(kpr(DEC, "100", "80", "75", **_DEC_CURVE), "110", id="decrease-above-target"),
        # decrease, a = (60 − 100)/(−20) = 2 > 1.5 → cap
        pytest.param(kpr(DEC, "100", "80", "60", **_DEC_CURVE), "120", id="decrease-above-stretch"),
        # no threshold: 100 · a below target, a = 0.4 → 40
        pytest.param(kpr(INC, "0", "100", "40", stretch="150"), "40", id="no-threshold"),
        # no threshold, a = −0.1 → floored at 0
        pytest.param(kpr(INC, "0", "100", "-10", stretch="150"), "0", id="no-threshold-negative"),
        # no stretch: min(100 · 1.1, 120) = 110
        pytest.param(kpr(INC, "0", "100", "110", threshold="50"), "110", id="no-stretch"),
        # no stretch: min(100 · 1.3, 120) = 120
        pytest.param(kpr(INC, "0", "100", "130", threshold="50"), "120", id="no-stretch-capped"),
        # neither set: same as linear, a = 0.4 → 40 and a = 1.3 → 120
        pytest.param(kpr(INC, "0", "100", "40"), "40", id="neither-below"),
        pytest.param(kpr(INC, "0", "100", "130"), "120", id="neither-above"),
        # threshold below the baseline gives credit from the start: a_th = (80 − 100)/100 = −0.2, a = 0 →
        # 60 + 40 · 0.2 / 1.2 = 66.666…
        pytest.param(kpr(INC, "100", "200", threshold="80"), "66.67", id="threshold-below-baseline"),
        # maintain is pass/fail under either curve: |96 − 95| ≤ 2 → 100, |99 − 95| > 2 → 0
        pytest.param(kpr(KEEP, "90", "95", "96", tolerance="2", threshold="1"), "100", id="maintain-pass"),
        pytest.param(kpr(KEEP, "90", "95", "99", tolerance="2", stretch="200"), "0", id="maintain-fail"),
        # out-of-order threshold (above the target) is treated as unset rather than scoring backwards: a = 0.5 → 50
        pytest.param(kpr(INC, "0", "100", "50", threshold="150"), "50", id="bad-threshold-ignored"),
        # out-of-order stretch (below the target) likewise: min(110, 120) = 110
        pytest.param(kpr(INC, "0", "100", "110", stretch="80"), "110", id="bad-stretch-ignored"),
    ],
)
def test_score_kpr_threshold_curve(figures: KprFigures, expected_score: str) -> None:
    score = score_kpr(figures, THRESHOLD_POLICY).score
    assert score is not None
    assert round2(score) == D(expected_score)


def test_threshold_curve_achievement_and_progress_unchanged() -> None:
    # The curve only reshapes the score; a = 0.4 is still achievement 40 and progress 40.
    assert score_kpr(kpr(INC, "0", "100", "40", **_INC_CURVE), THRESHOLD_POLICY) == result("40", "40", "0")


def test_threshold_curve_follows_policy() -> None:
    policy = Policy(curve=Curve.THRESHOLD, threshold_score=D(50), cap=D(150))
    figures = {"threshold": "60", "stretch": "200"}  # a_th = 0.6, a_st = 2
    # 50 + 50 · (0.8 − 0.6) / 0.4 = 75
    assert score_kpr(kpr(INC, "0", "100", "80", **figures), policy).score == D(75)
    # 100 + 50 · (1.5 − 1) / 1 = 125
    assert score_kpr(kpr(INC, "0", "100", "150", **figures), policy).score == D(125)
    # a = 3 > a_st → cap 150
    assert score_kpr(kpr(INC, "0", "100", "300", **figures), policy).score == D(150)


def test_curve_given_as_plain_string() -> None:
    policy = Policy(curve="threshold")  # type: ignore[arg-type]
    assert policy.curve is Curve.THRESHOLD
    assert score_kpr(kpr(INC, "0", "100", "40", **_INC_CURVE), policy).score == D(0)


# --- definition errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param((INC, "200", "300", None, None, None), [], id="increase-ok"),
        pytest.param((DEC, "100", "80", None, None, None), [], id="decrease-ok"),
        pytest.param((INC, "300", "300", None, None, None), [("target", "TARGET_EQUALS_BASELINE")], id="inc-t-eq-b"),
        pytest.param((DEC, "80", "80", None, None, None), [("target", "TARGET_EQUALS_BASELINE")], id="dec-t-eq-b"),
        pytest.param((INC, "300", "200", None, None, None), [("target", "DIRECTION_MISMATCH")], id="inc-downward"),
        pytest.param((DEC, "100", "120", None, None, None), [("target", "DIRECTION_MISMATCH")], id="dec-upward"),
        # maintain may hold any level, including the current one
        pytest.param((KEEP, "95", "95", None, None, None), [], id="maintain-t-eq-b"),
        pytest.param((KEEP, "100", "95", None, None, "2"), [], id="maintain-below-baseline"),
        # a threshold must come strictly before the target; below the baseline is allowed
        pytest.param((INC, "0", "100", "50", None, None), [], id="inc-threshold-ok"),
        pytest.param((INC, "0", "100", "-10", None, None), [], id="inc-threshold-below-baseline"),
        pytest.param((INC, "0", "100", "100", None, None), [("threshold", "THRESHOLD_ORDER")], id="inc-th-at-t"),
        pytest.param((INC, "0", "100", "120", None, None), [("threshold", "THRESHOLD_ORDER")], id="inc-th-past-t"),
        pytest.param((DEC, "100", "80", "90", None, None), [], id="dec-threshold-ok"),
        pytest.param((DEC, "100", "80", "70", None, None), [("threshold", "THRESHOLD_ORDER")], id="dec-th-past-t"),
        # a stretch must lie strictly beyond the target
        pytest.param((INC, "0", "100", None, "150", None), [], id="inc-stretch-ok"),
        pytest.param((INC, "0", "100", None, "100", None), [("stretch", "STRETCH_ORDER")], id="inc-st-at-t"),
        pytest.param((INC, "0", "100", None, "90", None), [("stretch", "STRETCH_ORDER")], id="inc-st-short"),
        pytest.param((DEC, "100", "80", None, "70", None), [], id="dec-stretch-ok"),
        pytest.param((DEC, "100", "80", None, "85", None), [("stretch", "STRETCH_ORDER")], id="dec-st-short"),
        # maintain ignores threshold and stretch whatever they are
        pytest.param((KEEP, "90", "95", "200", "0", "1"), [], id="maintain-ignores-curve"),
        pytest.param((KEEP, "90", "95", None, None, "0"), [], id="tolerance-zero"),
        pytest.param((KEEP, "90", "95", None, None, "-1"), [("tolerance", "TOLERANCE_NEGATIVE")], id="tolerance-neg"),
        # every problem is reported, not just the first
        pytest.param(
            (INC, "300", "200", "250", "150", "-1"),
            [
                ("target", "DIRECTION_MISMATCH"),
                ("threshold", "THRESHOLD_ORDER"),
                ("stretch", "STRETCH_ORDER"),
                ("tolerance", "TOLERANCE_NEGATIVE"),
            ],
            id="all-at-once",
        ),
        # a missing baseline is the schema's business; ordering against the target is still checked
        pytest.param(("increase", None, "100", "120", None, None), [("threshold", "THRESHOLD_ORDER")], id="no-base"),
        pytest.param(("decrease", "100", None, "120", "50", None), [], id="no-target"),
    ],
)
def test_definition_errors(
    args: tuple[Direction | str, str | None, str | None, str | None, str | None, str | None],
    expected: list[tuple[str, str]],
) -> None:
    direction, *numbers = args
    baseline, target, threshold, stretch, tolerance = (None if n is None else D(n) for n in numbers)
    assert definition_errors(direction, baseline, target, threshold, stretch, tolerance) == expected


# --- results score --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # (40 · 100 + 60 · 50) / (40 + 60) = 7000 / 100
        pytest.param([("40", "100"), ("60", "50")], "70", id="weighted"),
        # the unscorable KPR drops out with its weight: (80 + 60) / 2
        pytest.param([("1", "80"), ("3", None), ("1", "60")], "70", id="skips-none"),
        # (1 · 0 + 2 · 120) / 3 = 80
        pytest.param([("1", "0"), ("2", "120")], "80", id="uneven"),
        # 4 / 3 = 1.333… → 1.33
        pytest.param([("1", "1"), ("1", "1"), ("1", "2")], "1.33", id="repeating"),
        # 33.33 + 33.33 + 33.34 weights: (33.33 · 90 + 33.33 · 60 + 33.34 · 30) / 100 = (2999.7 + 1999.8 + 1000.2)/100
        pytest.param([("33.33", "90"), ("33.33", "60"), ("33.34", "30")], "59.997", id="fractional-weights"),
        pytest.param([("0", "80")], None, id="zero-weight"),
        pytest.param([("2", None)], None, id="nothing-scored"),
        pytest.param([], None, id="empty"),
    ],
)
def test_results_score(items: list[tuple[str, str | None]], expected: str | None) -> None:
    got = results_score((D(w), None if s is None else D(s)) for w, s in items)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert round2(got) == round2(D(expected))


def test_results_score_is_exact_until_output() -> None:
    # (33.33·90 + 33.33·60 + 33.34·30) / 100 = 5999.7 / 100 = 59.997 exactly; rounding only at the end gives 60.00
    got = results_score([(D("33.33"), D(90)), (D("33.33"), D(60)), (D("33.34"), D(30))])
    assert got == D("59.997")
    assert round2(D("59.997")) == D("60.00")


# --- final score ----------------------------------------------------------------------------------------------------

_EVEN_SPLIT = Policy(components={"results": D(60), "manager": D(20), "self": D(20)})
_RESULTS_ONLY = Policy(components={"results": D(100), "manager": D(0), "self": D(0)})


@pytest.mark.parametrize(
    ("scores", "policy", "expected"),
    [
        # default 70/30/0: (80 · 70 + 90 · 30) / 100 = (5600 + 2700) / 100 = 83; self has weight 0 so None is fine
        pytest.param(("80", "90", None), DEFAULT_POLICY, "83", id="default-components"),
        # self weight 0 and a self score given: still ignored
        pytest.param(("80", "90", "10"), DEFAULT_POLICY, "83", id="self-weight-zero-ignored"),
        pytest.param(("80", None, None), DEFAULT_POLICY, None, id="missing-manager"),
        pytest.param((None, "90", None), DEFAULT_POLICY, None, id="missing-results"),
        # 60/20/20: (80 · 60 + 90 · 20 + 100 · 20) / 100 = (4800 + 1800 + 2000) / 100 = 86
        pytest.param(("80", "90", "100"), _EVEN_SPLIT, "86", id="three-components"),
        pytest.param(("80", "90", None), _EVEN_SPLIT, None, id="missing-weighted-self"),
        # manager weight 0: a missing manager score does not block
        pytest.param(("80", None, None), _RESULTS_ONLY, "80", id="results-only"),
        # 70/30: (112.5 · 70 + 95 · 30) / 100 = (7875 + 2850) / 100 = 107.25
        pytest.param(("112.5", "95", None), DEFAULT_POLICY, "107.25", id="fractional"),
    ],
)
def test_final_score(scores: tuple[str | None, ...], policy: Policy, expected: str | None) -> None:
    results, manager, self_ = (None if s is None else D(s) for s in scores)
    got = final_score(results, manager, self_, policy)
    assert got == (None if expected is None else D(expected))


_WITH_PEER = Policy(components={"results": D(60), "manager": D(20), "self": D(0), "peer": D(20)})


@pytest.mark.parametrize(
    ("scores", "policy", "expected"),
    [
        # 60/20/0/20: (80 · 60 + 90 · 20 + 70 · 20) / 100 = (4800 + 1800 + 1400) / 100 = 80
        pytest.param(("80", "90", "70"), _WITH_PEER, "80", id="peer-counted"),
        # no peer score (too few responses): the peer part is left out and the rest re-weighted:
        # (80 · 60 + 90 · 20) / (60 + 20) = 6600 / 80 = 82.5
        pytest.param(("80", "90", None), _WITH_PEER, "82.5", id="peer-missing-reweighted"),
        # a missing manager score still leaves no final, with or without peers
        pytest.param(("80", None, "70"), _WITH_PEER, None, id="manager-missing"),
        # peer weight 0 (the default): a peer score changes nothing, (80 · 70 + 90 · 30) / 100 = 83
        pytest.param(("80", "90", "10"), DEFAULT_POLICY, "83", id="peer-weight-zero-ignored"),
        # all of the weight on peers and none submitted: nothing to score
        pytest.param(
            ("80", "90", None),
            Policy(components={"results": D(0), "manager": D(0), "self": D(0), "peer": D(100)}),
            None,
            id="peer-only-missing",
        ),
    ],
)
def test_final_score_with_peer(scores: tuple[str | None, ...], policy: Policy, expected: str | None) -> None:
    results, manager, peer = (None if s is None else D(s) for s in scores)
    got = final_score(results, manager, None, policy, peer)
    assert got == (None if expected is None else D(expected))


@pytest.mark.parametrize(
    ("scores", "minimum", "expected"),
    [
        # three responses, three needed: (80 + 90 + 100) / 3 = 90
        pytest.param(("80", "90", "100"), 3, "90", id="enough"),
        # two of three needed: no peer score yet
        pytest.param(("80", "90"), 3, None, id="too-few"),
        pytest.param((), 1, None, id="none"),
        # 100 / 3 to the engine's 40 digits, unrounded: the one rounding happens on output
        pytest.param(("0", "0", "100"), 3, "33." + "3" * 38, id="a-true-quotient"),
        pytest.param(("0", "66.665"), 1, "33.3325", id="half-cent-kept"),
        pytest.param(("0", "0", "0"), 2, "0", id="zero-is-a-score"),
    ],
)
def test_peer_score(scores: tuple[str, ...], minimum: int, expected: str | None) -> None:
    policy = Policy(peer_min_responses=minimum)
    got = peer_score((D(s) for s in scores), policy)
    assert got == (None if expected is None else D(expected))


# --- ratings --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("final", "expected"),
    [
        # default bands: S ≥ 110, A ≥ 95, B ≥ 80, C ≥ 60, D ≥ 0; each min_score is inclusive
        pytest.param("200", "S", id="far-above"),
        pytest.param("110", "S", id="exactly-S"),
        pytest.param("109.99", "A", id="just-below-S"),
        pytest.param("95", "A", id="exactly-A"),
        pytest.param("94.999", "B", id="just-below-A"),
        pytest.param("80", "B", id="exactly-B"),
        pytest.param("60", "C", id="exactly-C"),
        pytest.param("59.99", "D", id="just-below-C"),
        pytest.param("0", "D", id="zero"),
        pytest.param("-1", None, id="below-every-band"),
        pytest.param(None, None, id="no-final"),
    ],
)
def test_rating_for(final: str | None, expected: str | None) -> None:
    assert rating_for(None if final is None else D(final), DEFAULT_POLICY) == expected


def test_rating_for_sorts_bands_by_min_score() -> None:
    # Bands listed lowest first still rate from the top: 60 ≥ 50 → "high", not "low".
    policy = Policy(bands=(Band("low", D(0)), Band("high", D(50))))
    assert rating_for(D(60), policy) == "high"
    assert rating_for(D("49.5"), policy) == "low"


@pytest.mark.parametrize(
    ("rating", "calibrated", "expected"),
    [
        pytest.param("A", None, "A", id="uncalibrated"),
        pytest.param("A", "S", "S", id="calibrated-up"),
        pytest.param("A", "B", "B", id="calibrated-down"),
        pytest.param(None, "B", "B", id="calibrated-without-score"),
        pytest.param(None, None, None, id="nothing"),
    ],
)
def test_final_rating(rating: str | None, calibrated: str | None, expected: str | None) -> None:
    assert final_rating(rating, calibrated) == expected


# --- goal progress --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        # (50 + 100) / 2
        pytest.param([("1", "50"), ("1", "100")], "75", id="equal-weights"),
        # (1 · 0 + 3 · 100) / 4
        pytest.param([("1", "0"), ("3", "100")], "75", id="weighted"),
        # the child without progress drops out: (2 · 30 + 2 · 70) / 4 = 50
        pytest.param([("2", "30"), ("1", None), ("2", "70")], "50", id="skips-none"),
        pytest.param([("1", None)], None, id="no-progress"),
        pytest.param([], None, id="no-children"),
        pytest.param([("0", "50")], None, id="zero-weight"),
        # (1 · 10 + 2 · 20) / 3 = 16.666… → 16.67
        pytest.param([("1", "10"), ("2", "20")], "16.67", id="repeating"),
    ],
)
def test_goal_progress(children: list[tuple[str, str | None]], expected: str | None) -> None:
    got = goal_progress((D(w), None if p is None else D(p)) for w, p in children)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert round2(got) == D(expected)


# --- distribution ---------------------------------------------------------------------------------------------------

_GUIDED = Policy(
    distribution={
        "S": Guideline(max_share=D(10)),
        "A": Guideline(min_share=D(10), max_share=D(30)),
        "D": Guideline(min_share=D(5)),
    }
)


def test_distribution_counts_shares_and_violations() -> None:
    # 10 evaluations: S 2, A 2, B 3, C 2, one not rated yet.
    ratings = ["S", "S", "A", "B", "B", "B", "C", "C", None, "A"]
    total, shares = distribution(ratings, _GUIDED)
    assert total == 10
    assert shares == [
        BandShare("S", 2, D(20), None, D(10), violated=True),  # 2/10 = 20% > 10%
        BandShare("A", 2, D(20), D(10), D(30), violated=False),  # 20% within 10..30
        BandShare("B", 3, D(30), None, None, violated=False),  # no guideline, never violated
        BandShare("C", 2, D(20), None, None, violated=False),
        BandShare("D", 0, D(0), D(5), None, violated=True),  # 0% < 5%
    ]


def test_distribution_bounds_are_inclusive() -> None:
    # 1 S of 10 = 10% = max_share: allowed. 1 A of 10 = 10% = min_share: allowed.
    ratings = ["S", "A", "B", "B", "B", "B", "B", "B", "D", "D"]
    _, shares = distribution(ratings, _GUIDED)
    assert [(s.rating, s.share, s.violated) for s in shares] == [
        ("S", D(10), False),
        ("A", D(10), False),
        ("B", D(60), False),
        ("C", D(0), False),
        ("D", D(20), False),
    ]


def test_distribution_share_is_unrounded() -> None:
    # 1 of 3 = 33.333…%, just over a 33.33% maximum
    policy = Policy(distribution={"S": Guideline(max_share=D("33.33"))})
    _, shares = distribution(["S", "A", "B"], policy)
    assert shares[0].violated is True
    assert round2(shares[0].share) == D("33.33")


def test_distribution_empty_scope() -> None:
    # no evaluations: every share is 0 and no guideline can be judged, so none is violated
    total, shares = distribution([], _GUIDED)
    assert total == 0
    assert all(s.count == 0 and s.share == 0 and not s.violated for s in shares)
    assert [s.rating for s in shares] == ["S", "A", "B", "C", "D"]


def test_distribution_unknown_rating_counts_in_total_only() -> None:
    # "X" is no band: 1 S of 2 = 50%
    total, shares = distribution(["S", "X"], DEFAULT_POLICY)
    assert total == 2
    assert shares[0] == BandShare("S", 1, D(50), None, None, violated=False)
    assert sum(s.count for s in shares) == 1


# --- rounding -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.345", "2.35"),  # half goes up
        ("2.344", "2.34"),
        ("2.3449999", "2.34"),  # no double rounding via 2.345
        ("2.365", "2.37"),  # banker's rounding would give 2.36
        ("0.005", "0.01"),
        ("-2.345", "-2.35"),  # half away from zero for negatives
        ("-2.344", "-2.34"),
        ("-0.001", "0.00"),  # and never a negative zero
        ("1", "1.00"),
        ("123456789.125", "123456789.13"),
    ],
)
def test_round2(value: str, expected: str) -> None:
    got = round2(D(value))
    assert got == D(expected)
    assert str(got) == expected  # two places, and "-0.00" would fail here


def test_caller_context_does_not_leak_in() -> None:
    # A caller that lowered precision or changed rounding must not change any figure.
    figures = kpr(INC, "0", "3", "1", threshold="0.5", stretch="4")
    expected = score_kpr(figures, THRESHOLD_POLICY)
    mean = results_score([(D(1), D(1)), (D(2), D(2))])
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = ROUND_DOWN
        assert score_kpr(figures, THRESHOLD_POLICY) == expected
        assert round2(D("1234.565")) == D("1234.57")
        assert results_score([(D(1), D(1)), (D(2), D(2))]) == mean


# --- policy value object --------------------------------------------------------------------------------------------


def test_default_policy_matches_design() -> None:
    assert DEFAULT_POLICY.curve is Curve.LINEAR
    assert DEFAULT_POLICY.cap == 120
    assert DEFAULT_POLICY.threshold_score == 60
    assert dict(DEFAULT_POLICY.components) == {"results": 70, "manager": 30, "self": 0, "peer": 0}
    assert [(b.rating, b.min_score) for b in DEFAULT_POLICY.bands] == [
        ("S", D(110)),
        ("A", D(95)),
        ("B", D(80)),
        ("C", D(60)),
        ("D", D(0)),
    ]
    assert dict(DEFAULT_POLICY.distribution) == {}
    assert (DEFAULT_POLICY.max_stretch, DEFAULT_POLICY.min_stretch) == (D(100), D(0))
    assert (DEFAULT_POLICY.peer_min_responses, DEFAULT_POLICY.appeal_days) == (3, 7)
    assert dict(DEFAULT_POLICY.reward_coefficients) == {"S": D("1.5"), "A": D("1.2"), "B": 1, "C": D("0.8"), "D": 0}
    assert (DEFAULT_POLICY.check_in_every_days, DEFAULT_POLICY.escalate_after_days) == (14, 3)


def test_policy_is_immutable_and_hashable() -> None:
    components = {"results": D(100), "manager": D(0), "self": D(0)}
    policy = Policy(components=components, bands=[Band("A", D(0))])  # type: ignore[arg-type]
    components["results"] = D(0)  # the caller's dict is copied, not shared
    assert policy.components["results"] == 100
    assert isinstance(policy.bands, tuple)
    with pytest.raises(TypeError):
        policy.components["results"] = D(1)  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        policy.cap = D(200)  # type: ignore[misc]
    same = Policy(components={"results": D(100), "manager": D(0), "self": D(0)}, bands=(Band("A", D(0)),))
    assert policy == same
    assert hash(policy) == hash(same)
    assert Policy() == DEFAULT_POLICY
