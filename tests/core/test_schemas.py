"""Shared schema types: UTC timestamps, exact figures rounded half-up on output, strict inputs, merge patches."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from app.core.schemas import Figure, InputModel, Measure, PatchModel, UtcDatetime


class Stamped(BaseModel):
    at: UtcDatetime


class Figures(BaseModel):
    figure: Figure
    measure: Measure | None = None


class Strict(InputModel):
    name: str


class Patch(PatchModel):
    non_nullable = frozenset({"name"})

    name: str | None = None
    note: str | None = None


def test_timestamps_must_carry_a_timezone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Stamped.model_validate({"at": "2026-01-31T08:00:00"})


def test_timestamps_are_utc_with_z() -> None:
    shanghai = timezone(timedelta(hours=8))
    stamped = Stamped.model_validate({"at": "2026-01-31T08:00:00+08:00"})
    assert stamped.at == datetime(2026, 1, 31, 0, 0, tzinfo=UTC)
    assert stamped.model_dump_json() == '{"at":"2026-01-31T00:00:00Z"}'
    assert Stamped(at=datetime(2026, 1, 31, 8, tzinfo=shanghai)).model_dump(mode="json") == {
        "at": "2026-01-31T00:00:00Z"
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.125", 0.13),
        ("2.675", 2.68),
        ("-0.125", -0.13),
        ("99.994999", 99.99),
        ("100", 100),
        ("100.001", 100),
        ("33.333333333333", 33.33),
    ],
)
def test_figures_round_half_up_to_cents_only_on_output(value: str, expected: float) -> None:
    figures = Figures(figure=Decimal(value))
    assert figures.figure == Decimal(value)  # kept exact inside
    dumped = figures.model_dump(mode="json")["figure"]
    assert dumped == expected
    assert isinstance(dumped, int) == (expected == int(expected))


def test_measures_are_bounded_exact_numbers() -> None:
    assert Figures(figure=Decimal(0), measure=Decimal("12.5")).model_dump(mode="json")["measure"] == 12.5
    for bad in ("NaN", "Infinity", "1e14", "0.0000001"):
        with pytest.raises(ValidationError):
            Figures.model_validate({"figure": 0, "measure": bad})


def test_input_models_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Strict.model_validate({"name": "x", "nmae": "typo"})


def test_patch_models_track_what_was_sent_and_refuse_null_where_required() -> None:
    assert Patch.model_validate({"note": None}).model_dump(exclude_unset=True) == {"note": None}
    assert Patch.model_validate({}).model_dump(exclude_unset=True) == {}
    with pytest.raises(ValidationError, match="name may not be null"):
        Patch.model_validate({"name": None})
