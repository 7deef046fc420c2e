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
from app.models import CheckIn, Goal, Kpr
from app.scoring import engine
from app.scoring.service import KprScore, latest_values_statement, policies, score_one


@dataclass
class GoalForest:
    """A set of goals with their active aligned KPRs and the figures derived from them at one moment."""

    goals: list[Goal]
    kprs: list[Kpr]
    scores: dict[uuid.UUID, KprScore]
    progress: dict[uuid.UUID, Decimal | None] = field(default_factory=dict)

    def children_of(self) -> dict[uuid.UUID | None, list[Goal]]:
        loaded = {goal.id for goal in self.goals}
        children: dict[uuid.UUID | None, list[Goal]] = {}
        for goal in sorted(self.goals, key=_creation_order):
            # A goal whose parent is not in the forest is one of its roots.
            parent = goal.parent_id if goal.parent_id in loaded else None
            children.setdefault(parent, []).append(goal)
        return children

    def kprs_of(self) -> dict[uuid.UUID, list[Kpr]]:
        by_goal: dict[uuid.UUID, list[Kpr]] = {}
        for kpr in sorted(self.kprs, key=_creation_order):
            by_goal.setdefault(kpr.goal_id, []).append(kpr)
        return by_goal


def _creation_order(row: Goal | Kpr) -> tuple[datetime, uuid.UUID]:
    return row.created_at, row.id


def roll_up(forest: GoalForest) -> dict[uuid.UUID, Decimal | None]:
    """Every goal's progress from its children in the forest, bottom-up, without recursion (trees may be deep)."""
    children = forest.children_of()
    kprs = forest.kprs_of()
    progress: dict[uuid.UUID, Decimal | None] = {}
    for root in children.get(None, []):
        stack: list[tuple[Goal, bool]] = [(root, False)]
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


async def load_forest(
    session: AsyncSession,
    goal_ids: Select[Any],
    as_of: datetime | None,
    kpr_condition: ColumnElement[bool] | None = None,
) -> GoalForest:
    """The goals that ``goal_ids`` selects, their active aligned KPRs and scores; four statements whatever the size.

    The id selection is passed down as a subquery instead of bound ids, so no statement grows with the tree (and
    none meets a bound-parameter limit).
    """
    goals = list(await session.scalars(select(Goal).where(Goal.id.in_(goal_ids))))
    kpr_conditions = [Kpr.status == KprStatus.ACTIVE, Kpr.goal_id.in_(goal_ids)]
    if kpr_condition is not None:
        kpr_conditions.append(kpr_condition)
    kprs = list(await session.scalars(select(Kpr).where(*kpr_conditions))) if goals else []
    scores: dict[uuid.UUID, KprScore] = {}
    if as_of is None:
        # Today's figures are stored on the KPRs (kept current on write); only the roll-up happens here, because a
        # long-term goal in one cycle's tree counts that cycle's part of its subtree only.
        scores = {kpr.id: KprScore(kpr.current_value, kpr.achievement, kpr.progress, kpr.score) for kpr in kprs}
    elif kprs:
        latest = select(Kpr.id).where(*kpr_conditions)
        rows = await session.execute(latest_values_statement(CheckIn.kpr_id.in_(latest), as_of))
        actuals: dict[uuid.UUID, Decimal] = {kpr_id: value for kpr_id, value in rows}
        by_cycle = await policies(session, {kpr.cycle_id for kpr in kprs})
        scores = {kpr.id: score_one(kpr, actuals.get(kpr.id), by_cycle[kpr.cycle_id]) for kpr in kprs}
    forest = GoalForest(goals=goals, kprs=kprs, scores=scores)
    roll_up(forest)
    return forest


def subtrees_of(seed: Select[Any]) -> Select[Any]:
    """Ids of the goals ``seed`` selects (a select of goal ids) and of every goal below them."""
    tree = seed.cte("goal_subtree", recursive=True)
    tree = tree.union(select(Goal.id).join(tree, Goal.parent_id == tree.c.id))
    return select(tree.c.id)


def with_ancestors(seed: Select[uuid.UUID, uuid.UUID | None]) -> Select[Any]:
    """Ids of the goals ``seed`` selects (a select of goal id and parent_id) and of every goal above them."""
    chain = seed.cte("goal_chain", recursive=True)
    chain = chain.union(select(Goal.id, Goal.parent_id).join(chain, Goal.id == chain.c.parent_id))
    return select(chain.c.id)


async def progress_of(
    session: AsyncSession, goal_ids: Iterable[uuid.UUID], as_of: datetime | None = None
) -> dict[uuid.UUID, Decimal | None]:
    """Progress of these goals over their whole subtrees (children of every cycle): single reads and list pages."""
    ids = list(dict.fromkeys(goal_ids))
    if not ids:
        return {}
    forest = await load_forest(session, subtrees_of(select(Goal.id).where(Goal.id.in_(ids))), as_of)
    return {goal_id: forest.progress.get(goal_id) for goal_id in ids}
