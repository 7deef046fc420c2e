"""Validation of a cycle's `policy` JSON (DESIGN §4) and its conversion to the engine's `Policy`.

Defaults come from `engine.DEFAULT_POLICY`, so a stored `{}` and a missing policy score exactly like the engine's
default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from app.core.schemas import JSON_NUMBER, NOT_BLANK, STORED
from app.scoring import engine

__all__ = ["PRICED", "BandIn", "ComponentsIn", "GuidelineIn", "PolicyIn", "policy_from_json"]

MAX_BANDS = 20

# At most 12 significant digits, 4 after the point: every such value survives the trip through a JSON float and back
# unchanged (floats hold 15), which is what lets a stored policy re-score to the cent.
PolicyDecimal = Annotated[
    Decimal,
    Field(allow_inf_nan=False, max_digits=12, decimal_places=4),
    *JSON_NUMBER,
    PlainSerializer(float, return_type=float, when_used="json"),
]
Percent = Annotated[PolicyDecimal, Field(ge=0, le=100)]
Rating = Annotated[str, StringConstraints(min_length=1, max_length=16), NOT_BLANK]
Days = Annotated[int, Field(ge=0, le=366)]
Coefficient = Annotated[PolicyDecimal, Field(ge=0, le=100)]

_DEFAULT = engine.DEFAULT_POLICY


class BandIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    rating: Rating
    min_score: Annotated[PolicyDecimal, Field(ge=0, le=1000)]


class GuidelineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    min_share: Percent | None = None
    max_share: Percent | None = None

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Self:
        if self.min_share is not None and self.max_share is not None and self.min_share > self.max_share:
            raise ValueError(f"min_share ({self.min_share}) must not exceed max_share ({self.max_share})")
        return self


class ComponentsIn(BaseModel):
    """Percent weights of the final score's parts; they must total exactly 100."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    results: Percent = _DEFAULT.components["results"]
    manager: Percent = _DEFAULT.components["manager"]
    self: Percent = _DEFAULT.components["self"]
    # §10: the mean of the submitted feedback responses; left out (the others re-weighted) while too few were submitted.
    peer: Percent = _DEFAULT.components["peer"]

    @model_validator(mode="after")
    def _total_is_100(self) -> Self:
        total = self.results + self.manager + self.self + self.peer
        if total != 100:
            raise ValueError(
                f"components must total 100, got {total} "
                f"(results {self.results} + manager {self.manager} + self {self.self} + peer {self.peer})"
            )
        return self


def _default_bands() -> list[BandIn]:
    return [BandIn(rating=band.rating, min_score=band.min_score) for band in _DEFAULT.bands]


class PolicyIn(BaseModel):
    # A stored policy is always written whole (defaults filled in): required in responses, optional in requests.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_serialization_defaults_required=True,
        json_schema_extra={
            "examples": [
                {
                    "curve": "threshold",
                    "cap": 120,
                    "threshold_score": 60,
                    "components": {"results": 70, "manager": 30, "self": 0},
                    "bands": [
                        {"rating": "S", "min_score": 110},
                        {"rating": "A", "min_score": 95},
                        {"rating": "B", "min_score": 80},
                        {"rating": "C", "min_score": 60},
                        {"rating": "D", "min_score": 0},
                    ],
                    "distribution": {"S": {"max_share": 10}, "D": {"min_share": 5}},
                    "max_stretch": 100,
                    "min_stretch": 0,
                    "peer_min_responses": 3,
                    "appeal_days": 7,
                    "reward_coefficients": {"S": 1.5, "A": 1.2, "B": 1.0, "C": 0.8, "D": 0},
                    "check_in_every_days": 14,
                    "escalate_after_days": 3,
                }
            ]
        },
    )

    curve: engine.Curve = _DEFAULT.curve
    # Below 100 the threshold curve would fall between target and stretch.
    cap: Annotated[PolicyDecimal, Field(ge=100, le=1000)] = _DEFAULT.cap
    threshold_score: Percent = _DEFAULT.threshold_score
    components: ComponentsIn = Field(default_factory=ComponentsIn)
    bands: list[BandIn] = Field(default_factory=_default_bands, min_length=1, max_length=MAX_BANDS)
    distribution: dict[Rating, GuidelineIn] = Field(default_factory=dict, max_length=MAX_BANDS)
    max_stretch: Annotated[PolicyDecimal, Field(gt=0)] = _DEFAULT.max_stretch
    min_stretch: Annotated[PolicyDecimal, Field(ge=0)] = _DEFAULT.min_stretch
    peer_min_responses: Annotated[int, Field(ge=1, le=100)] = _DEFAULT.peer_min_responses
    appeal_days: Days = _DEFAULT.appeal_days
    reward_coefficients: dict[Rating, Coefficient] = Field(
        default_factory=lambda: dict(_DEFAULT.reward_coefficients), max_length=MAX_BANDS
    )
    check_in_every_days: Annotated[int, Field(ge=1, le=366)] = _DEFAULT.check_in_every_days
    escalate_after_days: Days = _DEFAULT.escalate_after_days

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        ratings = [band.rating for band in self.bands]
        duplicates = sorted({rating for rating in ratings if ratings.count(rating) > 1})
        if duplicates:
            raise ValueError(f"band ratings must be unique; repeated: {', '.join(duplicates)}")
        # Requiring the stored order to be the evaluation order keeps what HR reads identical to what is applied.
        for higher, lower in zip(self.bands, self.bands[1:], strict=False):
            if lower.min_score >= higher.min_score:
                raise ValueError(
                    "bands must be listed by min_score strictly descending: "
                    f"{lower.rating} ({lower.min_score}) is not below {higher.rating} ({higher.min_score})"
                )
        unknown = sorted(set(self.distribution) - set(ratings))
        if unknown:
            raise ValueError(f"distribution names ratings that are not bands: {', '.join(unknown)}")
        if "reward_coefficients" not in self.model_fields_set:
            # Left to the defaults: they apply to the bands that carry their names (custom bands need their own).
            self.reward_coefficients = {
                rating: value for rating, value in self.reward_coefficients.items() if rating in ratings
            }
        missing = [rating for rating in ratings if rating not in self.reward_coefficients]
        # A policy stored before coefficients existed still reads (a reward run skips the ratings it cannot price);
        # a change of its bands or coefficients is held to the rule (``PRICED``).
        context = info.context or {}
        if missing and (not context.get("stored") or context.get("priced")):
            raise ValueError(f"reward_coefficients needs a coefficient for every band; missing: {', '.join(missing)}")
        extra = sorted(set(self.reward_coefficients) - set(ratings))
        if extra:
            raise ValueError(f"reward_coefficients names ratings that are not bands: {', '.join(extra)}")
        if self.min_stretch >= self.max_stretch:
            raise ValueError(f"min_stretch ({self.min_stretch}) must be below max_stretch ({self.max_stretch})")
        return self

    def to_engine(self) -> engine.Policy:
        return engine.Policy(
            curve=self.curve,
            cap=self.cap,
            threshold_score=self.threshold_score,
            components={
                "results": self.components.results,
                "manager": self.components.manager,
                "self": self.components.self,
                "peer": self.components.peer,
            },
            bands=tuple(engine.Band(rating=band.rating, min_score=band.min_score) for band in self.bands),
            distribution={
                rating: engine.Guideline(min_share=guideline.min_share, max_share=guideline.max_share)
                for rating, guideline in self.distribution.items()
            },
            max_stretch=self.max_stretch,
            min_stretch=self.min_stretch,
            peer_min_responses=self.peer_min_responses,
            appeal_days=self.appeal_days,
            reward_coefficients=dict(self.reward_coefficients),
            check_in_every_days=self.check_in_every_days,
            escalate_after_days=self.escalate_after_days,
        )

    @classmethod
    def from_engine(cls, policy: engine.Policy) -> PolicyIn:
        """The validated form of an engine policy, e.g. to snapshot the policy that scored an evaluation."""
        return cls.model_validate(
            {
                "curve": policy.curve,
                "cap": policy.cap,
                "threshold_score": policy.threshold_score,
                "components": dict(policy.components),
                "bands": [{"rating": band.rating, "min_score": band.min_score} for band in policy.bands],
                "distribution": {
                    rating: {"min_share": guideline.min_share, "max_share": guideline.max_share}
                    for rating, guideline in policy.distribution.items()
                },
                "max_stretch": policy.max_stretch,
                "min_stretch": policy.min_stretch,
                "peer_min_responses": policy.peer_min_responses,
                "appeal_days": policy.appeal_days,
                "reward_coefficients": dict(policy.reward_coefficients),
                "check_in_every_days": policy.check_in_every_days,
                "escalate_after_days": policy.escalate_after_days,
            }
        )


# Validation context of a stored policy being changed in its bands or coefficients: every band needs its coefficient.
PRICED = {**STORED, "priced": True}


# Stored policies parsed so far, by their canonical JSON: a policy is parsed once per process, not on every check-in
# (a parse cost 110 µs, its key 20; engine.Policy is immutable, so one is shared safely). Bounded: oldest out first.
_PARSED: dict[str, engine.Policy] = {}
_PARSED_MAX = 256


def policy_from_json(data: Mapping[str, Any] | None) -> engine.Policy:
    """The engine policy for a stored `policy` column; None or {} means the defaults.

    Raises pydantic.ValidationError when the stored document is not a valid policy.
    """
    key = json.dumps(data or {}, sort_keys=True, separators=(",", ":"), default=str)
    policy = _PARSED.get(key)
    if policy is None:
        policy = PolicyIn.model_validate(dict(data or {}), context=STORED).to_engine()
        if len(_PARSED) >= _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]
        _PARSED[key] = policy
    return policy
