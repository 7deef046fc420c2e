"""The demo's third quarter: planned, tracked and reviewed, now waiting in calibration, so the cycle summary, the
calibration report and the export show real figures.

Everyone with a manager agrees a plan of their department's KPRs, checks in twice per KPR, writes a self-review and
is reviewed by their manager; some hear from colleagues too (360 feedback: a peer score for those with enough answers);
the cycle and its evaluations then sit in ``calibration``, one rating already moved, one result conversation held.
"""

import uuid
from dataclasses import replace
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import Direction
from app.demo import calls
from app.demo.data import (
    CALIBRATED,
    DECLINED,
    DEPARTMENTS,
    MANAGER_COMMENTS,
    QUARTER,
    QUARTER_CONVERSATIONS,
    QUARTER_FEEDBACK,
    QUARTER_GOALS,
    QUARTER_KPRS,
    QUARTER_READING_MONTHS,
    QUARTER_RESULTS,
    REWARD_BASE,
    REWARD_BUDGET,
    REWARD_NOTE,
    SECOND_QUARTER,
    SELF_COMMENTS,
    SELF_SCORE_ABOVE_MANAGER,
    CycleRow,
    KprRow,
)
from app.demo.org import PEOPLE_BY_KEY, Company
from app.demo.planning import agree_plan, check_in, create_cycle, create_goals, draft_plan
from app.models import Cycle, Kpr

PARENT_DEPARTMENT = {row.code: row.parent for row in DEPARTMENTS}


async def load_quarter_in_calibration(session: AsyncSession, company: Company) -> None:
    admin = company.admin
    _, evaluations = await _reviewed_quarter(session, company, QUARTER, feedback=True)
    for person, (rating, reason) in CALIBRATED.items():
        evaluation_id = evaluations[company.employees[person].id]
        await calls.calibrate(session, admin, evaluation_id, {"rating": rating, "reason": reason})
    for talk in QUARTER_CONVERSATIONS:
        evaluation_id = evaluations[company.employees[talk.person].id]
        body = {"held_at": talk.held_at, "notes": talk.notes, "agreed_actions": talk.agreed_actions}
        conversation = await calls.record_conversation(session, company.actors[talk.author], evaluation_id, body)
        await calls.comment_on_conversation(
            session, company.actors[talk.person], conversation.id, talk.employee_comment
        )


async def load_closed_quarter_with_rewards(session: AsyncSession, company: Company) -> None:
    """The second quarter, the same company one quarter earlier: reviewed, closed (every result final), and priced
    by a draft reward run with a budget, for HR to check and approve."""
    admin = company.admin
    cycle, evaluations = await _reviewed_quarter(session, company, SECOND_QUARTER, feedback=False)
    await calls.move_cycle(session, admin, cycle, "closed")
    base = [
        {"employee_id": company.employees[result.person].id, "amount": REWARD_BASE}
        for result in QUARTER_RESULTS
        if company.employees[result.person].id in evaluations
    ]
    await calls.create_reward_run(session, admin, cycle, {"base": base, "budget": REWARD_BUDGET, "note": REWARD_NOTE})


def _earlier(title: str) -> str:
    return title.replace("第三季度", "第二季度")


async def _reviewed_quarter(
    session: AsyncSession, company: Company, quarter: CycleRow, *, feedback: bool
) -> tuple[Cycle, dict[uuid.UUID, uuid.UUID]]:
    """A quarter planned, tracked and reviewed by everyone, in calibration: the cycle, its evaluations by employee."""
    admin = company.admin
    earlier = quarter is not QUARTER
    cycle = await create_cycle(session, company, quarter)
    goal_rows = [replace(row, title=_earlier(row.title)) if earlier else row for row in QUARTER_GOALS]
    goals = await create_goals(session, company, cycle, goal_rows)
    plans: dict[str, list[tuple[KprRow, Kpr]]] = {}
    for result in QUARTER_RESULTS:
        rows = QUARTER_KPRS[_kpr_family(PEOPLE_BY_KEY[result.person].department)]
        if earlier:
            rows = [replace(row, title=_earlier(row.title)) for row in rows]
        drafted = await draft_plan(session, company, cycle, result.person, rows, goals)
        await agree_plan(session, company, result.person, drafted[0])
        plans[result.person] = list(zip(rows, drafted, strict=True))
    await calls.move_cycle(session, admin, cycle, "active")
    for result in QUARTER_RESULTS:
        for row, kpr in plans[result.person]:
            halfway = result.achieved if row.direction == Direction.MAINTAIN else result.achieved / 2
            months = tuple(month - 3 for month in QUARTER_READING_MONTHS) if earlier else QUARTER_READING_MONTHS
            for month, achieved in zip(months, (halfway, result.achieved), strict=True):
                await check_in(session, company, kpr, quarter, month, _value_at(row, achieved), confidence=8)
    # Entering review opens an evaluation in self review for every approved plan.
    await calls.move_cycle(session, admin, cycle, "review")
    evaluations = await calls.evaluations_of(session, admin, cycle)
    if feedback:
        await _gather_feedback(session, company, evaluations)
    cap = Decimal(quarter.policy["cap"])
    for turn, result in enumerate(QUARTER_RESULTS):
        evaluation_id = evaluations[company.employees[result.person].id]
        employee, manager = company.actors[result.person], company.manager_of(result.person)
        self_score = min(Decimal(result.manager_score + SELF_SCORE_ABOVE_MANAGER), cap)
        self_review = {"score": self_score, "comment": SELF_COMMENTS[turn % len(SELF_COMMENTS)]}
        await calls.write_self_review(session, employee, evaluation_id, self_review)
        await calls.move_evaluation(session, employee, evaluation_id, "manager_review")
        manager_review = {
            "score": Decimal(result.manager_score),
            "comment": MANAGER_COMMENTS[turn % len(MANAGER_COMMENTS)],
        }
        await calls.write_manager_review(session, manager, evaluation_id, manager_review)
        await calls.move_evaluation(session, manager, evaluation_id, "calibration")
    await calls.move_cycle(session, admin, cycle, "calibration")
    return cycle, evaluations


async def _gather_feedback(session: AsyncSession, company: Company, evaluations: dict[uuid.UUID, uuid.UUID]) -> None:
    """Each row's reviewers asked at once, then answering (or declining) one by one, while the reviews are open."""
    for row in QUARTER_FEEDBACK:
        evaluation_id = evaluations[company.employees[row.person].id]
        reviewers = list(row.answers)
        body = {
            "reviewer_ids": [company.employees[reviewer].id for reviewer in reviewers],
            "relationship": row.relationship,
            "message": "请就第三季度的合作情况给出反馈",
        }
        requests = await calls.ask_for_feedback(session, company.actors[row.nominator], evaluation_id, body)
        for reviewer, request in zip(reviewers, requests, strict=True):
            answer, actor = row.answers[reviewer], company.actors[reviewer]
            if answer == DECLINED:
                await calls.move_feedback_request(session, actor, request.id, "declined")
            elif isinstance(answer, tuple):
                score, comment = answer
                await calls.respond_to_feedback(
                    session, actor, request.id, {"score": Decimal(score), "comment": comment}
                )


def _kpr_family(department: str) -> str:
    """The department whose quarterly KPRs someone has: their own, or for a sub-team its parent's (SALES-E → SALES)."""
    code: str | None = department
    while code is not None and code not in QUARTER_KPRS:
        code = PARENT_DEPARTMENT[code]
    assert code is not None, f"no quarterly KPRs for {department}"
    return code


def _value_at(kpr: KprRow, achieved: Decimal) -> Decimal:
    """The reading that reaches this share of the target."""
    baseline, target = Decimal(kpr.baseline), Decimal(kpr.target)
    if kpr.direction == Direction.MAINTAIN:
        # Within tolerance for a good quarter, outside it for a poor one.
        return target if achieved >= Decimal("0.8") else target + Decimal(kpr.tolerance or 0) * 2
    return (baseline + achieved * (target - baseline)).quantize(Decimal("0.01"))
