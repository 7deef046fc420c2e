"""A cycle's reports over its plans, KPRs and evaluations: summary, calibration report (distribution) and export.

The figures are stored and kept current on write (DESIGN §15), so the summary and the calibration report are SQL
aggregates over them, and the export streams them a chunk at a time: the cost grows with the rows the database reads,
never with what the service holds. Only a summary ``as_of`` a past time scores from history.
"""

import uuid
from collections import Counter as Tally
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, localcontext
from itertools import chain, repeat
from typing import Any

from anyio import to_thread
from sqlalchemy import ColumnElement, Subquery, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core.access import Actor, visible_employees_filter
from app.core.enums import EvaluationStatus, ExportFormat, KprStatus, PlanStatus
from app.core.i18n import translate
from app.cycles import export as encode
from app.cycles import schemas
from app.evaluations import figures as fig
from app.models import Cycle, Department, Employee, Evaluation, Kpr, Plan
from app.scoring import engine
from app.scoring.policy import policy_from_json

# Rows a streamed read takes from the database at a time.
CHUNK = 2000
# Enough digits that summing a whole cycle's stored figures (40 significant digits each) never rounds.
EXACT_SUMS = Context(prec=80)


def _where(*conditions: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [condition for condition in conditions if condition is not None]


@dataclass(frozen=True)
class Scores:
    """One evaluation's status and final rating as of a past time."""

    status: str
    final_rating: str | None


def _scores(row: Sequence[Any], items_by_plan: dict[uuid.UUID, list[fig.Item]], policy: engine.Policy) -> Scores:
    """A row of SCORED_COLUMNS: the stored rating once frozen, else scored from the items as of then."""
    status, plan_id, manager_score, self_score, peer_score, calibrated_rating, rating = row
    if status not in fig.FROZEN_STATES:
        # The peer score as stored: feedback responses keep no history to read as of a past time.
        rating = fig.combine(items_by_plan.get(plan_id, []), manager_score, self_score, policy, peer_score).rating
    return Scores(status, engine.final_rating(rating, calibrated_rating))


SCORED_COLUMNS = (
    Evaluation.status,
    Evaluation.plan_id,
    Evaluation.manager_score,
    Evaluation.self_score,
    Evaluation.peer_score,
    Evaluation.calibrated_rating,
    Evaluation.rating,
)


# --- summary --------------------------------------------------------------------------------------------------------


async def cycle_summary(
    session: AsyncSession, actor: Actor, cycle: Cycle, as_of: datetime | None = None
) -> schemas.CycleSummary:
    """Counts and figures over what the caller may read: the whole cycle for admin/service, else self and reports.

    ``as_of`` applies to measured figures (check-ins at or before it); statuses and counts are current. Without it,
    every figure is an aggregate over the stored ones (DESIGN §15); with it, they are computed from history.
    """
    policy = policy_from_json(cycle.policy)
    plan_visible = visible_employees_filter(actor, Plan.employee_id)
    kpr_visible = visible_employees_filter(actor, Kpr.owner_id)

    plans = await session.execute(
        select(Plan.status, func.count()).where(*_where(Plan.cycle_id == cycle.id, plan_visible)).group_by(Plan.status)
    )
    plans_by_status = {status: count for status, count in plans}
    kpr_count = await session.scalar(
        select(func.count())
        .select_from(Kpr)
        .where(*_where(Kpr.cycle_id == cycle.id, Kpr.status == KprStatus.ACTIVE, kpr_visible))
    )
    if as_of is None:
        by_status, ratings, average = await _stored_summary(session, actor, cycle)
    else:
        by_status, ratings, average = await _summary_as_of(session, actor, cycle, policy, as_of)
    distribution: dict[str, int] = {band.rating: 0 for band in policy.bands}
    for rating, count in ratings.items():
        distribution[rating] = distribution.get(rating, 0) + count
    return schemas.CycleSummary(
        cycle_id=cycle.id,
        status=cycle.status,
        plans_by_status=plans_by_status,
        evaluations_by_status=by_status,
        kprs=kpr_count or 0,
        average_progress=average,
        rating_distribution=distribution,
    )


# An evaluation's final rating in SQL: engine.final_rating (``calibrated or rating``), frozen or live alike, since
# every evaluation stores its rating (kept current until finalization, frozen with the snapshot after it).
FINAL_RATING = func.coalesce(func.nullif(Evaluation.calibrated_rating, ""), Evaluation.rating)

Summary = tuple[dict[str, int], dict[str, int], float | None]


async def _stored_summary(session: AsyncSession, actor: Actor, cycle: Cycle) -> Summary:
    """Evaluations by status and final rating (one GROUP BY) and the average stored progress of the active KPRs of
    approved plans."""
    rows = await session.execute(
        select(Evaluation.status, FINAL_RATING, func.count())
        .where(*_where(Evaluation.cycle_id == cycle.id, visible_employees_filter(actor, Evaluation.employee_id)))
        .group_by(Evaluation.status, FINAL_RATING)
    )
    by_status: dict[str, int] = {}
    ratings: dict[str, int] = {}
    for status, rating, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if rating is not None:
            ratings[rating] = ratings.get(rating, 0) + count
    # A KPR's owner is its plan's employee (a plan is one employee's for one cycle), so the owners the caller may read
    # select the plans too: one visibility filter, one recursive CTE. A join (not IN (plans)): with the planner's
    # statistics lagging a bulk load, the semi-join was planned as a nested loop re-reading the cycle's KPRs per plan.
    total, count = await _progress_total(
        session,
        select(Kpr.progress)
        .join(Plan, Plan.id == Kpr.plan_id)
        .where(
            *_where(
                Kpr.cycle_id == cycle.id,
                Kpr.status == KprStatus.ACTIVE,
                Kpr.progress.is_not(None),
                Plan.status == PlanStatus.APPROVED,
                visible_employees_filter(actor, Kpr.owner_id),
            )
        )
        .subquery(),
    )
    average = None
    if count:
        average = float(engine.round2(total / count))
    return by_status, ratings, average


async def _progress_total(session: AsyncSession, progresses: Subquery) -> tuple[Decimal, int]:
    """(Σ progress, how many) over the stored progresses ``progresses`` selects, exactly.

    PostgreSQL sums NUMERIC exactly. SQLite keeps these figures as text and its SUM goes through floats, so there the
    distinct values are counted in SQL (a cycle's KPRs share few progress values) and summed here as decimals.
    """
    progress = progresses.c.progress
    if session.get_bind().dialect.name == "postgresql":
        total, count = (await session.execute(select(func.sum(progress), func.count()))).one()
        return Decimal(total or 0), count
    total, count = Decimal(0), 0
    rows = await session.stream(select(progress, func.count()).group_by(progress).execution_options(yield_per=CHUNK))
    with localcontext(EXACT_SUMS):
        async for value, times in rows:
            total += value * times
            count += times
    return total, count


async def _summary_as_of(
    session: AsyncSession, actor: Actor, cycle: Cycle, policy: engine.Policy, as_of: datetime
) -> Summary:
    """The summary's figures from history: every KPR of the cycle scored as of then, live evaluations re-scored."""
    evaluations = (
        await session.execute(
            select(*SCORED_COLUMNS).where(
                *_where(Evaluation.cycle_id == cycle.id, visible_employees_filter(actor, Evaluation.employee_id))
            )
        )
    ).all()
    # Evaluations exist only for approved plans, so the approved plans' KPRs serve both the progress and the ratings.
    # Plans are matched in memory rather than by a sub-select, which keeps every statement a single-table filter.
    approved = set(
        await session.scalars(
            select(Plan.id).where(
                *_where(
                    Plan.cycle_id == cycle.id,
                    Plan.status == PlanStatus.APPROVED,
                    visible_employees_filter(actor, Plan.employee_id),
                )
            )
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
    ratings: dict[str, int] = {}
    for row in evaluations:
        scores = _scores(row, items_by_plan, policy)
        by_status[scores.status] = by_status.get(scores.status, 0) + 1
        if scores.final_rating is not None:
            ratings[scores.final_rating] = ratings.get(scores.final_rating, 0) + 1
    return by_status, ratings, average


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
    readers only: ``CalibratedCycle``): one GROUP BY over the stored ratings."""
    policy = policy_from_json(cycle.policy)
    appealed = func.count().filter(Evaluation.status == EvaluationStatus.APPEALED)
    rows = await session.execute(
        select(Employee.department_id, Department.name, FINAL_RATING, func.count(), appealed)
        .join(Employee, Employee.id == Evaluation.employee_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(Evaluation.cycle_id == cycle.id)
        .group_by(Employee.department_id, Department.name, FINAL_RATING)
    )
    overall: dict[str | None, int] = {}
    appeals: Tally[uuid.UUID | None] = Tally()
    by_department: dict[uuid.UUID | None, tuple[str | None, dict[str | None, int]]] = {}
    for department_id, department_name, rating, count, under_appeal in rows:
        overall[rating] = overall.get(rating, 0) + count
        counts = by_department.setdefault(department_id, (department_name, {}))[1]
        counts[rating] = counts.get(rating, 0) + count
        appeals[department_id] += under_appeal
    total, shares = engine.distribution(_each(overall), policy)
    departments = []
    ordered = sorted(by_department.items(), key=lambda entry: (entry[1][0] is None, entry[1][0] or "", str(entry[0])))
    for key, (name, ratings) in ordered:
        department_total, department_shares = engine.distribution(_each(ratings), policy)
        departments.append(
            schemas.DepartmentCalibration(
                department_id=key,
                department_name=name,
                total=department_total,
                appealed=appeals[key],
                bands=_bands(department_shares),
                violations=_violations(department_shares),
            )
        )
    return schemas.CycleCalibration(
        cycle_id=cycle.id,
        status=cycle.status,
        total=total,
        appealed=appeals.total(),
        bands=_bands(shares),
        violations=_violations(shares),
        departments=departments,
    )


def _each(counts: dict[str | None, int]) -> Iterator[str | None]:
    """Every evaluation's final rating from their counts, as the engine's distribution takes them."""
    return chain.from_iterable(repeat(rating, count) for rating, count in counts.items())


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


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else engine.round2(value)


async def export_cycle_evaluations(session: AsyncSession, cycle: Cycle, file_format: ExportFormat) -> encode.Export:
    """Every evaluation of the cycle, one row each, with the figures the API shows (stored, 2 decimals).

    Rows are streamed from the database a chunk at a time and encoded as they come (in a worker thread, off the event
    loop), so memory stays bounded whatever the cycle's size; the file is then streamed out.
    """
    reviewer = aliased(Employee)
    statement = (
        select(
            Employee.external_id,
            Employee.name,
            Department.name,
            reviewer.name,
            Evaluation.status,
            Evaluation.results_score,
            Evaluation.self_score,
            Evaluation.manager_score,
            Evaluation.final_score,
            Evaluation.rating,
            Evaluation.calibrated_rating,
        )
        .join(Employee, Employee.id == Evaluation.employee_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .outerjoin(reviewer, reviewer.id == Evaluation.reviewer_id)
        .where(Evaluation.cycle_id == cycle.id)
        .order_by(Department.name, Employee.name, Employee.external_id)
        .execution_options(yield_per=CHUNK)
    )
    header = tuple(translate(f"evaluation.export.{column}") for column in EXPORT_COLUMNS)
    encoder = encode.encoder(file_format, header, cycle.name)
    try:
        async for rows in (await session.stream(statement)).partitions():
            await to_thread.run_sync(encoder.write, [_export_row(row) for row in rows])
    except BaseException:
        encoder.close()
        raise
    stem = f"{cycle.name}-evaluations"
    fallback = f"evaluations-{cycle.id}-{date.today().isoformat()}"
    return encode.Export(
        media_type=encode.MEDIA_TYPES[file_format],
        content_disposition=encode.content_disposition(stem, fallback, file_format),
        chunks=encoder.chunks(),
    )


def _export_row(row: Sequence[Any]) -> list[encode.Cell]:
    external_id, name, department, boss, status, results, self_score, manager_score, final, rating, calibrated = row
    return [
        external_id,
        name,
        department,
        boss,
        status,
        _round(results),
        _round(self_score),
        _round(manager_score),
        _round(final),
        rating,
        calibrated,
        engine.final_rating(rating, calibrated),
    ]
