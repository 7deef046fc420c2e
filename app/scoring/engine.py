"""The scoring engine: pure functions over exact decimals (DESIGN §4).

Nothing here does I/O or knows about HTTP, the ORM or pydantic, so the same figures come out wherever it is called
(stored evaluations, previews, as-of reads). Every function computes at full precision under a private decimal
context — never the caller's, which may have been changed — and only `round2` rounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import wraps
from types import MappingProxyType
from typing import ParamSpec, TypeVar

from app.core.enums import Curve, Direction

__all__ = [
    "DEFAULT_POLICY",
    "Band",
    "BandShare",
    "Curve",
    "Direction",
    "Guideline",
    "KprFigures",
    "KprResult",
    "Policy",
    "accumulate",
    "achievement_ratio",
    "definition_errors",
    "distribution",
    "exact",
    "final_rating",
    "final_score",
    "goal_progress",
    "goal_progress_of_sums",
    "peer_score",
    "rating_for",
    "results_score",
    "results_score_of_sums",
    "round2",
    "score_kpr",
]

# Far more digits than any stored Numeric carries, so products and sums of inputs are exact and only true quotients
# (e.g. 1/3) are ever rounded — identically on every run. Traps turn silent NaN/Infinity into loud errors.
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


_P = ParamSpec("_P")
_R = TypeVar("_R")


def exact(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` in the scoring context: exact products and sums, 40-digit quotients, loud NaN and overflow. The
    engine's and the reward arithmetic's one decimal context."""

    @wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(_CONTEXT):
            return func(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Band:
    rating: str
    min_score: Decimal


@dataclass(frozen=True)
class Guideline:
    """Allowed share of a rating, in percent of all evaluations in scope; None leaves that side open."""

    min_share: Decimal | None = None
    max_share: Decimal | None = None


def _default_components() -> Mapping[str, Decimal]:
    return {"results": Decimal(70), "manager": Decimal(30), "self": Decimal(0), "peer": Decimal(0)}


def _default_reward_coefficients() -> Mapping[str, Decimal]:
    return {"S": Decimal("1.5"), "A": Decimal("1.2"), "B": Decimal("1.0"), "C": Decimal("0.8"), "D": Decimal(0)}


_DEFAULT_BANDS = (
    Band("S", Decimal(110)),
    Band("A", Decimal(95)),
    Band("B", Decimal(80)),
    Band("C", Decimal(60)),
    Band("D", Decimal(0)),
)


@dataclass(frozen=True)
class Policy:
    """A cycle's scoring policy. Validation lives in `app.scoring.policy`; the engine trusts what it is given.

    The mappings are excluded from the hash (mappingproxy is unhashable) but not from equality, so equal policies
    still hash equally and a policy can key a cache.
    """

    curve: Curve = Curve.LINEAR
    cap: Decimal = Decimal(120)
    threshold_score: Decimal = Decimal(60)
    components: Mapping[str, Decimal] = field(default_factory=_default_components, hash=False)
    bands: tuple[Band, ...] = _DEFAULT_BANDS
    distribution: Mapping[str, Guideline] = field(default_factory=dict, hash=False)
    max_stretch: Decimal = Decimal(100)
    min_stretch: Decimal = Decimal(0)
    # §10: a peer score counts once this many feedback responses were submitted.
    peer_min_responses: int = 3
    # §3: an employee may appeal a finalized evaluation within this many days.
    appeal_days: int = 7
    # §11: a reward's multiplier for each final rating.
    reward_coefficients: Mapping[str, Decimal] = field(default_factory=_default_reward_coefficients, hash=False)
    # §12: a KPR without a check-in for this many days is a task; a task this many days overdue escalates.
    check_in_every_days: int = 14
    escalate_after_days: int = 3

    def __post_init__(self) -> None:
        # Copy into read-only views so a caller keeping a reference to the dict it passed cannot change a policy
        # that may already have scored (and been snapshotted with) an evaluation.
        object.__setattr__(self, "curve", Curve(self.curve))
        object.__setattr__(self, "components", MappingProxyType(dict(self.components)))
        object.__setattr__(self, "bands", tuple(self.bands))
        object.__setattr__(self, "distribution", MappingProxyType(dict(self.distribution)))
        object.__setattr__(self, "reward_coefficients", MappingProxyType(dict(self.reward_coefficients)))


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class KprFigures:
    direction: Direction
    baseline: Decimal
    target: Decimal
    threshold: Decimal | None = None
    stretch: Decimal | None = None
    tolerance: Decimal | None = None
    actual: Decimal | None = None  # None: no check-in yet, which DESIGN §4 scores as x = baseline
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class KprResult:
    """All three are None together when the KPR is not measurable (increase/decrease with target = baseline)."""

    achievement: Decimal | None
    progress: Decimal | None
    score: Decimal | None


@dataclass(frozen=True)
class BandShare:
    rating: str
    count: int
    share: Decimal  # percent, unrounded
    min_share: Decimal | None
    max_share: Decimal | None
    violated: bool


def _clean(value: Decimal) -> Decimal:
    # Zero divided by a negative span is -0, which would leak to JSON as "-0.0".
    return abs(value) if value.is_zero() else value


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return _clean(min(max(value, low), high))


@exact
def round2(value: Decimal) -> Decimal:
    """Half-up to the cent: the one rounding allowed, applied only when a figure leaves the service."""
    return _clean(value.quantize(_CENT, rounding=ROUND_HALF_UP))


@exact
def achievement_ratio(k: KprFigures) -> Decimal | None:
    x = k.baseline if k.actual is None else k.actual
    if Direction(k.direction) is Direction.MAINTAIN:
        tolerance = _ZERO if k.tolerance is None else k.tolerance
        return _ONE if abs(x - k.target) <= tolerance else _ZERO
    span = k.target - k.baseline
    if span.is_zero():
        return None
    # The sign of the span carries the direction, so increase and decrease share one formula.
    return _clean((x - k.baseline) / span)


def _ratio_of(value: Decimal, k: KprFigures) -> Decimal:
    return (value - k.baseline) / (k.target - k.baseline)


def _threshold_score(a: Decimal, k: KprFigures, policy: Policy) -> Decimal:
    # A threshold or stretch on the wrong side of the target is rejected on write (definition_errors); if one reaches
    # the engine anyway it is treated as unset rather than crashing a whole evaluation or scoring backwards.
    if a < _ONE:
        a_th = None if k.threshold is None else _ratio_of(k.threshold, k)
        if a_th is None or a_th >= _ONE:
            return _clamp(_HUNDRED * a, _ZERO, _HUNDRED)
        if a < a_th:
            return _ZERO
        return policy.threshold_score + (_HUNDRED - policy.threshold_score) * (a - a_th) / (_ONE - a_th)
    a_st = None if k.stretch is None else _ratio_of(k.stretch, k)
    if a_st is None or a_st <= _ONE:
        return min(_HUNDRED * a, policy.cap)
    if a > a_st:
        return policy.cap
    return _HUNDRED + (policy.cap - _HUNDRED) * (a - _ONE) / (a_st - _ONE)


@exact
def score_kpr(k: KprFigures, policy: Policy = DEFAULT_POLICY) -> KprResult:
    a = achievement_ratio(k)
    if a is None:
        return KprResult(achievement=None, progress=None, score=None)
    achievement = _clean(_HUNDRED * a)
    progress = _clamp(achievement, _ZERO, _HUNDRED)
    if Curve(policy.curve) is Curve.LINEAR:
        score = _clamp(achievement, _ZERO, policy.cap)
    elif Direction(k.direction) is Direction.MAINTAIN:
        # Threshold and stretch have no meaning for a pass/fail KPR.
        score = achievement
    else:
        score = _clean(_threshold_score(a, k, policy))
    return KprResult(achievement=achievement, progress=progress, score=score)


@exact
def definition_errors(
    direction: Direction | str,
    baseline: Decimal | None,
    target: Decimal | None,
    threshold: Decimal | None = None,
    stretch: Decimal | None = None,
    tolerance: Decimal | None = None,
) -> list[tuple[str, str]]:
    """(field, code) pairs for a KPR definition that cannot be scored as meant; empty when fine.

    Missing baseline/target are the schema's concern (and the SMART check's), so checks that need them are skipped.
    """
    errors: list[tuple[str, str]] = []
    kind = Direction(direction)
    if kind is not Direction.MAINTAIN and target is not None:
        if baseline is not None:
            if target == baseline:
                errors.append(("target", "TARGET_EQUALS_BASELINE"))
            elif (kind is Direction.INCREASE) != (target > baseline):
                errors.append(("target", "DIRECTION_MISMATCH"))
        ahead = 1 if kind is Direction.INCREASE else -1
        # A threshold may sit below the baseline (partial credit from the start), but must come before the target.
        if threshold is not None and (threshold - target) * ahead >= 0:
            errors.append(("threshold", "THRESHOLD_ORDER"))
        if stretch is not None and (stretch - target) * ahead <= 0:
            errors.append(("stretch", "STRETCH_ORDER"))
    if tolerance is not None and tolerance < 0:
        errors.append(("tolerance", "TOLERANCE_NEGATIVE"))
    return errors


def _weighted_mean(
    items: Iterable[tuple[Decimal, Decimal | None]], total: Decimal = _ZERO, total_weight: Decimal = _ZERO
) -> Decimal | None:
    """Σ w·v / Σ w over the items that have a value, starting from sums already taken (Σ w·v, Σ w)."""
    for weight, value in items:
        if value is None:
            continue
        total_weight += weight
        total += weight * value
    if total_weight.is_zero():
        return None
    return _clean(total / total_weight)


@exact
def results_score(items: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Σ w·s / Σ w over (weight, score); unscorable KPRs drop out rather than counting as 0."""
    return _weighted_mean(items)


@exact
def results_score_of_sums(weighted: Decimal | None, weight: Decimal | None) -> Decimal | None:
    """`results_score` from the sums (Σ w·s, Σ w) over the scorable KPRs, as a database aggregates them."""
    return _weighted_mean((), weighted or _ZERO, weight or _ZERO)


@exact
def final_score(
    results: Decimal | None,
    manager: Decimal | None,
    self_: Decimal | None,
    policy: Policy,
    peer: Decimal | None = None,
) -> Decimal | None:
    """Σ c_k·s_k / 100 over the weighted components (DESIGN §4).

    A weighted component without a score leaves no final score, except ``peer``: without a peer score (too few
    responses) its part is left out and the others are re-weighted, Σ_{k≠peer} c_k·s_k / Σ_{k≠peer} c_k.
    """
    total = _ZERO
    weights = _ZERO
    for name, score in (("results", results), ("manager", manager), ("self", self_), ("peer", peer)):
        weight = policy.components.get(name, _ZERO)
        if weight.is_zero():
            continue
        if score is None:
            if name == "peer":
                continue
            # A weighted component without a score would silently drag the final down, so there is no final yet.
            return None
        total += score * weight
        weights += weight
    if weights.is_zero():
        return None
    return _clean(total / weights)


@exact
def peer_score(scores: Iterable[Decimal], policy: Policy) -> Decimal | None:
    """The mean of the submitted feedback responses' scores (DESIGN §10); None while fewer than
    ``policy.peer_min_responses`` were submitted, which leaves the peer part out of ``final_score``."""
    values = list(scores)
    if not values or len(values) < policy.peer_min_responses:
        return None
    return _clean(sum(values, _ZERO) / len(values))


def _bands_by_score(policy: Policy) -> list[Band]:
    # Stable, so equal min_scores keep the policy's order.
    return sorted(policy.bands, key=lambda band: band.min_score, reverse=True)


@exact
def rating_for(final: Decimal | None, policy: Policy) -> str | None:
    if final is None:
        return None
    for band in _bands_by_score(policy):
        if final >= band.min_score:
            return band.rating
    return None


def final_rating(rating: str | None, calibrated: str | None) -> str | None:
    return calibrated or rating


@exact
def goal_progress(children: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Σ w·p / Σ w over (weight, progress) of child goals and aligned KPRs that have a progress."""
    return _weighted_mean(children)


@exact
def accumulate(weighted: Decimal, weight: Decimal, w: Decimal, value: Decimal) -> tuple[Decimal, Decimal]:
    """(Σ w·p, Σ w) with one more (weight, progress): the running sums of a goal's KPRs."""
    return weighted + w * value, weight + w


@exact
def goal_progress_of_sums(
    children: Iterable[tuple[Decimal, Decimal | None]], weighted: Decimal, weight: Decimal
) -> Decimal | None:
    """`goal_progress` over child goals (weight, progress) plus KPRs given as their sums (Σ w·p, Σ w), so a goal with
    thousands of aligned KPRs rolls up from one aggregate row."""
    return _weighted_mean(children, weighted, weight)


@exact
def distribution(final_ratings: Iterable[str | None], policy: Policy) -> tuple[int, list[BandShare]]:
    """(total, one BandShare per band, highest band first).

    Unrated evaluations still count in the total: a guideline such as "at most 10% S" is about the whole population
    in scope, not only the part that has been rated so far.
    """
    counts: dict[str, int] = {}
    total = 0
    for rating in final_ratings:
        total += 1
        if rating is not None:
            counts[rating] = counts.get(rating, 0) + 1
    shares: list[BandShare] = []
    for band in _bands_by_score(policy):
        count = counts.get(band.rating, 0)
        guideline = policy.distribution.get(band.rating, Guideline())
        share = _ZERO if total == 0 else _HUNDRED * count / total
        violated = total > 0 and (
            (guideline.min_share is not None and share < guideline.min_share)
            or (guideline.max_share is not None and share > guideline.max_share)
        )
        shares.append(
            BandShare(
                rating=band.rating,
                count=count,
                share=share,
                min_share=guideline.min_share,
                max_share=guideline.max_share,
                violated=violated,
            )
        )
    return total, shares
