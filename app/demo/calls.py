"""Every call the demo makes into the app, one small function each.

The demo is a client of the services like the routers are: it authenticates as a person of the demo company, sends
the same input schemas a request body would be parsed into, and passes the same rules (rights, states, SMART, weights,
dates). Bodies are plain mappings validated here, so the data tables stay free of schema and enum types; when a
service's signature changes, this module is the one place to adapt.
"""

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.checkins import service as checkins
from app.checkins.schemas import CheckInCreate
from app.comments import service as comments
from app.comments.schemas import CommentCreate
from app.conversations import service as conversations
from app.conversations.schemas import ConversationCreate
from app.core.access import Actor
from app.core.auth import resolve_actor
from app.core.schemas import TransitionIn
from app.core.security import Principal
from app.cycles import service as cycles
from app.cycles.schemas import CycleCreate
from app.departments import service as departments
from app.departments.schemas import DepartmentCreate, DepartmentUpdate
from app.employees import service as employees
from app.employees.schemas import EmployeeCreate
from app.evaluations import service as evaluations
from app.evaluations.schemas import CalibrationIn, ReviewIn
from app.feedback import service as feedback
from app.feedback.schemas import FeedbackRequestCreate, FeedbackResponseIn
from app.goals import service as goals
from app.goals.schemas import GoalCreate
from app.kpis import service as kpis
from app.kpis.schemas import KpiCreate
from app.kprs import service as kprs
from app.kprs.schemas import KprCreate
from app.models import (
    Comment,
    Conversation,
    Cycle,
    Department,
    Employee,
    FeedbackRequest,
    Goal,
    Kpi,
    Kpr,
    Revision,
    RewardRun,
)
from app.plans import service as plans
from app.revisions import service as revisions
from app.revisions.schemas import RevisionCreate
from app.rewards import service as rewards
from app.rewards.schemas import RewardRunCreate

Body = Mapping[str, Any]


async def sign_in(session: AsyncSession, organization_id: uuid.UUID, subject: str, roles: list[str]) -> Actor:
    """The caller a bearer token with this subject and these roles would make."""
    principal = Principal(subject=subject, organization_id=organization_id, roles=frozenset(roles))
    return await resolve_actor(session, principal)


# --- the org chart --------------------------------------------------------------------------------------------------


async def create_department(session: AsyncSession, admin: Actor, body: Body) -> Department:
    return await departments.create(session, admin, DepartmentCreate.model_validate(body))


async def update_department(session: AsyncSession, admin: Actor, department: Department, body: Body) -> Department:
    changes = DepartmentUpdate.model_validate(body).model_dump(exclude_unset=True)
    return await departments.update(session, admin, department, changes)


async def create_employee(session: AsyncSession, admin: Actor, body: Body) -> Employee:
    return await employees.create(session, admin, EmployeeCreate.model_validate(body))


# --- cycles, goals, plans -------------------------------------------------------------------------------------------


async def create_cycle(session: AsyncSession, admin: Actor, body: Body) -> Cycle:
    return await cycles.create(session, admin, CycleCreate.model_validate(body))


async def move_cycle(session: AsyncSession, admin: Actor, cycle: Cycle, to: str) -> None:
    await cycles.transition(session, admin, cycle, to, None)


async def create_goal(session: AsyncSession, admin: Actor, body: Body) -> Goal:
    return await goals.create(session, admin, GoalCreate.model_validate(body))


async def move_plan(session: AsyncSession, actor: Actor, plan_id: uuid.UUID, to: str) -> None:
    plan = await plans.get(session, actor, plan_id, lock=True)
    await plans.transition(session, actor, plan, to, None)


# --- KPRs, KPIs, check-ins ------------------------------------------------------------------------------------------


async def create_kpr(session: AsyncSession, actor: Actor, body: Body) -> Kpr:
    """A KPR of the cycle; the owner's plan is made with their first one."""
    return await kprs.create(session, actor, KprCreate.model_validate(body))


async def create_kpi(session: AsyncSession, actor: Actor, kpr_id: uuid.UUID, body: Body) -> Kpi:
    kpr = await kprs.get(session, actor, kpr_id, write=True)
    return await kpis.create(session, actor, kpr, KpiCreate.model_validate(body))


async def check_in_kpr(session: AsyncSession, actor: Actor, kpr_id: uuid.UUID, body: Body) -> None:
    kpr = await kprs.get(session, actor, kpr_id, write=True, service_may_write=True)
    await checkins.record_for_kpr(session, actor, kpr, CheckInCreate.model_validate(body))


async def check_in_kpi(session: AsyncSession, actor: Actor, kpi_id: uuid.UUID, body: Body) -> None:
    kpi = await kpis.get(session, actor, kpi_id, write=True, service_may_write=True)
    await checkins.record_for_kpi(session, actor, kpi, CheckInCreate.model_validate(body))


# --- evaluations ----------------------------------------------------------------------------------------------------


async def evaluations_of(session: AsyncSession, admin: Actor, cycle: Cycle) -> dict[uuid.UUID, uuid.UUID]:
    """The cycle's evaluations, by employee id."""
    rows = await session.scalars(evaluations.list_statement(admin, cycle.id, None, None))
    return {row.employee_id: row.id for row in rows}


async def write_self_review(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, body: Body) -> None:
    evaluation = await evaluations.get(session, actor, evaluation_id, lock=True)
    await evaluations.put_self_review(session, actor, evaluation, ReviewIn.model_validate(body))


async def write_manager_review(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, body: Body) -> None:
    evaluation = await evaluations.get(session, actor, evaluation_id, lock=True)
    await evaluations.put_manager_review(session, actor, evaluation, ReviewIn.model_validate(body))


async def calibrate(session: AsyncSession, admin: Actor, evaluation_id: uuid.UUID, body: Body) -> None:
    evaluation = await evaluations.get(session, admin, evaluation_id, lock=True)
    await evaluations.put_calibration(session, admin, evaluation, CalibrationIn.model_validate(body))


async def move_evaluation(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, to: str) -> None:
    evaluation = await evaluations.get(session, actor, evaluation_id, lock=True)
    await evaluations.transition(session, actor, evaluation, TransitionIn(to=to))


# --- working together -----------------------------------------------------------------------------------------------


async def create_comment(session: AsyncSession, actor: Actor, body: Body) -> Comment:
    return await comments.create(session, actor, CommentCreate.model_validate(body))


async def request_revision(session: AsyncSession, actor: Actor, kpr_id: uuid.UUID, body: Body) -> Revision:
    kpr = await kprs.get(session, actor, kpr_id, write=True)
    return await revisions.create(session, actor, kpr, RevisionCreate.model_validate(body))


# --- feedback and conversations -------------------------------------------------------------------------------------


async def ask_for_feedback(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, body: Body
) -> list[FeedbackRequest]:
    evaluation = await feedback.evaluation_to_nominate_on(session, actor, evaluation_id)
    return await feedback.nominate(session, actor, evaluation, FeedbackRequestCreate.model_validate(body))


async def respond_to_feedback(session: AsyncSession, actor: Actor, request_id: uuid.UUID, body: Body) -> None:
    request = await feedback.get(session, actor, request_id, lock=True)
    await feedback.respond(session, actor, request, FeedbackResponseIn.model_validate(body))


async def move_feedback_request(session: AsyncSession, actor: Actor, request_id: uuid.UUID, to: str) -> None:
    request = await feedback.get(session, actor, request_id, lock=True)
    await feedback.transition(session, actor, request, TransitionIn(to=to))


async def record_conversation(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, body: Body
) -> Conversation:
    evaluation = await evaluations.get(session, actor, evaluation_id)
    return await conversations.create(session, actor, evaluation, ConversationCreate.model_validate(body))


async def comment_on_conversation(
    session: AsyncSession, actor: Actor, conversation_id: uuid.UUID, comment: str
) -> None:
    conversation = await conversations.get(session, actor, conversation_id, lock=True)
    await conversations.update(session, actor, conversation, {"employee_comment": comment})


async def create_reward_run(session: AsyncSession, admin: Actor, cycle: Cycle, body: Body) -> RewardRun:
    return await rewards.create(session, admin, cycle, RewardRunCreate.model_validate(body))
