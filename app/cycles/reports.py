"""A cycle's reports over its plans, KPRs and evaluations: summary, calibration report (distribution) and export.

Each loads the cycle's evaluations, KPRs and latest values with one statement apiece and scores in memory, so the cost
does not depend on how many employees the cycle has beyond the rows themselves.
"""

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core.access import Actor, visible_employees_filter
from app.core.enums import ExportFormat, KprStatus, PlanStatus
from app.core.i18n import translate
from app.cycles import export as encode
from app.cycles import schemas
from app.evaluations import figures as fig
from app.models import Cycle, Department, Employee, Evaluation, Kpr, Plan
from app.scoring import engine
from app.scoring.policy import policy_from_json


def _where(*conditions: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [condition for condition in conditions if condition is not None]


@dataclass(frozen=True)
class Scores:
    """One evaluation's inputs and figures as a report shows them."""

    status: str
    self_score: Decimal | None
    manager_score: Decimal | None
    calibrated_rating: str | None
    results_score: Decimal | None
    final_score: Decimal | None
    rating: str | None
    final_rating: str | None


def _scores(row: Sequence[Any], items_by_plan: dict[uuid.UUID, list[fig.Item]], policy: engine.Policy) -> Scores:
    """Figures of a row of SCORED_COLUMNS: the stored ones once frozen, else computed live."""
    status, plan_id, manager_score, self_score, calibrated_rating, results, final, rating = row[:8]
    if status not in fig.FROZEN_STATES:
        figures = fig.combine(items_by_plan.get(plan_id, []), manager_score, self_score, policy)
        results, final, rating = figures.results_score, figures.final_score, figures.rating
    return Scores(
        status,
        self_score,
        manager_score,
        calibrated_rating,
        results,
        final,
        rating,
        engine.final_rating(rating, calibrated_rating),
    )


def _score_plans(inputs: fig.LiveInputs, policy: engine.Policy) -> dict[uuid.UUID, list[fig.Item]]:
    return {plan_id: fig.score_items(kprs, inputs.values, policy) for plan_id, kprs in inputs.kprs_by_plan.items()}


async def _live_items(
    session: AsyncSession, cycle: Cycle, policy: engine.Policy, statuses: Iterable[str]
) -> dict[uuid.UUID, list[fig.Item]]:
    """Scored items by plan for a cycle whose evaluations have ``statuses``; nothing is loaded when all are frozen."""
    if fig.FROZEN_STATES.issuperset(statuses):
        return {}
    # The whole cycle's KPRs, filtered on their own columns only (see figures.load_live_inputs).
    return _score_plans(await fig.load_live_inputs(session, Kpr.cycle_id == cycle.id), policy)


# The evaluation columns every cycle-wide report scores from; extra columns follow them in each row.
SCORED_COLUMNS = (
    Evaluation.status,
    Evaluation.plan_id,
    Evaluation.manager_score,
    Evaluation.self_score,
    Evaluation.calibrated_rating,
    Evaluation.results_score,
    Evaluation.final_score,
    Evaluation.rating,
)


async def _scored_rows(
    session: AsyncSession, cycle: Cycle, policy: engine.Policy, statement: Select[*tuple[Any, ...]]
) -> list[tuple[Scores, tuple[Any, ...]]]:
    """Rows of ``statement`` (which selects SCORED_COLUMNS first) with their scores: live, or frozen when finalized."""
    rows = (await session.execute(statement)).all()
    items_by_plan = await _live_items(session, cycle, policy, {row[0] for row in rows})
    width = len(SCORED_COLUMNS)
    return [(_scores(row, items_by_plan, policy), tuple(row[width:])) for row in rows]


# --- summary --------------------------------------------------------------------------------------------------------


async def cycle_summary(
    session: AsyncSession, actor: Actor, cycle: Cycle, as_of: datetime | None = None
) -> schemas.CycleSummary:
    """Counts and figures over what the caller may read: the whole cycle for admin/service, else self and reports.

    ``as_of`` applies to measured figures (check-ins at or before it); statuses and counts are current.
    """
    policy = policy_from_json(cycle.policy)
    plan_visible = visible_employees_filter(actor, Plan.employee_id)
    evaluation_visible = visible_employees_filter(actor, Evaluation.employee_id)

    plans = await session.execute(
        select(Plan.status, func.count()).where(*_where(Plan.cycle_id == cycle.id, plan_visible)).group_by(Plan.status)
    )
    kpr_count = await session.scalar(
        select(func.count())
        .select_from(Kpr)
        .where(
            *_where(
                Kpr.cycle_id == cycle.id, Kpr.status == KprStatus.ACTIVE, visible_employees_filter(actor, Kpr.owner_id)
            )
        )
    )
    evaluations = (
        await session.execute(
            select(*SCORED_COLUMNS).where(*_where(Evaluation.cycle_id == cycle.id, evaluation_visible))
        )
    ).all()
    # Evaluations exist only for approved plans, so the approved plans' KPRs serve both the progress and the ratings.
    # Plans are matched in memory rather than by a sub-select, which keeps every statement a single-table filter.
    approved = set(
        await session.scalars(
            select(Plan.id).where(*_where(Plan.cycle_id == cycle.id, Plan.status == PlanStatus.APPROVED, plan_visible))
        )
    )
    inputs = await fig.load_live_inputs(
        session, and_(*_where(Kpr.cycle_id == cycle.id, visible_employees_filter(actor, Kpr.owner_id))), as_of
    )
    items_by_plan = {
        plan_id: fig.score_items(kprs, inputs.values, policy)
        for plan_id, kprs in inputs.kprs_by_plan.items()
        if plan_id in approved
    }

    progresses = [item.progress for items in items_by_plan.values() for item in items if item.progress is not None]
    average = None
    if progresses:
        average = float(engine.round2(sum(progresses, Decimal(0)) / len(progresses)))

    by_status: dict[str, int] = {}
    distribution: dict[str, int] = {band.rating: 0 for band in policy.bands}
    for row in evaluations:
        scores = _scores(row, items_by_plan, policy)
        by_status[scores.status] = by_status.get(scores.status, 0) + 1
        if scores.final_rating is not None:
            distribution[scores.final_rating] = distribution.get(scores.final_rating, 0) + 1
    return schemas.CycleSummary(
        cycle_id=cycle.id,
        status=cycle.status,
        plans_by_status={status: count for status, count in plans},
        evaluations_by_status=by_status,
        kprs=kpr_count or 0,
        average_progress=average,
        rating_distribution=distribution,
    )


# --- calibration ----------------------------------------------------------------------------------------------------


def _bands(shares: list[engine.BandShare]) -> list[schemas.BandShare]:
    return [
        schemas.BandShare(
            rating=share.rating,
            count=share.count,
            share=share.share,
            min_share=share.min_share,
            max_share=share.max_share,
            violated=share.violated,
        )
        for share in shares
    ]


def _plain(value: Decimal) -> str:
    """10.0 → "10", 22.20 → "22.2": how a person writes a percentage."""
    return format(value.normalize(), "f")


def _violations(shares: list[engine.BandShare]) -> list[schemas.Violation]:
    found = []
    for share in shares:
        if not share.violated:
            continue
        shown = engine.round2(share.share)
        if share.max_share is not None and share.share > share.max_share:
            bound, limit, key = "max_share", share.max_share, "evaluation.violation.max"
        else:
            assert share.min_share is not None
            bound, limit, key = "min_share", share.min_share, "evaluation.violation.min"
        found.append(
            schemas.Violation(
                rating=share.rating,
                count=share.count,
                share=share.share,
                bound=bound,
                limit=limit,
                message=translate(key, rating=share.rating, share=_plain(shown), limit=_plain(limit)),
            )
        )
    return found


async def cycle_calibration(session: AsyncSession, cycle: Cycle) -> schemas.CycleCalibration:
    """Final ratings per band against the policy's guidelines, overall and per department (whole-organization
    readers only: ``CalibratedCycle``)."""
    policy = policy_from_json(cycle.policy)
    statement = (
        select(*SCORED_COLUMNS, Employee.department_id, Department.name)
        .join(Employee, Employee.id == Evaluation.employee_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(Evaluation.cycle_id == cycle.id)
    )
    overall: list[str | None] = []
    by_department: dict[uuid.UUID | None, tuple[str | None, list[str | None]]] = {}
    for scores, (department_id, department_name) in await _scored_rows(session, cycle, policy, statement):
        overall.append(scores.final_rating)
        by_department.setdefault(department_id, (department_name, []))[1].append(scores.final_rating)
    total, shares = engine.distribution(overall, policy)
    departments = []
    ordered = sorted(by_department.items(), key=lambda entry: (entry[1][0] is None, entry[1][0] or "", str(entry[0])))
    for key, (name, ratings) in ordered:
        department_total, department_shares = engine.distribution(ratings, policy)
        departments.append(
            schemas.DepartmentCalibration(
                department_id=key,
                department_name=name,
                total=department_total,
                bands=_bands(department_shares),
                violations=_violations(department_shares),
            )
        )
    return schemas.CycleCalibration(
        cycle_id=cycle.id,
        status=cycle.status,
        total=total,
        bands=_bands(shares),
        violations=_violations(shares),
        departments=departments,
    )


# --- export ---------------------------------------------------------------------------------------------------------

# One per column of a row below; the headers are the catalogue's evaluation.export.<column>.
EXPORT_COLUMNS = (
    "employee_id",
    "name",
    "department",
    "manager",
    "status",
    "results_score",
    "self_score",
    "manager_score",
    "final_score",
    "rating",
    "calibrated_rating",
    "final_rating",
)


@dataclass(frozen=True)
class Export:
    media_type: str
    content_disposition: str
    chunks: Iterator[bytes]


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else engine.round2(value)


async def export_cycle_evaluations(session: AsyncSession, cycle: Cycle, file_format: ExportFormat) -> Export:
    """Every evaluation of the cycle, one row each, with the same figures the API shows (2 decimals)."""
    policy = policy_from_json(cycle.policy)
    reviewer = aliased(Employee)
    statement = (
        select(*SCORED_COLUMNS, Employee.external_id, Employee.name, Department.name, reviewer.name)
        .join(Employee, Employee.id == Evaluation.employee_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .outerjoin(reviewer, reviewer.id == Evaluation.reviewer_id)
        .where(Evaluation.cycle_id == cycle.id)
        .order_by(Department.name, Employee.name, Employee.external_id)
    )
    table: list[list[encode.Cell]] = []
    for scores, (external_id, name, department, boss) in await _scored_rows(session, cycle, policy, statement):
        table.append(
            [
                external_id,
                name,
                department,
                boss,
                scores.status,
                _round(scores.results_score),
                _round(scores.self_score),
                _round(scores.manager_score),
                _round(scores.final_score),
                scores.rating,
                scores.calibrated_rating,
                scores.final_rating,
            ]
        )
    header = tuple(translate(f"evaluation.export.{column}") for column in EXPORT_COLUMNS)
    stem = f"{cycle.name}-evaluations"
    fallback = f"evaluations-{cycle.id}-{date.today().isoformat()}"
    chunks: Any
    if file_format == ExportFormat.XLSX:
        chunks = encode.xlsx_chunks(header, table, cycle.name)
    else:
        chunks = encode.csv_chunks(header, table)
    return Export(
        media_type=encode.MEDIA_TYPES[file_format],
        content_disposition=encode.content_disposition(stem, fallback, file_format),
        chunks=chunks,
    )
