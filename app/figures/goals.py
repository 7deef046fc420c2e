"""A goal's stored progress: recomputed for the goals a change reaches and every goal above them, bottom-up.

Three statements whatever the tree: the goals and their ancestors (one recursive statement that locks them), their
child goals, and the sums Σ goal_weight·progress and Σ goal_weight of their active KPRs — an aggregate on PostgreSQL
(exact NUMERIC), summed here on SQLite (whose SUM goes through floats) — then one executemany for the goals whose
progress changed.
"""

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import KprStatus
from app.figures.kprs import store
from app.figures.trees import with_ancestors
from app.models import Goal, Kpr
from app.scoring import engine

Sums = dict[uuid.UUID, tuple[Decimal, Decimal]]


async def refresh(session: AsyncSession, seeds: Iterable[uuid.UUID]) -> None:
    """Recompute ``seeds`` and every goal above them; store the progress that changed."""
    seed_ids = [seed for seed in dict.fromkeys(seeds) if seed is not None]
    if not seed_ids:
        return
    await session.flush()
    chain = with_ancestors(select(Goal.id, Goal.parent_id).where(Goal.id.in_(seed_ids)))
    # Locked in id order, and their progress read under the lock: two check-ins under one goal, committing side by
    # side, would otherwise each store a progress that misses the other's KPR (READ COMMITTED reads after the lock).
    locked = select(Goal.id, Goal.progress).where(Goal.id.in_(chain)).order_by(Goal.id)
    affected = {row.id: row for row in await session.execute(locked.with_for_update(key_share=True, of=Goal))}
    if not affected:
        return
    children: dict[uuid.UUID, list[Any]] = {}
    rows = await session.execute(
        select(Goal.id, Goal.parent_id, Goal.weight, Goal.progress).where(Goal.parent_id.in_(list(affected)))
    )
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    sums = await kpr_sums(session, list(affected))

    progress: dict[uuid.UUID, Decimal | None] = {}

    def compute(goal_id: uuid.UUID) -> Decimal | None:
        # Iterative post-order over the affected goals only: a child outside them keeps its stored progress.
        stack: list[tuple[uuid.UUID, bool]] = [(goal_id, False)]
        while stack:
            current, expanded = stack.pop()
            if current in progress:
                continue
            below = [child for child in children.get(current, []) if child.id in affected and child.id not in progress]
            if not expanded and below:
                stack.append((current, True))
                stack.extend((child.id, False) for child in below)
                continue
            progress[current] = _progress_of(current, children, sums, progress, affected)
        return progress[goal_id]

    changes = []
    for goal_id, stored in affected.items():
        value = compute(goal_id)
        if value != stored.progress:
            changes.append({"id": goal_id, "progress": value})
    await store(session, Goal, changes)


def _progress_of(
    goal_id: uuid.UUID,
    children: dict[uuid.UUID, list[Any]],
    sums: Sums,
    progress: dict[uuid.UUID, Decimal | None],
    affected: dict[uuid.UUID, Any],
) -> Decimal | None:
    parts: list[tuple[Decimal, Decimal | None]] = []
    for child in children.get(goal_id, []):
        value = progress.get(child.id) if child.id in affected else child.progress
        parts.append((child.weight, value))
    weighted, weight = sums.get(goal_id, (Decimal(0), Decimal(0)))
    return engine.goal_progress_of_sums(parts, weighted, weight)


async def kpr_sums(session: AsyncSession, goal_ids: list[uuid.UUID]) -> Sums:
    """(Σ goal_weight·progress, Σ goal_weight) over each goal's active KPRs that have a progress."""
    conditions = (Kpr.goal_id.in_(goal_ids), Kpr.status == KprStatus.ACTIVE, Kpr.progress.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        rows = await session.execute(
            select(Kpr.goal_id, func.sum(Kpr.goal_weight * Kpr.progress), func.sum(Kpr.goal_weight))
            .where(*conditions)
            .group_by(Kpr.goal_id)
        )
        return {goal_id: (Decimal(weighted), Decimal(weight)) for goal_id, weighted, weight in rows}
    sums: Sums = {}
    for goal_id, goal_weight, value in await session.execute(
        select(Kpr.goal_id, Kpr.goal_weight, Kpr.progress).where(*conditions)
    ):
        weighted, weight = sums.get(goal_id, (Decimal(0), Decimal(0)))
        if value is not None:  # filtered out above; narrowed for the type checker
            sums[goal_id] = engine.accumulate(weighted, weight, goal_weight, value)
    return sums
