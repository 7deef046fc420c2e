"""The goal tree's two walks as statements: a subtree downwards, a chain of ancestors upwards (recursive CTEs).

They sit here, below both the goals domain and the figures it keeps, so the two share one definition of each walk.
"""

import uuid
from typing import Any

from sqlalchemy import Select, select

from app.models import Goal


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
