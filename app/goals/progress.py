"""Goal progress (DESIGN §4) rolled up over a forest of goals with their active aligned KPRs: the one-cycle tree (from
the KPRs' stored figures) and every read ``as_of`` a moment (from the check-ins recorded by then). A goal's current
progress over its whole subtree is stored (``app.figures.goals``) and equals this roll-up.

Every read loads the goals it needs in one statement, their active aligned KPRs in one, the KPRs' latest check-ins and
their cycles' policies in one each, and rolls up in Python — so the number of statements does not depend on how deep
or wide the tree is. Goal ids are passed around as selects (subqueries), never as bound ids, for the same reason.

The presenter and the service import this; it imports neither.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import KprStatus
from app.figures.trees import subtrees_of
from app.models import CheckIn, Goal, Kpr
from app.scoring import engine
from app.scoring.service import KprScore, latest_values_statement, policies, score_one

# The columns a forest needs: everything a goal shows; a KPR's tree fields, its stored figures and its scoring inputs
# (never its SMART report or description, which a tree does not show).
GOAL_COLUMNS = tuple(Goal.__table__.c)
KPR_COLUMNS = tuple(column for column in Kpr.__table__.c if column.key not in ("smart", "description"))


@dataclass
class GoalForest:
    """A set of goals with their active aligned KPRs (plain rows) and the figures derived from them at one moment."""

    goals: list[Any]
    kprs: list[Any]
    scores: dict[uuid.UUID, KprScore]
    progress: dict[uuid.UUID, Decimal | None] = field(default_factory=dict)

    def children_of(self) -> dict[uuid.UUID | None, list[Any]]:
        loaded = {goal.id for goal in self.goals}
        children: dict[uuid.UUID | None, list[Any]] = {}
        for goal in sorted(self.goals, key=_creation_order):
            # A goal whose parent is not in the forest is one of its roots.
            parent = goal.parent_id if goal.parent_id in loaded else None
            children.setdefault(parent, []).append(goal)
        return children

    def kprs_of(self) -> dict[uuid.UUID, list[Any]]:
        by_goal: dict[uuid.UUID, list[Any]] = {}
        for kpr in sorted(self.kprs, key=_creation_order):
            by_goal.setdefault(kpr.goal_id, []).append(kpr)
        return by_goal


def _creation_order(row: Any) -> tuple[datetime, uuid.UUID]:
    return row.created_at, row.id


def roll_up(forest: GoalForest) -> dict[uuid.UUID, Decimal | None]:
    """Every goal's progress from its children in the forest, bottom-up, without recursion (trees may be deep)."""
    children = forest.children_of()
    kprs = forest.kprs_of()
    progress: dict[uuid.UUID, Decimal | None] = {}
    for root in children.get(None, []):
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            goal, expanded = stack.pop()
            if goal.id in progress:
                continue
            if not expanded:
                stack.append((goal, True))
                stack.extend((child, False) for child in children.get(goal.id, []) if child.id not in progress)
                continue
            parts: list[tuple[Decimal, Decimal | None]] = [
                (child.weight, progress.get(child.id)) for child in children.get(goal.id, [])
            ]
            parts.extend((kpr.goal_weight, forest.scores[kpr.id].progress) for kpr in kprs.get(goal.id, []))
            progress[goal.id] = engine.goal_progress(parts)
    forest.progress = progress
    return progress


@dataclass(frozen=True)
class ForestQuery:
    """The statements that load one kind of forest, built once (at import for the trees the API serves) and run with
    bound parameters, so a request neither builds nor re-keys them."""

    goals: Select[Any]
    kprs: Select[Any]
    kpr_ids: Select[Any]


def forest_query(goal_ids: Select[Any], kpr_condition: ColumnElement[bool] | None = None) -> ForestQuery:
    """Statements for the goals ``goal_ids`` selects and their active aligned KPRs (those ``kpr_condition`` admits).

    The id selection is passed down as a subquery instead of bound ids, so no statement grows with the tree (and
    none meets a bound-parameter limit).
    """
    kpr_conditions = [Kpr.status == KprStatus.ACTIVE, Kpr.goal_id.in_(goal_ids)]
    if kpr_condition is not None:
        kpr_conditions.append(kpr_condition)
    return ForestQuery(
        goals=select(*GOAL_COLUMNS).where(Goal.id.in_(goal_ids)),
        kprs=select(*KPR_COLUMNS).where(*kpr_conditions),
        kpr_ids=select(Kpr.id).where(*kpr_conditions),
    )


async def load_forest(
    session: AsyncSession, query: ForestQuery, as_of: datetime | None, params: dict[str, Any] | None = None
) -> GoalForest:
    """The forest ``query`` selects (with ``params`` bound), its KPRs' figures and the roll-up: two statements for
    today's figures (stored on the KPRs), four as of a moment (their check-ins then, and their cycles' policies)."""
    goals = list(await session.execute(query.goals, params))
    kprs = list(await session.execute(query.kprs, params)) if goals else []
    scores: dict[uuid.UUID, KprScore] = {}
    if as_of is None:
        # Today's figures are stored on the KPRs (kept current on write); only the roll-up happens here, because a
        # long-term goal in one cycle's tree counts that cycle's part of its subtree only.
        scores = {kpr.id: KprScore(kpr.current_value, kpr.achievement, kpr.progress, kpr.score) for kpr in kprs}
    elif kprs:
        rows = await session.execute(latest_values_statement(CheckIn.kpr_id.in_(query.kpr_ids), as_of), params)
        actuals: dict[uuid.UUID, Decimal] = {kpr_id: value for kpr_id, value in rows}
        by_cycle = await policies(session, {kpr.cycle_id for kpr in kprs})
        scores = {kpr.id: score_one(kpr, actuals.get(kpr.id), by_cycle[kpr.cycle_id]) for kpr in kprs}
    forest = GoalForest(goals=goals, kprs=kprs, scores=scores)
    roll_up(forest)
    return forest


async def progress_of(
    session: AsyncSession, goal_ids: Iterable[uuid.UUID], as_of: datetime | None = None
) -> dict[uuid.UUID, Decimal | None]:
    """Progress of these goals over their whole subtrees (children of every cycle): single reads and list pages."""
    ids = list(dict.fromkeys(goal_ids))
    if not ids:
        return {}
    query = forest_query(subtrees_of(select(Goal.id).where(Goal.id.in_(ids))))
    forest = await load_forest(session, query, as_of)
    return {goal_id: forest.progress.get(goal_id) for goal_id in ids}
