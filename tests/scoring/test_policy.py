"""Validation of a cycle's `policy` document and its conversion to the engine's Policy."""

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.scoring.engine import DEFAULT_POLICY, Band, Curve, Guideline, Policy
from app.scoring.policy import GuidelineIn, PolicyIn, policy_from_json

D = Decimal


def _rejected(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        PolicyIn.model_validate(data)
    return str(caught.value)


def test_defaults_are_the_engine_defaults() -> None:
    policy = PolicyIn()
    assert policy.to_engine() == DEFAULT_POLICY
    assert policy.model_dump(mode="json") == {
        "curve": "linear",
        "cap": 120,
        "threshold_score": 60,
        "components": {"results": 70, "manager": 30, "self": 0, "peer": 0},
        "bands": [
            {"rating": "S", "min_score": 110},
            {"rating": "A", "min_score": 95},
            {"rating": "B", "min_score": 80},
            {"rating": "C", "min_score": 60},
            {"rating": "D", "min_score": 0},
        ],
        "distribution": {},
        "max_stretch": 100,
        "min_stretch": 0,
        "peer_min_responses": 3,
        "appeal_days": 7,
        "reward_coefficients": {"S": 1.5, "A": 1.2, "B": 1.0, "C": 0.8, "D": 0},
        "check_in_every_days": 14,
        "escalate_after_days": 3,
    }


@pytest.mark.parametrize("stored", [None, {}])
def test_missing_policy_means_defaults(stored: dict[str, Any] | None) -> None:
    assert policy_from_json(stored) == DEFAULT_POLICY


def test_full_policy_converts_to_engine() -> None:
    stored = {
        "curve": "threshold",
        "cap": "150",
        "threshold_score": 50.5,
        "components": {"results": 60, "manager": 25, "self": 15},
        "bands": [
            {"rating": "优秀", "min_score": 90},
            {"rating": "合格", "min_score": 60},
            {"rating": "待改进", "min_score": 0},
        ],
        "distribution": {"优秀": {"max_share": 20}, "待改进": {"min_share": 5, "max_share": 10}},
        "max_stretch": 80,
        "min_stretch": 5,
        "reward_coefficients": {"优秀": 1.5, "合格": 1, "待改进": 0},
    }
    assert policy_from_json(stored) == Policy(
        curve=Curve.THRESHOLD,
        cap=D(150),
        threshold_score=D("50.5"),
        components={"results": D(60), "manager": D(25), "self": D(15), "peer": D(0)},
        reward_coefficients={"优秀": D("1.5"), "合格": D(1), "待改进": D(0)},
        bands=(Band("优秀", D(90)), Band("合格", D(60)), Band("待改进", D(0))),
        distribution={"优秀": Guideline(max_share=D(20)), "待改进": Guideline(min_share=D(5), max_share=D(10))},
        max_stretch=D(80),
        min_stretch=D(5),
    )


def test_partial_components_default_the_rest() -> None:
    # self defaults to 0, so 80 + 20 is a complete split
    policy = PolicyIn.model_validate({"components": {"results": 80, "manager": 20}})
    assert dict(policy.to_engine().components) == {"results": 80, "manager": 20, "self": 0, "peer": 0}


@pytest.mark.parametrize(
    "components",
    [
        {"results": 70, "manager": 20, "self": 0},  # 90
        {"results": 70, "manager": 30, "self": 10},  # 110
        {"results": 100},  # 100 + the default manager 30
        {"results": Decimal("33.33"), "manager": Decimal("33.33"), "self": Decimal("33.33")},  # 99.99 is not 100
    ],
)
def test_components_must_total_100(components: dict[str, Any]) -> None:
    assert "components must total 100" in _rejected({"components": components})


def test_components_accept_fractions_that_total_100() -> None:
    policy = PolicyIn.model_validate(
        {"components": {"results": Decimal("33.34"), "manager": Decimal("33.33"), "self": Decimal("33.33")}}
    )
    assert sum(policy.to_engine().components.values()) == 100


def test_component_out_of_range_rejected() -> None:
    _rejected({"components": {"results": 120, "manager": -20, "self": 0}})


def test_unknown_component_rejected() -> None:
    _rejected({"components": {"results": 70, "manager": 30, "bonus": 0}})


@pytest.mark.parametrize(
    "bands",
    [
        [{"rating": "B", "min_score": 80}, {"rating": "A", "min_score": 95}],  # ascending
        [{"rating": "A", "min_score": 80}, {"rating": "B", "min_score": 80}],  # tie
    ],
)
def test_bands_must_descend_strictly(bands: list[dict[str, Any]]) -> None:
    assert "strictly descending" in _rejected({"bands": bands})


def test_duplicate_ratings_rejected() -> None:
    message = _rejected({"bands": [{"rating": "A", "min_score": 90}, {"rating": "A", "min_score": 50}]})
    assert "unique" in message
    assert "repeated: A" in message


@pytest.mark.parametrize(
    "bands",
    [
        [],
        [{"rating": f"R{i}", "min_score": 100 - i} for i in range(21)],
        [{"rating": "", "min_score": 0}],
        [{"rating": "R" * 17, "min_score": 0}],
        [{"rating": "A", "min_score": -1}],
        [{"rating": "A", "min_score": 1001}],
        [{"rating": "A", "min_score": 0, "label": "top"}],
    ],
    ids=["empty", "too-many", "blank-rating", "long-rating", "negative", "huge", "extra-field"],
)
def test_bad_bands_rejected(bands: list[dict[str, Any]]) -> None:
    _rejected({"bands": bands})


@pytest.mark.parametrize("cap", [99, "99.99", 1001])
def test_cap_out_of_range_rejected(cap: Any) -> None:
    _rejected({"cap": cap})


def test_cap_of_exactly_100_allowed() -> None:
    assert PolicyIn.model_validate({"cap": 100}).to_engine().cap == 100


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_rejected(value: str) -> None:
    _rejected({"cap": value})


def test_threshold_score_out_of_range_rejected() -> None:
    _rejected({"threshold_score": 101})
    _rejected({"threshold_score": -1})


def test_distribution_key_must_be_a_band() -> None:
    message = _rejected({"distribution": {"S": {"max_share": 10}, "Z": {"max_share": 5}}})
    assert "not bands: Z" in message


def test_distribution_follows_custom_bands() -> None:
    stored = {"bands": [{"rating": "P", "min_score": 50}, {"rating": "F", "min_score": 0}], "distribution": {"F": {}}}
    assert policy_from_json(stored).distribution == {"F": Guideline()}
    # "S" is a default band but not one of this policy's
    _rejected({**stored, "distribution": {"S": {"max_share": 10}}})


@pytest.mark.parametrize(
    "guideline",
    [{"min_share": 20, "max_share": 10}, {"max_share": 101}, {"min_share": -1}, {"share": 5}],
)
def test_bad_guideline_rejected(guideline: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        GuidelineIn.model_validate(guideline)
    _rejected({"distribution": {"S": guideline}})


def test_guideline_min_equal_max_allowed() -> None:
    assert GuidelineIn.model_validate({"min_share": 10, "max_share": 10}).min_share == 10


@pytest.mark.parametrize(
    "stretch",
    [
        {"max_stretch": 0},
        {"max_stretch": -5},
        {"min_stretch": -1},
        {"min_stretch": 100},  # equal to the default max
        {"min_stretch": 50, "max_stretch": 40},
    ],
)
def test_bad_stretch_bounds_rejected(stretch: dict[str, Any]) -> None:
    _rejected(stretch)


def test_unknown_curve_rejected() -> None:
    _rejected({"curve": "exponential"})


def test_extra_field_rejected() -> None:
    assert "Extra inputs are not permitted" in _rejected({"curve": "linear", "bonus": 5})


def test_error_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        PolicyIn.model_validate({"cap": 50})
    assert caught.value.errors()[0]["loc"] == ("cap",)


def test_json_round_trip_of_a_full_policy() -> None:
    policy = PolicyIn.model_validate(
        {
            "curve": "threshold",
            "cap": Decimal("133.3333"),
            "threshold_score": Decimal("0.1"),
            "components": {"results": Decimal("33.34"), "manager": Decimal("33.33"), "self": Decimal("33.33")},
            "bands": [{"rating": "甲", "min_score": Decimal("99.9999")}, {"rating": "乙", "min_score": 0}],
            "distribution": {"甲": {"max_share": Decimal("12.5")}},
            "reward_coefficients": {"甲": Decimal("1.25"), "乙": 0},
            "max_stretch": Decimal("0.0001"),
            "min_stretch": 0,
        }
    )
    dumped = policy.model_dump(mode="json")
    assert isinstance(dumped["cap"], float)  # a JSON number, not a string
    text = json.dumps(dumped, ensure_ascii=False)
    again = PolicyIn.model_validate(json.loads(text))
    assert again == policy
    assert again.to_engine() == policy.to_engine()
    assert PolicyIn.model_validate_json(policy.model_dump_json()) == policy


def test_from_engine_round_trip() -> None:
    assert PolicyIn.from_engine(DEFAULT_POLICY) == PolicyIn()
    engine_policy = policy_from_json({"curve": "threshold", "distribution": {"S": {"max_share": 10}}})
    assert PolicyIn.from_engine(engine_policy).to_engine() == engine_policy


def test_schema_carries_a_valid_example() -> None:
    schema = PolicyIn.model_json_schema()
    assert schema["additionalProperties"] is False
    (example,) = schema["examples"]
    PolicyIn.model_validate(example)


_POLICY_DECIMALS = st.decimals(min_value=100, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
_SHARES = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)


@settings(deadline=None)
@given(cap=_POLICY_DECIMALS, threshold_score=_SHARES, top=_SHARES, share=_SHARES)
def test_json_round_trip_is_exact(cap: Decimal, threshold_score: Decimal, top: Decimal, share: Decimal) -> None:
    # Any value the policy accepts must come back from its JSON float unchanged, or a stored policy would re-score
    # differently from the one that was approved.
    policy = PolicyIn.model_validate(
        {
            "cap": cap,
            "threshold_score": threshold_score,
            "components": {"results": 100 - top, "manager": top, "self": 0},
            "bands": [{"rating": "A", "min_score": cap}, {"rating": "B", "min_score": 0}],
            "distribution": {"A": {"max_share": share}},
        }
    )
    assert PolicyIn.model_validate(json.loads(json.dumps(policy.model_dump(mode="json")))) == policy


def test_custom_bands_need_their_own_reward_coefficients() -> None:
    bands = [{"rating": "优秀", "min_score": 90}, {"rating": "合格", "min_score": 0}]
    assert "reward_coefficients needs a coefficient for every band; missing: 优秀, 合格" in _rejected({"bands": bands})
    priced = PolicyIn.model_validate({"bands": bands, "reward_coefficients": {"优秀": 1.3, "合格": 1}})
    assert priced.to_engine().reward_coefficients == {"优秀": D("1.3"), "合格": D(1)}
    assert "not bands: X" in _rejected({"reward_coefficients": {"S": 1, "A": 1, "B": 1, "C": 1, "D": 0, "X": 2}})


def test_default_coefficients_follow_the_bands_that_carry_their_names() -> None:
    policy = PolicyIn.model_validate({"bands": [{"rating": "A", "min_score": 90}, {"rating": "C", "min_score": 0}]})
    assert policy.reward_coefficients == {"A": D("1.2"), "C": D("0.8")}


def test_a_policy_stored_before_coefficients_still_reads() -> None:
    stored = {"bands": [{"rating": "优秀", "min_score": 90}, {"rating": "合格", "min_score": 0}]}
    assert dict(policy_from_json(stored).reward_coefficients) == {}


def test_peer_component_counts_toward_100() -> None:
    assert "components must total 100, got 110" in _rejected(
        {"components": {"results": 70, "manager": 30, "self": 0, "peer": 10}}
    )
    policy = PolicyIn.model_validate({"components": {"results": 60, "manager": 30, "self": 0, "peer": 10}})
    assert policy.to_engine().components["peer"] == 10
