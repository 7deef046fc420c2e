"""A KPR's stored figures and SMART report, recomputed set-based for the KPRs a condition selects.

KPRs are taken in keyset chunks by id, so a whole cycle (a policy change, a backfill) is refreshed with bounded memory
and a fixed number of statements per chunk: the KPRs, their latest check-ins, their cycles and goal chains (each
loaded once per chunk, none held by the session re-read), and one executemany for the rows whose figures changed.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.core.enums import KprStatus
from app.core.repository import fetch_many, id_slices
from app.models import Cycle, Kpr
from app.models.base import utcnow
from app.scoring import engine
from app.scoring.policy import policy_from_json
from app.scoring.service import figures as engine_figures
from app.scoring.service import latest_values
from app.smart.reports import assess, goal_chains, smart_input

CHUNK = 2000
FIGURE_COLUMNS = ("current_value", "achievement", "progress", "score")


@dataclass
class Touched:
    """What a KPR refresh changed beyond the KPRs: the goals whose progress and the plans whose results may move."""

    goals: set[uuid.UUID] = field(default_factory=set)
    plans: set[uuid.UUID] = field(default_factory=set)

    def add(self, other: "Touched") -> None:
        self.goals |= other.goals
        self.plans |= other.plans


def computed(kpr: Any, actual: Decimal | None, policy: engine.Policy) -> dict[str, Decimal | None]:
    """A KPR's figures, fresh from the engine."""
    result = engine.score_kpr(engine_figures(kpr, actual), policy)
    return {
        "current_value": actual,
        "achievement": result.achievement,
        "progress": result.progress,
        "score": result.score,
    }


async def fill_new(session: AsyncSession, rows: list[dict[str, Any]], cycle: Cycle) -> None:
    """The figures and SMART reports of KPRs about to be inserted into ``cycle`` (rows as dicts, with no check-ins
    yet), written into the rows: made by the same engine as ``refresh``, so no refresh needs to read and rewrite them
    after the INSERT. One statement (their goal chains), however many."""
    policy = policy_from_json(cycle.policy)
    goals = await goal_chains(session, list({row["goal_id"] for row in rows}))
    for row in rows:
        kpr = SimpleNamespace(**row)
        row.update(computed(kpr, None, policy))
        row["smart"] = assess(smart_input(kpr), kpr.organization_id, kpr.goal_id, cycle, goals, policy).as_stored()


async def refresh(
    session: AsyncSession,
    where: ColumnElement[bool] | Iterable[uuid.UUID],
    *,
    values: bool = True,
    smart: bool = True,
) -> Touched:
    """Recompute the figures (``values``) and SMART reports (``smart``) of the KPRs ``where`` selects (a condition, or
    their ids); store what changed. Returns the goals and plans the change reaches."""
    # Rows are read as plain rows (not ORM objects), so a whole cycle never fills the session's identity map; what
    # the writer changed is flushed first, so the rows are as the writer left them.
    await session.flush()
    touched = Touched()
    policies: dict[uuid.UUID, engine.Policy] = {}
    if not isinstance(where, ColumnElement):
        # By id (a check-in, an edit, a push): the statement built once, CHUNK ids at a time, locked in id order.
        for ids in id_slices(sorted(set(where)), CHUNK):
            kprs = list(await session.execute(_BY_IDS, {"ids": ids}))
            if kprs:
                touched.add(await _refresh_chunk(session, kprs, policies, values=values, smart=smart))
        return touched
    last: uuid.UUID | None = None
    while True:
        # Locked (FOR NO KEY UPDATE, in id order) before their inputs are read: a check-in that locked its KPR first
        # commits before this reads it, and one that comes later waits and then reads what this wrote.
        statement = select(KPRS).where(where).order_by(Kpr.id).limit(CHUNK).with_for_update(key_share=True)
        if last is not None:
            statement = statement.where(Kpr.id > last)
        kprs = list(await session.execute(statement))
        if not kprs:
            return touched
        last = kprs[-1].id
        touched.add(await _refresh_chunk(session, kprs, policies, values=values, smart=smart))
        if len(kprs) < CHUNK:
            return touched


KPRS = Kpr.__table__
_BY_IDS = (
    select(KPRS).where(Kpr.id.in_(bindparam("ids", expanding=True))).order_by(Kpr.id).with_for_update(key_share=True)
)


async def _refresh_chunk(
    session: AsyncSession,
    kprs: list[Any],
    policies: dict[uuid.UUID, engine.Policy],
    *,
    values: bool,
    smart: bool,
) -> Touched:
    touched = Touched()
    cycles = await fetch_many(session, Cycle, {kpr.cycle_id for kpr in kprs})
    for cycle_id, cycle in cycles.items():
        if cycle_id not in policies:
            policies[cycle_id] = policy_from_json(cycle.policy)
    actuals = await latest_values(session, [kpr.id for kpr in kprs]) if values else {}
    goals = await goal_chains(session, list({kpr.goal_id for kpr in kprs})) if smart else {}
    changes: list[dict[str, Any]] = []
    for kpr in kprs:
        new: dict[str, Any] = {}
        if values:
            new.update(computed(kpr, actuals.get(kpr.id), policies[kpr.cycle_id]))
        if smart:
            new["smart"] = assess(
                smart_input(kpr), kpr.organization_id, kpr.goal_id, cycles[kpr.cycle_id], goals, policies[kpr.cycle_id]
            ).as_stored()
        changed = {name: value for name, value in new.items() if getattr(kpr, name) != value}
        if not changed:
            continue
        changes.append({"id": kpr.id, **changed})
        if kpr.status == KprStatus.ACTIVE:
            if "progress" in changed:
                touched.goals.add(kpr.goal_id)
            if "score" in changed:
                touched.plans.add(kpr.plan_id)
    await store(session, Kpr, changes)
    return touched


async def store(session: AsyncSession, model: Any, changes: list[dict[str, Any]]) -> None:
    """Write derived columns by primary key (one executemany) and show the new values on rows the session holds,
    without marking them changed."""
    if not changes:
        return
    # A changed figure changes the row as the API shows it: its updated_at moves too (incremental readers see it).
    now = utcnow()
    changes = [{**change, "updated_at": now} for change in changes]
    # Rows of one shape go together, so each executemany has one statement (SQLAlchemy groups by key set).
    await session.execute(update(model).execution_options(synchronize_session=False), changes)
    for change in changes:
        held = session.identity_map.get(identity_key(model, change["id"]))
        if held is not None:
            for name, value in change.items():
                if name != "id":
                    set_committed_value(held, name, value)
