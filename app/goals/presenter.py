"""A goal as the API shows it: its columns and its progress (app/goals/progress.py); the tree's nodes too.

The one place a goal row becomes a schema. Routers and dependencies import this; it imports no service.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.repository import column_values
from app.goals import schemas
from app.goals.progress import GoalForest, progress_of
from app.models import Goal


async def present_many(
    session: AsyncSession, goals: Sequence[Goal], as_of: datetime | None = None
) -> list[schemas.Goal]:
    """Goals with their progress over their whole subtrees: the stored figure, or with ``as_of`` rolled up from the
    check-ins recorded by then, in a fixed number of statements however many there are."""
    if as_of is None:
        return [schemas.Goal.model_validate(column_values(goal)) for goal in goals]
    progress = await progress_of(session, (goal.id for goal in goals), as_of)
    return [schemas.Goal.model_validate(column_values(goal) | {"progress": progress.get(goal.id)}) for goal in goals]


async def present(session: AsyncSession, goal: Goal) -> schemas.Goal:
    return (await present_many(session, [goal]))[0]


def present_tree(forest: GoalForest, cycle_id: uuid.UUID | None, as_of: datetime | None) -> schemas.GoalTree:
    """The forest as nested nodes, each with its progress and its aligned KPRs, from figures already rolled up."""
    return schemas.GoalTree(cycle_id=cycle_id, as_of=as_of, roots=_nodes(forest))


def _nodes(forest: GoalForest) -> list[schemas.GoalNode]:
    children = forest.children_of()
    kprs = forest.kprs_of()
    built: dict[uuid.UUID, schemas.GoalNode] = {}
    # Build bottom-up (children before parents) without recursion.
    order: list[Any] = []
    stack = list(children.get(None, []))
    while stack:
        goal = stack.pop()
        order.append(goal)
        stack.extend(children.get(goal.id, []))
    for goal in reversed(order):
        built[goal.id] = schemas.GoalNode.model_validate(
            dict(goal._mapping)
            | {
                "progress": forest.progress.get(goal.id),
                "kprs": [
                    schemas.GoalTreeKpr.model_validate(
                        dict(kpr._mapping) | {"progress": forest.scores[kpr.id].progress}
                    )
                    for kpr in kprs.get(goal.id, [])
                ],
                "children": [built[child.id] for child in children.get(goal.id, [])],
            }
        )
    return [built[root.id] for root in children.get(None, [])]
