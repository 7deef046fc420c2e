"""The stored figures of one organization against the engine's fresh computation, to the cent.

Every figure ``app.figures`` keeps current is recomputed here by the code paths that do not read it: a KPR's figures
from its check-ins (``score_kprs``), its SMART report from its goal chain and cycle (``assess``), a goal's progress
over its whole subtree from check-ins (``progress_of`` as of now, which scores from history), and a live evaluation's
figures from its plan's KPRs and their latest check-ins (``load_live_inputs``, ``score_items``, ``combine``) and its
peer score from its submitted feedback responses (``engine.peer_score``). A frozen evaluation must still show what its
snapshot froze.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.enums import FeedbackStatus
from app.core.repository import fetch_many
from app.evaluations.figures import FROZEN_STATES, combine, load_live_inputs, score_items
from app.goals.progress import progress_of
from app.models import Cycle, Evaluation, FeedbackRequest, Goal, Kpr
from app.scoring import engine
from app.scoring.service import policies, score_kprs
from app.smart.reports import assess, goal_chains, smart_input


def cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else engine.round2(Decimal(value))


def _undec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass
class Fresh:
    """The figures of an organization fresh from the engine, to the cent, by id (as the API shows them), and every
    stored figure that differs from them."""

    kprs: dict[str, dict[str, Any]] = field(default_factory=dict)
    goals: dict[str, Decimal | None] = field(default_factory=dict)
    evaluations: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


async def fresh_figures(session: AsyncSession, organization_id: uuid.UUID) -> Fresh:
    """Recompute every figure of the organization and compare it with the stored one."""
    result = Fresh()
    problems = result.problems
    # A moment after every check-in (none is in the future beyond the clock skew): "as of" scores from history.
    later = datetime.now(UTC) + timedelta(hours=1)

    kprs = list(await session.scalars(select(Kpr).where(Kpr.organization_id == organization_id)))
    fresh = await score_kprs(session, kprs)
    cycles = await fetch_many(session, Cycle, {kpr.cycle_id for kpr in kprs})
    chains = await goal_chains(session, list({kpr.goal_id for kpr in kprs}))
    for kpr in kprs:
        expected = fresh[kpr.id]
        for name in ("current_value", "achievement", "progress", "score"):
            stored, computed = getattr(kpr, name), getattr(expected, name)
            if cents(stored) != cents(computed):
                problems.append(f"kpr {kpr.title!r} {kpr.id}: {name} stored {stored}, fresh {computed}")
        report = assess(smart_input(kpr), kpr.organization_id, kpr.goal_id, cycles[kpr.cycle_id], chains).as_stored()
        if kpr.smart != report:
            problems.append(f"kpr {kpr.title!r} {kpr.id}: smart stored {kpr.smart}, fresh {report}")
        result.kprs[str(kpr.id)] = {
            "current_value": cents(expected.current_value),
            "achievement": cents(expected.achievement),
            "progress": cents(expected.progress),
            "score": cents(expected.score),
            "smart": {name: criterion["status"] for name, criterion in report.items()},
        }

    goals = list(await session.scalars(select(Goal).where(Goal.organization_id == organization_id)))
    progress = await progress_of(session, [goal.id for goal in goals], later)
    for goal in goals:
        if cents(goal.progress) != cents(progress[goal.id]):
            problems.append(
                f"goal {goal.title!r} {goal.id}: progress stored {goal.progress}, fresh {progress[goal.id]}"
            )
        result.goals[str(goal.id)] = cents(progress[goal.id])

    evaluations = list(await session.scalars(select(Evaluation).where(Evaluation.organization_id == organization_id)))
    live = [row for row in evaluations if row.status not in FROZEN_STATES]
    responses: dict[uuid.UUID, list[Decimal]] = {}
    if live:
        inputs = await load_live_inputs(session, Kpr.plan_id.in_([row.plan_id for row in live]))
        by_cycle = await policies(session, {row.cycle_id for row in live})
        submitted = await session.execute(
            select(FeedbackRequest.evaluation_id, FeedbackRequest.score).where(
                FeedbackRequest.organization_id == organization_id, FeedbackRequest.status == FeedbackStatus.SUBMITTED
            )
        )
        for evaluation_id, score in submitted:
            if score is not None:
                responses.setdefault(evaluation_id, []).append(score)
    for row in evaluations:
        if row.status in FROZEN_STATES:
            snapshot = row.snapshot or {}
            inputs_then = snapshot.get("inputs", {})
            want = (
                _undec(snapshot.get("results_score")),
                _undec(snapshot.get("final_score")),
                snapshot.get("rating"),
                _undec(inputs_then.get("peer_score")),
                inputs_then.get("peer_responses", 0),
            )
        else:
            policy = by_cycle[row.cycle_id]
            scores = responses.get(row.id, [])
            peer = engine.peer_score(scores, policy)
            scored = score_items(inputs.kprs(row.plan_id), inputs.values, policy)
            figures = combine(scored, row.manager_score, row.self_score, policy, peer)
            want = (figures.results_score, figures.final_score, figures.rating, peer, len(scores))
        have = (row.results_score, row.final_score, row.rating, row.peer_score, row.peer_responses)
        if _cents(have) != _cents(want):
            problems.append(f"evaluation {row.id} ({row.status}): stored {have}, fresh {want}")
        result.evaluations[str(row.id)] = {
            "results_score": cents(want[0]),
            "final_score": cents(want[1]),
            "rating": want[2],
            "peer_score": cents(want[3]),
            "peer_responses": want[4],
        }
    return result


def _cents(figures: tuple[Any, ...]) -> tuple[Any, ...]:
    results, final, rating, peer, responses = figures
    return cents(results), cents(final), rating, cents(peer), responses


async def assert_consistent(sessionmaker: async_sessionmaker[AsyncSession], organization_id: uuid.UUID) -> Fresh:
    """Every stored figure equals its fresh computation. Reads in a session of its own (nothing the requests'
    sessions held), then lets its savepoint go; returns the fresh figures."""
    async with sessionmaker() as session:
        result = await fresh_figures(session, organization_id)
    assert not result.problems, "\n".join(result.problems)
    return result


def shown(value: Any) -> Decimal | None:
    """A figure as a JSON response shows it, to the cent."""
    return None if value is None else cents(Decimal(str(value)))
