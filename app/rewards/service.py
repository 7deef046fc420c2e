"""Reward runs (DESIGN §11): a closed cycle's final ratings turned into amounts, as a draft that is approved or
cancelled.

Who may (admins) is the routes' to declare (app/rewards/dependencies.py). Making a run is set-based whatever the
number of bases: one statement reads the listed employees and one their evaluations of the cycle, the arithmetic
(app/scoring/rewards.py) prices them in memory, and one statement inserts all the lines.

Decisions the design leaves open, made for the payroll person who runs them:
- an employee id that is not an employee of this organization (a typo, another tenant's id) refuses the whole run
  with 422 naming each line, rather than skipping it: a base that silently pays nobody is a payroll error;
- an evaluation under appeal is not final: its base is skipped with ``NO_FINAL_RATING``, as is one not yet finalized;
- an approved run is frozen (no transition leaves ``approved``), and a draft is approved only while its cycle is still
  closed: a cycle reopened for calibration may change the ratings the draft was priced with.
"""

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Numeric,
    Select,
    String,
    Text,
    Uuid,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor
from app.core.db import is_postgres
from app.core.enums import EvaluationStatus, EventType, RewardRunStatus, RewardSkipReason
from app.core.errors import ValidationFailed
from app.core.i18n import translate
from app.core.repository import among, fetch, get_in_org
from app.core.transitions import StateMachine, record_transition
from app.cycles.rules import ensure_cycle_closed
from app.models import Cycle, Employee, Evaluation, RewardItem, RewardRun
from app.rewards.presenter import present_summary
from app.rewards.schemas import RewardRunCreate
from app.scoring import rewards as arithmetic
from app.scoring.policy import policy_from_json

REWARD_RUN_STATES = StateMachine(
    "reward_run", {RewardRunStatus.DRAFT: (RewardRunStatus.APPROVED, RewardRunStatus.CANCELLED)}
)
# Final ratings: an evaluation in any other state (under appeal included) has none to pay on.
FINAL_STATES = (EvaluationStatus.FINALIZED, EvaluationStatus.ACKNOWLEDGED)
_JSON_NULL = "null"
# Lines named in a 422 at most (the detail counts them all).
MAX_LINE_ERRORS = 100


def list_statement(actor: Actor, cycle: Cycle) -> Select[RewardRun]:
    return select(RewardRun).where(RewardRun.organization_id == actor.organization_id, RewardRun.cycle_id == cycle.id)


async def get(session: AsyncSession, actor: Actor, run_id: uuid.UUID, *, lock: bool = False) -> RewardRun:
    return await get_in_org(session, RewardRun, run_id, actor.organization_id, "reward_run", lock=lock)


# --- making a run ---------------------------------------------------------------------------------------------------


def _line_errors(indexes: Sequence[int], message: str, code: str) -> ValidationFailed:
    errors = [
        {"loc": ["body", "base", index, "employee_id"], "msg": message, "type": code}
        for index in indexes[:MAX_LINE_ERRORS]
    ]
    return ValidationFailed(translate("reward.lines_refused", count=len(indexes)), errors=errors)


def _check_unique(data: RewardRunCreate) -> None:
    seen: set[uuid.UUID] = set()
    repeated = []
    for index, line in enumerate(data.base):
        if line.employee_id in seen:
            repeated.append(index)
        seen.add(line.employee_id)
    if repeated:
        raise _line_errors(repeated, translate("field.reward_employee_repeated"), "duplicate")


@dataclass(frozen=True)
class Standing:
    """An employee's evaluation of the cycle: its state, final rating, and from its frozen policy the reward
    coefficients (JSON text), or the whole policy when it has none."""

    status: str | None
    final_rating: str | None
    coefficients_text: str | None
    legacy_policy_text: str | None


_NO_EVALUATION = Standing(None, None, None, None)


async def standings_of(
    session: AsyncSession, actor: Actor, cycle: Cycle, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Standing]:
    """The listed employees that belong to the organization, each with their evaluation of the cycle (or none): two
    statements whatever the number of ids, each over one table by its own index, so no plan can loop over one table
    per row of the other (as a join may while the planner's statistics lag a bulk load).

    Only the frozen policy's coefficients are read (a few dozen bytes a row, not the whole policy), except from a
    policy frozen before it carried any, whose defaults depend on its bands."""
    employees = await session.scalars(
        select(Employee.id).where(Employee.organization_id == actor.organization_id, among(session, Employee.id, ids))
    )
    found = dict.fromkeys(employees, _NO_EVALUATION)
    coefficients = cast(Evaluation.snapshot[("policy", "reward_coefficients")], Text)
    # A key that is missing reads as SQL NULL on PostgreSQL and as the JSON text null on SQLite.
    missing = func.coalesce(coefficients, _JSON_NULL) == _JSON_NULL
    evaluations = await session.execute(
        select(
            Evaluation.employee_id,
            Evaluation.status,
            func.coalesce(Evaluation.calibrated_rating, Evaluation.rating),
            coefficients,
            case((missing, cast(Evaluation.snapshot["policy"], Text))),
        ).where(Evaluation.cycle_id == cycle.id, among(session, Evaluation.employee_id, ids))
    )
    for employee_id, *standing in evaluations:
        if employee_id in found:
            found[employee_id] = Standing(*standing)
    return found


class _Coefficients:
    """Each distinct set of frozen coefficients parsed once: a cycle closed at once shares one across all its
    evaluations."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        self._by_text: dict[tuple[str | None, str | None], Mapping[str, Decimal]] = {}

    def __call__(self, standing: Standing) -> Mapping[str, Decimal]:
        key = (standing.coefficients_text, standing.legacy_policy_text)
        found = self._by_text.get(key)
        if found is None:
            found = self._parse(*key)
            self._by_text[key] = found
        return found

    def _parse(self, coefficients_text: str | None, legacy_policy_text: str | None) -> Mapping[str, Decimal]:
        if coefficients_text is not None and coefficients_text != _JSON_NULL:
            # Validated when the policy was stored; its numbers read exactly, never through a binary float.
            parsed = json.loads(coefficients_text, parse_float=Decimal)
            return {str(rating): Decimal(value) for rating, value in parsed.items()}
        # A policy frozen before coefficients existed: the defaults for the bands that carry their names. A frozen
        # evaluation always has its snapshot; without one, the cycle's policy is what it would hold.
        document = json.loads(legacy_policy_text) if legacy_policy_text is not None else self._cycle.policy
        return policy_from_json(document).reward_coefficients


@dataclass(frozen=True)
class _Priced:
    lines: list[arithmetic.RewardLine]
    ratings: dict[uuid.UUID, str]
    skipped: list[tuple[uuid.UUID, Decimal, RewardSkipReason]]


def _price(data: RewardRunCreate, standings: Mapping[uuid.UUID, Standing], cycle: Cycle) -> _Priced:
    coefficients_of = _Coefficients(cycle)
    priced = _Priced([], {}, [])
    for line in data.base:
        standing = standings[line.employee_id]
        rating = standing.final_rating
        if standing.status not in FINAL_STATES or rating is None:
            priced.skipped.append((line.employee_id, line.amount, RewardSkipReason.NO_FINAL_RATING))
            continue
        coefficient = coefficients_of(standing).get(rating)
        if coefficient is None:
            priced.skipped.append((line.employee_id, line.amount, RewardSkipReason.NO_COEFFICIENT))
            continue
        priced.lines.append(arithmetic.RewardLine(line.employee_id, line.amount, coefficient))
        priced.ratings[line.employee_id] = rating
    return priced


def _allocate(priced: _Priced, budget: Decimal | None) -> arithmetic.Allocation:
    try:
        return arithmetic.allocate(priced.lines, budget)
    except arithmetic.RewardInputError as exc:
        raise ValidationFailed(
            errors=[{"loc": ["body", exc.field], "msg": translate(f"reward.input.{exc.code}"), "type": exc.code}]
        ) from exc


_ITEM_COLUMNS = ("employee_id", "base", "final_rating", "coefficient", "amount", "skipped_reason")
_ITEM_TYPES: dict[str, Any] = {
    "employee_id": Uuid,
    "base": Numeric,
    "final_rating": String,
    "coefficient": Numeric,
    "amount": Numeric,
    "skipped_reason": String,
}


async def _insert_items(session: AsyncSession, run: RewardRun, rows: list[dict[str, Any]]) -> None:
    """Every line of the run in one statement: on PostgreSQL one INSERT … SELECT over arrays (one bound value per
    column, so no parameter limit), elsewhere one executemany."""
    if not rows:
        return
    if not is_postgres(session):
        common = {"organization_id": run.organization_id, "run_id": run.id}
        await session.execute(insert(RewardItem), [{"id": uuid.uuid4(), **common, **row} for row in rows])
        return
    arrays = (
        func.unnest(
            *(
                bindparam(f"item_{name}", [row[name] for row in rows], type_=ARRAY(_ITEM_TYPES[name]))
                for name in _ITEM_COLUMNS
            )
        )
        .table_valued(*_ITEM_COLUMNS)
        .render_derived(name="lines")
    )
    lines = select(
        func.gen_random_uuid(),
        literal(run.organization_id, Uuid),
        literal(run.id, Uuid),
        *(arrays.c[name] for name in _ITEM_COLUMNS),
    )
    await session.execute(insert(RewardItem).from_select(["id", "organization_id", "run_id", *_ITEM_COLUMNS], lines))


def _audited(run: RewardRun) -> dict[str, Any]:
    return {
        "cycle_id": run.cycle_id,
        "status": run.status,
        "currency": run.currency,
        "budget": run.budget,
        "scale": run.scale,
        "total": run.total,
        "item_count": run.item_count,
        "skipped_count": run.skipped_count,
    }


async def create(session: AsyncSession, actor: Actor, cycle: Cycle, data: RewardRunCreate) -> RewardRun:
    ensure_cycle_closed(cycle)
    _check_unique(data)
    ids = [line.employee_id for line in data.base]
    standings = await standings_of(session, actor, cycle, ids)
    unknown = [index for index, employee_id in enumerate(ids) if employee_id not in standings]
    if unknown:
        raise _line_errors(unknown, translate("field.reward_employee_unknown"), "not_found")
    priced = _price(data, standings, cycle)
    allocation = _allocate(priced, data.budget)
    run = RewardRun(
        organization_id=actor.organization_id,
        cycle_id=cycle.id,
        status=RewardRunStatus.DRAFT,
        currency=data.currency,
        budget=data.budget,
        scale=allocation.scale,
        total=allocation.total,
        note=data.note,
        created_by=actor.subject,
        item_count=len(allocation.amounts),
        skipped_count=len(priced.skipped),
    )
    session.add(run)
    await session.flush()
    rows: list[dict[str, Any]] = [
        {
            "employee_id": amount.employee_id,
            "base": amount.base,
            "final_rating": priced.ratings[amount.employee_id],
            "coefficient": amount.coefficient,
            "amount": amount.amount,
            "skipped_reason": None,
        }
        for amount in allocation.amounts
    ]
    rows += [
        {
            "employee_id": employee_id,
            "base": base,
            "final_rating": None,
            "coefficient": None,
            "amount": None,
            "skipped_reason": reason.value,
        }
        for employee_id, base, reason in priced.skipped
    ]
    await _insert_items(session, run, rows)
    record_transition(session, actor, REWARD_RUN_STATES, run.id, None, RewardRunStatus.DRAFT, None)
    audit.record(session, actor, "create", "reward_run", run.id, after=_audited(run))
    return run


# --- its states -----------------------------------------------------------------------------------------------------


async def transition(
    session: AsyncSession, actor: Actor, run: RewardRun, target: str, comment: str | None
) -> RewardRun:
    REWARD_RUN_STATES.check(run.status, target)
    if target == RewardRunStatus.APPROVED:
        # Locked, as making a run locks it: a reopen waits until the approval is committed, or is seen by it.
        cycle = await fetch(session, Cycle, run.cycle_id, lock=True)
        assert cycle is not None
        ensure_cycle_closed(cycle)
    current = run.status
    run.status = target
    await session.flush()
    record_transition(session, actor, REWARD_RUN_STATES, run.id, current, target, comment)
    audit.record(
        session, actor, "transition", "reward_run", run.id, before={"status": current}, after={"status": target}
    )
    outbox.publish(
        session,
        actor.organization_id,
        EventType.REWARD_RUN_TRANSITIONED,
        outbox.transition(current, target, comment, present_summary(run)),
    )
    return run
