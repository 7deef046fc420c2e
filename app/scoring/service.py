"""Loads what the engine needs, set-based, and scores KPRs as of a moment; never more than a few statements."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.models import CheckIn, Cycle, Kpi, Kpr
from app.scoring import engine
from app.scoring.policy import policy_from_json

# SQLite allows 32,766 bound parameters per statement; stay far below it, yet take a whole chunk of the figures'
# refresh (app.figures.kprs.CHUNK, 2000 KPRs) in one statement: a push of 1,000 figures to 1,000 KPRs costs what one
# to 10 does.
ID_CHUNK = 2000


@dataclass(frozen=True)
class KprScore:
    current_value: Decimal | None
    achievement: Decimal | None
    progress: Decimal | None
    score: Decimal | None


def latest_values_statement(
    where: ColumnElement[bool],
    as_of: datetime | None,
    subject: InstrumentedAttribute[uuid.UUID | None] = CheckIn.kpr_id,
    *,
    join_kprs: bool = False,
) -> Select[uuid.UUID, Decimal]:
    """The newest check-in value per KPR (or KPI, by ``subject``) at or before ``as_of``, where ``where`` holds.

    With ``join_kprs``, ``where`` may filter on the KPR's own columns (cycle, plan, owner): large cycles then read KPRs
    by an index and check-ins by (kpr_id, recorded_at), which stays linear even before the planner has statistics.
    """
    conditions = [subject.is_not(None), where]
    if as_of is not None:
        conditions.append(CheckIn.recorded_at <= as_of)
    selected = select(
        subject.label("subject_id"),
        CheckIn.value,
        func.row_number()
        .over(
            partition_by=subject,
            # The same order as the check-in list, so "latest" there and here is one check-in.
            order_by=(CheckIn.recorded_at.desc(), CheckIn.id.desc()),
        )
        .label("rank"),
    )
    if join_kprs:
        selected = selected.join(Kpr, Kpr.id == CheckIn.kpr_id)
    ranked = selected.where(*conditions).subquery()
    return select(ranked.c.subject_id, ranked.c.value).where(ranked.c.rank == 1)


async def latest_values(
    session: AsyncSession,
    ids: Iterable[uuid.UUID],
    as_of: datetime | None = None,
    subject: InstrumentedAttribute[uuid.UUID | None] = CheckIn.kpr_id,
) -> dict[uuid.UUID, Decimal]:
    """Latest values of these KPRs (or KPIs with ``subject=CheckIn.kpi_id``); one statement per ID_CHUNK ids."""
    unique = list(dict.fromkeys(ids))
    values: dict[uuid.UUID, Decimal] = {}
    for start in range(0, len(unique), ID_CHUNK):
        chunk = unique[start : start + ID_CHUNK]
        parameters: dict[str, Any] = {"ids": chunk, "as_of": as_of}
        rows = await session.execute(latest_of_statement(as_of is not None, subject), parameters)
        values.update({subject_id: value for subject_id, value in rows if value is not None})
    return values


def latest_of_statement(
    as_of: bool, subject: InstrumentedAttribute[uuid.UUID | None]
) -> Select[uuid.UUID, Decimal | None]:
    """Each of the KPRs (or KPIs) bound as ``ids`` with its newest check-in value (at or before the bound ``as_of``
    when ``as_of``; None without one). Built once per variant, like every statement a request runs.

    One index probe per subject, newest first along (subject, recorded_at, id), instead of ranking every check-in of
    the subjects: a KPR checked in ten thousand times costs a check-in what one checked in once does.
    """
    key = (as_of, subject.key)
    statement = _LATEST_OF.get(key)
    if statement is None:
        owner = Kpr.id if subject is CheckIn.kpr_id else Kpi.id
        conditions = [subject == owner]
        if as_of:
            conditions.append(CheckIn.recorded_at <= bindparam("as_of", type_=CheckIn.recorded_at.type))
        newest = (
            select(CheckIn.value)
            .where(*conditions)
            # The same order as the check-in list and latest_values_statement: "latest" is one check-in everywhere.
            .order_by(CheckIn.recorded_at.desc(), CheckIn.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        statement = _LATEST_OF[key] = select(owner, newest).where(owner.in_(bindparam("ids", expanding=True)))
    return statement


_LATEST_OF: dict[tuple[bool, str], Select[uuid.UUID, Decimal | None]] = {}


async def latest_values_for_cycle(
    session: AsyncSession, cycle_id: uuid.UUID, as_of: datetime | None = None
) -> dict[uuid.UUID, Decimal]:
    in_cycle = CheckIn.kpr_id.in_(select(Kpr.id).where(Kpr.cycle_id == cycle_id))
    rows = await session.execute(latest_values_statement(in_cycle, as_of))
    return dict(rows.all())


async def policies(session: AsyncSession, cycle_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, engine.Policy]:
    ids = list(dict.fromkeys(cycle_ids))
    if not ids:
        return {}
    rows = await session.execute(select(Cycle.id, Cycle.policy).where(Cycle.id.in_(ids)))
    return {cycle_id: policy_from_json(policy) for cycle_id, policy in rows}


def figures(kpr: Any, actual: Decimal | None) -> engine.KprFigures:
    """The engine's inputs from a KPR row (ORM object or plain row) and its actual."""
    return engine.KprFigures(
        direction=engine.Direction(kpr.direction),
        baseline=kpr.baseline,
        target=kpr.target,
        threshold=kpr.threshold,
        stretch=kpr.stretch,
        tolerance=kpr.tolerance,
        actual=actual,
        weight=kpr.weight,
    )


def score_one(kpr: Kpr, actual: Decimal | None, policy: engine.Policy) -> KprScore:
    result = engine.score_kpr(figures(kpr, actual), policy)
    return KprScore(actual, result.achievement, result.progress, result.score)


async def score_kprs(
    session: AsyncSession, kprs: Sequence[Kpr], as_of: datetime | None = None
) -> dict[uuid.UUID, KprScore]:
    """Scores for these KPRs as they stood at ``as_of`` (now when None): two statements whatever their number."""
    actuals = await latest_values(session, (k.id for k in kprs), as_of)
    by_cycle = await policies(session, (k.cycle_id for k in kprs))
    return {k.id: score_one(k, actuals.get(k.id), by_cycle[k.cycle_id]) for k in kprs}
