"""An evaluation's figures: stored and kept current before finalization (app.figures), from the frozen snapshot after
it, and computed from history only for reads as of a past time.

Loading is set-based (one statement for the KPRs of any number of plans, one for their latest values), so a page of
evaluations or a cycle's summary as of a past time costs the same few statements.
"""

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import JSON, ColumnElement, String, Text, and_, case, cast, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import FROZEN_EVALUATION_STATES, KprStatus
from app.core.schemas import STORED
from app.models import Evaluation, Kpr
from app.models.types import FigureDecimal
from app.scoring import engine
from app.scoring.policy import PolicyIn
from app.scoring.service import latest_values_statement

FROZEN_STATES = FROZEN_EVALUATION_STATES
SNAPSHOT_VERSION = 1


class KprRow(NamedTuple):
    """The columns of an active KPR that scoring and the items list need."""

    id: uuid.UUID
    plan_id: uuid.UUID
    title: str
    unit: str | None
    direction: str
    baseline: Decimal
    target: Decimal
    threshold: Decimal | None
    stretch: Decimal | None
    tolerance: Decimal | None
    weight: Decimal


KPR_COLUMNS = (
    Kpr.id,
    Kpr.plan_id,
    Kpr.title,
    Kpr.unit,
    Kpr.direction,
    Kpr.baseline,
    Kpr.target,
    Kpr.threshold,
    Kpr.stretch,
    Kpr.tolerance,
    Kpr.weight,
)


@dataclass(frozen=True)
class Item:
    kpr: KprRow
    actual: Decimal | None
    achievement: Decimal | None
    progress: Decimal | None
    score: Decimal | None


@dataclass(frozen=True)
class Figures:
    items: list[Item]
    results_score: Decimal | None
    final_score: Decimal | None
    rating: str | None


@dataclass(frozen=True)
class LiveInputs:
    """Active KPRs grouped by plan (in a stable order) and the latest value of each."""

    kprs_by_plan: Mapping[uuid.UUID, Sequence[KprRow]]
    values: Mapping[uuid.UUID, Decimal]

    def kprs(self, plan_id: uuid.UUID) -> Sequence[KprRow]:
        return self.kprs_by_plan.get(plan_id, ())


async def load_live_inputs(
    session: AsyncSession, kpr_where: ColumnElement[bool], as_of: datetime | None = None
) -> LiveInputs:
    """Two statements: the active KPRs that ``kpr_where`` selects, and their latest check-in values.

    ``kpr_where`` should filter the KPR table on its own columns (cycle, plan ids, owner); both statements then read
    KPRs by an index and check-ins by ``(kpr_id, recorded_at)``, so the plans stay linear even while the planner's
    statistics lag behind a bulk insert (a semi-join against freshly inserted evaluations did not).
    """
    active = (Kpr.status == KprStatus.ACTIVE, kpr_where)
    rows = await session.execute(select(*KPR_COLUMNS).where(*active).order_by(Kpr.plan_id, Kpr.created_at, Kpr.id))
    by_plan: dict[uuid.UUID, list[KprRow]] = {}
    for row in rows:
        kpr = KprRow(*row)
        by_plan.setdefault(kpr.plan_id, []).append(kpr)
    if not by_plan:
        return LiveInputs({}, {})
    values = dict((await session.execute(latest_values_statement(and_(*active), as_of, join_kprs=True))).all())
    return LiveInputs(by_plan, values)


async def stored_items(session: AsyncSession, plan_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Item]]:
    """The items of live evaluations from their plans' active KPRs and those KPRs' stored figures: one statement."""
    ids = list(dict.fromkeys(plan_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(*KPR_COLUMNS, Kpr.current_value, Kpr.achievement, Kpr.progress, Kpr.score)
        .where(Kpr.plan_id.in_(ids), Kpr.status == KprStatus.ACTIVE)
        .order_by(Kpr.plan_id, Kpr.created_at, Kpr.id)
    )
    width = len(KPR_COLUMNS)
    by_plan: dict[uuid.UUID, list[Item]] = {}
    for row in rows:
        values: tuple[Any, ...] = tuple(row)
        kpr = KprRow(*values[:width])
        by_plan.setdefault(kpr.plan_id, []).append(Item(kpr, *values[width:]))
    return by_plan


def score_items(kprs: Iterable[KprRow], values: Mapping[uuid.UUID, Decimal], policy: engine.Policy) -> list[Item]:
    items = []
    for kpr in kprs:
        actual = values.get(kpr.id)
        result = engine.score_kpr(
            engine.KprFigures(
                direction=engine.Direction(kpr.direction),
                baseline=kpr.baseline,
                target=kpr.target,
                threshold=kpr.threshold,
                stretch=kpr.stretch,
                tolerance=kpr.tolerance,
                actual=actual,
                weight=kpr.weight,
            ),
            policy,
        )
        items.append(Item(kpr, actual, result.achievement, result.progress, result.score))
    return items


def combine(
    items: list[Item],
    manager_score: Decimal | None,
    self_score: Decimal | None,
    policy: engine.Policy,
    peer_score: Decimal | None = None,
) -> Figures:
    results = engine.results_score((item.kpr.weight, item.score) for item in items)
    final = engine.final_score(results, manager_score, self_score, policy, peer_score)
    return Figures(items, results, final, engine.rating_for(final, policy))


# --- the frozen snapshot --------------------------------------------------------------------------------------------
# Decimals are stored as strings: JSON numbers would pass through binary floats and could change by a cent.


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _undec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def resolved_policy(policy_json: Mapping[str, Any] | None) -> dict[str, Any]:
    """The full policy document (defaults filled in), as the snapshot keeps it."""
    return PolicyIn.model_validate(dict(policy_json or {}), context=STORED).model_dump(mode="json")


def snapshot(
    figures: Figures,
    manager_score: Decimal | None,
    self_score: Decimal | None,
    policy: dict[str, Any],
    at: datetime,
    peer_score: Decimal | None = None,
    peer_responses: int = 0,
) -> dict[str, Any]:
    return {
        "version": SNAPSHOT_VERSION,
        "scored_at": at.isoformat(),
        "policy": policy,
        "inputs": {
            "self_score": _dec(self_score),
            "manager_score": _dec(manager_score),
            "peer_score": _dec(peer_score),
            "peer_responses": peer_responses,
        },
        "items": [
            {
                "kpr_id": str(item.kpr.id),
                "title": item.kpr.title,
                "unit": item.kpr.unit,
                "direction": item.kpr.direction,
                "baseline": _dec(item.kpr.baseline),
                "target": _dec(item.kpr.target),
                "threshold": _dec(item.kpr.threshold),
                "stretch": _dec(item.kpr.stretch),
                "tolerance": _dec(item.kpr.tolerance),
                "weight": _dec(item.kpr.weight),
                "actual": _dec(item.actual),
                "achievement": _dec(item.achievement),
                "progress": _dec(item.progress),
                "score": _dec(item.score),
            }
            for item in figures.items
        ],
        "results_score": _dec(figures.results_score),
        "final_score": _dec(figures.final_score),
        "rating": figures.rating,
    }


class _SnapshotSql:
    """The JSON functions of one database: PostgreSQL's json_build_object and json_agg, SQLite's json_object and
    json_group_array (whose JSON text loses its JSON type through a subquery, so it is read again with json())."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def text(self, column: Any) -> ColumnElement[Any]:
        """A decimal column as ``_dec`` writes it when the service reads it."""
        if not self.sqlite:
            # numeric::text is what the driver's Decimal formats to with "f" (same digits, same scale).
            return cast(column, Text)
        if isinstance(column.type, FigureDecimal):
            figure: ColumnElement[Any] = column  # SQLite keeps a figure as that text already
            return figure
        # An exact decimal is read normalized on SQLite ("87.50" as 87.5): its text without the trailing zeros.
        return case(
            (func.instr(column, ".") > 0, func.rtrim(func.rtrim(column, "0"), ".")),
            else_=column,
        )

    def uuid(self, column: Any) -> ColumnElement[Any]:
        if not self.sqlite:
            return cast(column, Text)
        # SQLite keeps a UUID as 32 hex digits: written out as str(uuid.UUID) does.
        parts = [func.substr(column, start, length) for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
        return func.lower(parts[0] + "-" + parts[1] + "-" + parts[2] + "-" + parts[3] + "-" + parts[4])

    def json(self, value: Any) -> ColumnElement[Any]:
        return func.json(value) if self.sqlite else value

    def object(self, **fields: Any) -> ColumnElement[Any]:
        pairs: list[Any] = []
        for name, value in fields.items():
            pairs += [literal_column(f"'{name}'"), value]
        return (func.json_object if self.sqlite else func.json_build_object)(*pairs)

    def ordered_array(self, item: ColumnElement[Any], where: Sequence[ColumnElement[bool]], *order: Any) -> Any:
        if not self.sqlite:
            aggregated = func.json_agg(aggregate_order_by(item, *order))
            return select(func.coalesce(aggregated, literal_column("'[]'::json"))).where(*where).scalar_subquery()
        # SQLite (before 3.44) has no ORDER BY inside an aggregate: it aggregates an ordered subquery in its order.
        ordered = select(item.label("item")).where(*where).order_by(*order).correlate(Evaluation).subquery("ordered")
        return func.json(select(func.json_group_array(func.json(ordered.c.item))).scalar_subquery())


def snapshot_sql(policy: dict[str, Any], at: datetime, dialect: str) -> ColumnElement[Any]:
    """``snapshot`` built by the database for the evaluation row being updated, from the stored figures of its plan's
    active KPRs (in the items' order) and its own — the same document ``snapshot`` makes of them, so a whole cycle is
    frozen without its rows passing through the service."""
    sql = _SnapshotSql(dialect)
    item = sql.object(
        kpr_id=sql.uuid(Kpr.id),
        title=Kpr.title,
        unit=Kpr.unit,
        direction=Kpr.direction,
        baseline=sql.text(Kpr.baseline),
        target=sql.text(Kpr.target),
        threshold=sql.text(Kpr.threshold),
        stretch=sql.text(Kpr.stretch),
        tolerance=sql.text(Kpr.tolerance),
        weight=sql.text(Kpr.weight),
        actual=sql.text(Kpr.current_value),
        achievement=sql.text(Kpr.achievement),
        progress=sql.text(Kpr.progress),
        score=sql.text(Kpr.score),
    )
    items = sql.ordered_array(
        item, (Kpr.plan_id == Evaluation.plan_id, Kpr.status == KprStatus.ACTIVE), Kpr.created_at, Kpr.id
    )
    policy_document = literal(json.dumps(policy), Text)
    return sql.object(
        version=literal_column(str(SNAPSHOT_VERSION)),
        scored_at=literal(at.isoformat(), String),
        policy=sql.json(policy_document) if sql.sqlite else cast(policy_document, JSON),
        inputs=sql.object(
            self_score=sql.text(Evaluation.self_score),
            manager_score=sql.text(Evaluation.manager_score),
            peer_score=sql.text(Evaluation.peer_score),
            peer_responses=Evaluation.peer_responses,
        ),
        items=items,
        results_score=sql.text(Evaluation.results_score),
        final_score=sql.text(Evaluation.final_score),
        rating=Evaluation.rating,
    )


def frozen_items(data: Mapping[str, Any], plan_id: uuid.UUID) -> list[Item]:
    """The items exactly as they were scored at finalization."""
    items = []
    for raw in data.get("items", []):
        kpr = KprRow(
            id=uuid.UUID(raw["kpr_id"]),
            plan_id=plan_id,
            title=raw["title"],
            unit=raw.get("unit"),
            direction=raw["direction"],
            baseline=_undec(raw["baseline"]) or Decimal(0),
            target=_undec(raw["target"]) or Decimal(0),
            threshold=_undec(raw.get("threshold")),
            stretch=_undec(raw.get("stretch")),
            tolerance=_undec(raw.get("tolerance")),
            weight=_undec(raw["weight"]) or Decimal(0),
        )
        items.append(
            Item(
                kpr,
                _undec(raw.get("actual")),
                _undec(raw["achievement"]),
                _undec(raw["progress"]),
                _undec(raw["score"]),
            )
        )
    return items
