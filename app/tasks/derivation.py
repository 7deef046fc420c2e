"""Tasks derived from the state they are about (DESIGN §12): what each person must do next, read from plans, KPRs,
revisions, evaluations and feedback requests as they stand, so doing the work closes the task and there is no second
copy of the truth to drift. Only a ``mention`` is a row (``tasks``), closed by its person.

One statement finds every open task of a whole organization (reminders), or of one person once the reports they act
for are found (so the planner knows how few they are): a UNION ALL of one SELECT per kind, the same for 3 reports or
300. Python then dates each task by its cycle's policy (read once per cycle) and the organization's timezone.

Who acts on a report's work (``approve_plan``, ``decide_revision``, ``manager_review`` when the evaluation has no
active reviewer) is the report's *responsible manager*: their direct manager, or, while that manager is inactive (or
missing from the chart above), the nearest active manager above.

A derived task's id is made from its kind, its entity and its person (uuid5), so it stays the same while the task is
open and reminders can key it.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Uuid,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import CTE, CompoundSelect, FromClause

from app.core.enums import (
    CycleStatus,
    EvaluationStatus,
    FeedbackStatus,
    KprStatus,
    PlanStatus,
    RevisionStatus,
    TaskEntityType,
    TaskKind,
    TaskStatus,
)
from app.core.i18n import Locale, Message
from app.models import (
    CheckIn,
    Comment,
    Cycle,
    Employee,
    Evaluation,
    FeedbackRequest,
    Goal,
    Kpr,
    Organization,
    Plan,
    Revision,
    StateTransition,
    Task,
)
from app.models.types import UtcDateTime
from app.scoring import engine
from app.scoring.engine import DEFAULT_POLICY
from app.scoring.service import policies

# Fixed: derived task ids are uuid5 names under it, stable across processes and releases.
TASK_NAMESPACE = uuid.UUID("6b0f3c2e-8d4a-5e71-9c3b-2f1a7d9e4c10")

# How long someone has to act on what waits for them, from when it started waiting (the policy has no field for it).
RESPOND_WITHIN = {
    TaskKind.SUBMIT_PLAN: timedelta(days=3),
    TaskKind.APPROVE_PLAN: timedelta(days=3),
    TaskKind.DECIDE_REVISION: timedelta(days=3),
    TaskKind.SELF_REVIEW: timedelta(days=7),
    TaskKind.MANAGER_REVIEW: timedelta(days=7),
    TaskKind.FEEDBACK: timedelta(days=7),
}
# A check-in task shows this long before it falls due (the reminders' window), not only once it is late.
NOTICE = timedelta(days=1)
TITLE_LENGTH = 300

ORG = bindparam("org", type_=Uuid)
EMPLOYEE = bindparam("employee", type_=Uuid)
OPEN_PLAN_CYCLES = (CycleStatus.PLANNING, CycleStatus.ACTIVE)
EDITABLE_PLANS = (PlanStatus.DRAFT, PlanStatus.REJECTED)
REVIEW_STATES = (EvaluationStatus.SELF_REVIEW, EvaluationStatus.MANAGER_REVIEW)


def task_id(kind: str, entity_id: uuid.UUID, employee_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(TASK_NAMESPACE, f"{kind}:{entity_id}:{employee_id}")


def zone(name: str | None) -> ZoneInfo:
    """The organization's timezone; UTC for a name this system does not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def start_of(day: date, tz: ZoneInfo) -> datetime:
    """The instant ``day`` begins in ``tz``."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


@dataclass(frozen=True)
class OpenTask:
    """One task of one person, dated: what ``GET /me/tasks`` shows and reminders are about."""

    id: uuid.UUID
    kind: TaskKind
    title: Message
    entity_type: str
    entity_id: uuid.UUID
    employee_id: uuid.UUID
    comment_id: uuid.UUID | None
    due_at: datetime | None
    created_at: datetime
    status: TaskStatus
    # Overdue by this much, it escalates to the person's managers; None: it never does.
    escalate_after: timedelta | None = None

    def overdue(self, now: datetime) -> bool:
        return self.status == TaskStatus.OPEN and self.due_at is not None and self.due_at < now

    def escalates(self, now: datetime) -> bool:
        """Overdue by the policy's ``escalate_after_days``: time to tell the person's managers."""
        if self.due_at is None or self.escalate_after is None or self.status != TaskStatus.OPEN:
            return False
        return now >= self.due_at + self.escalate_after

    def sort_key(self) -> tuple[bool, datetime, float, str]:
        """Soonest due first, undated last; then the newest."""
        return (self.due_at is None, self.due_at or LATEST, -self.created_at.timestamp(), str(self.id))


LATEST = datetime.max.replace(tzinfo=UTC)


# --- the statement ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """Whose tasks: ``mine`` limits a person column to them; ``responsible`` pairs each report with the manager who
    acts on their work (the person themself, or every responsible manager of the organization)."""

    mine: Callable[[Any], ColumnElement[bool]]
    responsible: FromClause


def _managed_by_employee() -> CTE:
    """The reports whose responsible manager is the person: their direct reports, and below any of those who is
    inactive, that one's reports in turn."""
    managed = (
        select(Employee.id.label("employee_id"), Employee.active.label("active"))
        .where(Employee.organization_id == ORG, Employee.manager_id == EMPLOYEE)
        .cte("managed", recursive=True)
    )
    below = aliased(Employee)
    return managed.union(
        select(below.id, below.active)
        .join(managed, below.manager_id == managed.c.employee_id)
        .where(managed.c.active.is_(False))
    )


def _timezone_and_reports() -> Select[Any]:
    """The organization's timezone, with each report the person acts for (none: one row, without a report)."""
    managed = _managed_by_employee()
    return (
        select(Organization.timezone, managed.c.employee_id, managed.c.active)
        .select_from(Organization)
        .outerjoin(managed, true())
        .where(Organization.id == ORG)
    )


# The reports found by TIMEZONE_AND_REPORTS, passed back as a list: the planner sees how many (a recursive query's
# estimate is hundreds of times too high, and turned every join into a scan of the organization).
REPORTS = bindparam("reports", expanding=True, type_=Uuid)


def _reports_of_employee() -> FromClause:
    reports = select(Employee.id.label("employee_id"), EMPLOYEE.label("manager_id")).where(Employee.id.in_(REPORTS))
    return reports.subquery("responsible")


def _responsible_in_organization() -> CTE:
    """Every employee of the organization with their responsible manager (none at the top of the chart)."""
    chain = (
        select(Employee.id.label("employee_id"), Employee.manager_id.label("manager_id"))
        .where(Employee.organization_id == ORG, Employee.manager_id.is_not(None))
        .cte("chain", recursive=True)
    )
    above = aliased(Employee)
    chain = chain.union(
        select(chain.c.employee_id, above.manager_id)
        .join(above, above.id == chain.c.manager_id)
        .where(above.active.is_(False), above.manager_id.is_not(None))
    )
    manager = aliased(Employee)
    return (
        select(chain.c.employee_id, chain.c.manager_id)
        .join(manager, manager.id == chain.c.manager_id)
        .where(manager.active.is_(True), chain.c.manager_id != chain.c.employee_id)
        .cte("responsible")
    )


def _text(value: str) -> ColumnElement[str]:
    # A constant of the statement itself (a kind, an entity type), never a value from outside.
    return literal_column(f"'{value}'", String)


_NO_ID = cast(null(), Uuid)
_NO_TEXT = cast(null(), String)
_NO_DATE = cast(null(), Date)
_NO_TIME = cast(null(), UtcDateTime)
_OPEN = _text(TaskStatus.OPEN)


def _row(
    kind: TaskKind,
    entity_type: TaskEntityType,
    entity_id: Any,
    employee_id: Any,
    *,
    cycle: Any = Cycle,
    person: Any = _NO_TEXT,
    label: Any,
    since: Any,
    due_date: Any = _NO_DATE,
) -> Select[Any]:
    """One kind's columns, in the order every part of the union shares."""
    return select(
        _NO_ID.label("id"),
        _text(kind).label("kind"),
        _text(entity_type).label("entity_type"),
        entity_id.label("entity_id"),
        employee_id.label("employee_id"),
        _NO_ID.label("comment_id"),
        cycle.id.label("cycle_id"),
        person.label("person"),
        label.label("label"),
        since.label("since"),
        cycle.start_date.label("start_date"),
        due_date.label("due_date"),
        _NO_TIME.label("due_at"),
        _OPEN.label("status"),
    )


def _submit_plan(scope: _Scope) -> Select[Any]:
    owner = aliased(Employee)
    return (
        _row(
            TaskKind.SUBMIT_PLAN,
            TaskEntityType.PLAN,
            Plan.id,
            Plan.employee_id,
            label=Cycle.name,
            # A plan's row changes with its state only: since it was made, or sent back.
            since=Plan.updated_at,
        )
        .join(Cycle, Cycle.id == Plan.cycle_id)
        .join(owner, owner.id == Plan.employee_id)
        .where(
            Plan.organization_id == ORG,
            scope.mine(Plan.employee_id),
            Plan.status.in_(EDITABLE_PLANS),
            Cycle.status.in_(OPEN_PLAN_CYCLES),
            owner.active.is_(True),
        )
    )


def _approve_plan(scope: _Scope) -> Select[Any]:
    report = aliased(Employee)
    responsible = scope.responsible
    return (
        _row(
            TaskKind.APPROVE_PLAN,
            TaskEntityType.PLAN,
            Plan.id,
            responsible.c.manager_id,
            person=report.name,
            label=Cycle.name,
            # A plan's row changes with its state only: when it was submitted.
            since=Plan.updated_at,
        )
        .join(responsible, responsible.c.employee_id == Plan.employee_id)
        .join(report, report.id == Plan.employee_id)
        .join(Cycle, Cycle.id == Plan.cycle_id)
        .where(
            Plan.organization_id == ORG,
            Plan.status == PlanStatus.SUBMITTED,
            Cycle.status.in_(OPEN_PLAN_CYCLES),
            report.active.is_(True),
        )
    )


def _decide_revision(scope: _Scope) -> Select[Any]:
    report = aliased(Employee)
    responsible = scope.responsible
    return (
        _row(
            TaskKind.DECIDE_REVISION,
            TaskEntityType.REVISION,
            Revision.id,
            responsible.c.manager_id,
            person=report.name,
            label=Kpr.title,
            since=Revision.created_at,
        )
        .join(Kpr, Kpr.id == Revision.kpr_id)
        .join(responsible, responsible.c.employee_id == Kpr.owner_id)
        .join(report, report.id == Kpr.owner_id)
        .join(Cycle, Cycle.id == Kpr.cycle_id)
        .where(
            Revision.organization_id == ORG,
            Revision.status == RevisionStatus.PENDING,
            Cycle.status != CycleStatus.CLOSED,
            report.active.is_(True),
        )
    )


def _check_in(scope: _Scope) -> Select[Any]:
    owner = aliased(Employee)
    # The newest measurement of the KPR, read from the (kpr_id, recorded_at) index: none yet → the cycle's start.
    latest = select(func.max(CheckIn.recorded_at)).where(CheckIn.kpr_id == Kpr.id).correlate(Kpr).scalar_subquery()
    return (
        _row(TaskKind.CHECK_IN, TaskEntityType.KPR, Kpr.id, Kpr.owner_id, label=Kpr.title, since=latest)
        .join(Cycle, Cycle.id == Kpr.cycle_id)
        .join(owner, owner.id == Kpr.owner_id)
        .where(
            Kpr.organization_id == ORG,
            scope.mine(Kpr.owner_id),
            Kpr.status == KprStatus.ACTIVE,
            Cycle.status == CycleStatus.ACTIVE,
            owner.active.is_(True),
        )
    )


def _own_evaluation(scope: _Scope, kind: TaskKind, status: EvaluationStatus, since: Any) -> Select[Any]:
    owner = aliased(Employee)
    return (
        _row(kind, TaskEntityType.EVALUATION, Evaluation.id, Evaluation.employee_id, label=Cycle.name, since=since)
        .join(Cycle, Cycle.id == Evaluation.cycle_id)
        .join(owner, owner.id == Evaluation.employee_id)
        .where(
            Evaluation.organization_id == ORG,
            scope.mine(Evaluation.employee_id),
            Evaluation.status == status,
            owner.active.is_(True),
        )
    )


def _entered_manager_review() -> Any:
    """When the evaluation last entered manager review (its history), else when it was opened."""
    entered = (
        select(func.max(StateTransition.at))
        .where(
            StateTransition.organization_id == Evaluation.organization_id,
            StateTransition.entity_type == "evaluation",
            StateTransition.entity_id == Evaluation.id,
            StateTransition.to_state == EvaluationStatus.MANAGER_REVIEW,
        )
        .correlate(Evaluation)
        .scalar_subquery()
    )
    return func.coalesce(entered, Evaluation.created_at)


def _acting_reviewer() -> tuple[Any, ColumnElement[bool]]:
    """The evaluation's reviewer, as long as they are an active employee other than the one evaluated."""
    reviewer = aliased(Employee)
    return reviewer, (
        (reviewer.id == Evaluation.reviewer_id) & reviewer.active.is_(True) & (reviewer.id != Evaluation.employee_id)
    )


def _manager_reviews(scope: _Scope) -> list[Select[Any]]:
    """Two parts, each read by an index: the evaluation's acting reviewer reviews it; one without an acting reviewer
    falls to the evaluated employee's responsible manager."""
    parts = []
    for by_reviewer in (True, False):
        report = aliased(Employee)
        reviewer, acting = _acting_reviewer()
        responsible = scope.responsible
        assignee = Evaluation.reviewer_id if by_reviewer else responsible.c.manager_id
        statement = (
            _row(
                TaskKind.MANAGER_REVIEW,
                TaskEntityType.EVALUATION,
                Evaluation.id,
                assignee,
                person=report.name,
                label=Cycle.name,
                since=_entered_manager_review(),
            )
            .join(Cycle, Cycle.id == Evaluation.cycle_id)
            .join(report, report.id == Evaluation.employee_id)
            .where(
                Evaluation.organization_id == ORG,
                Evaluation.status == EvaluationStatus.MANAGER_REVIEW,
                report.active.is_(True),
            )
        )
        if by_reviewer:
            statement = statement.join(reviewer, acting).where(scope.mine(Evaluation.reviewer_id))
        else:
            statement = (
                statement.join(responsible, responsible.c.employee_id == Evaluation.employee_id)
                .outerjoin(reviewer, acting)
                .where(reviewer.id.is_(None))
            )
        parts.append(statement)
    return parts


def _feedback(scope: _Scope) -> Select[Any]:
    reviewer = aliased(Employee)
    evaluated = aliased(Employee)
    return (
        _row(
            TaskKind.FEEDBACK,
            TaskEntityType.FEEDBACK_REQUEST,
            FeedbackRequest.id,
            FeedbackRequest.reviewer_id,
            person=evaluated.name,
            label=Cycle.name,
            since=FeedbackRequest.created_at,
            due_date=FeedbackRequest.due_date,
        )
        .join(Evaluation, Evaluation.id == FeedbackRequest.evaluation_id)
        .join(Cycle, Cycle.id == Evaluation.cycle_id)
        .join(evaluated, evaluated.id == Evaluation.employee_id)
        .join(reviewer, reviewer.id == FeedbackRequest.reviewer_id)
        .where(
            FeedbackRequest.organization_id == ORG,
            scope.mine(FeedbackRequest.reviewer_id),
            FeedbackRequest.status == FeedbackStatus.REQUESTED,
            # A response is taken only while the evaluation is in review: after that the request cannot be done.
            Evaluation.status.in_(REVIEW_STATES),
            reviewer.active.is_(True),
        )
    )


def mentions(mine: Callable[[Any], ColumnElement[bool]], status: TaskStatus | None) -> Select[Any]:
    """The stored mention tasks (in ``status``, or in any), with their comment's author."""
    author = aliased(Employee)
    statement = (
        select(
            Task.id,
            Task.kind,
            Task.entity_type,
            Task.entity_id,
            Task.employee_id,
            Task.comment_id,
            _NO_ID.label("cycle_id"),
            func.coalesce(author.name, Comment.author_subject).label("person"),
            Task.title.label("label"),
            Task.created_at.label("since"),
            _NO_DATE.label("start_date"),
            _NO_DATE.label("due_date"),
            Task.due_at,
            Task.status,
        )
        .outerjoin(Comment, Comment.id == Task.comment_id)
        .outerjoin(author, author.id == Comment.author_id)
        .where(Task.organization_id == ORG, mine(Task.employee_id), _still_there())
    )
    return statement if status is None else statement.where(Task.status == status)


def _still_there() -> ColumnElement[bool]:
    """The entity a mention is about still exists: a draft KPR or an unused goal may be deleted (evaluations never
    are), and a mention of what is gone is nothing to do."""
    return or_(
        (Task.entity_type == TaskEntityType.GOAL) & exists().where(Goal.id == Task.entity_id),
        (Task.entity_type == TaskEntityType.KPR) & exists().where(Kpr.id == Task.entity_id),
        Task.entity_type == TaskEntityType.EVALUATION,
    )


def _all_open(scope: _Scope) -> CompoundSelect[Any]:
    return union_all(
        _submit_plan(scope),
        _approve_plan(scope),
        _decide_revision(scope),
        _check_in(scope),
        _own_evaluation(scope, TaskKind.SELF_REVIEW, EvaluationStatus.SELF_REVIEW, Evaluation.created_at),
        *_manager_reviews(scope),
        _feedback(scope),
        _own_evaluation(
            scope,
            TaskKind.ACKNOWLEDGE,
            EvaluationStatus.FINALIZED,
            func.coalesce(Evaluation.finalized_at, Evaluation.created_at),
        ),
        mentions(scope.mine, TaskStatus.OPEN),
    )


def _is_employee(column: Any) -> ColumnElement[bool]:
    return column == EMPLOYEE  # type: ignore[no-any-return]


def _anyone(column: Any) -> ColumnElement[bool]:
    return true()


# Built once: one person's open tasks (``org``, ``employee``), and every open task of an organization (``org``).
TIMEZONE_AND_REPORTS = _timezone_and_reports()
OPEN_FOR_EMPLOYEE = _all_open(_Scope(_is_employee, _reports_of_employee()))
OPEN_IN_ORGANIZATION = _all_open(_Scope(_anyone, _responsible_in_organization()))
DONE_FOR_EMPLOYEE = mentions(_is_employee, TaskStatus.DONE).order_by(Task.done_at.desc(), Task.id.desc())
MENTION = mentions(_anyone, None).where(Task.id == bindparam("task", type_=Uuid))


# --- dating the rows -------------------------------------------------------------------------------------------------


_KINDS = {kind.value: kind for kind in TaskKind}


def dated(
    rows: Iterable[Any], now: datetime, tz: ZoneInfo, policies: Mapping[uuid.UUID, engine.Policy]
) -> list[OpenTask]:
    """The rows of the statement as tasks, dated in the organization's timezone by their cycle's policy; a check-in
    not due within NOTICE is left out (it is not a task yet)."""
    starts: dict[date, datetime] = {}
    tasks = []
    for (
        stored_id,
        kind_text,
        entity_type,
        entity_id,
        employee_id,
        comment_id,
        cycle_id,
        person,
        label,
        since,
        start_date,
        due_date,
        due_at,
        status,
    ) in rows:
        kind = _KINDS[kind_text]
        title = Message(f"task.title.{kind}", {"person": person or "", "cycle": label, "kpr": label, "text": label})
        if kind == TaskKind.MENTION:
            tasks.append(
                OpenTask(
                    stored_id,
                    kind,
                    title,
                    entity_type,
                    entity_id,
                    employee_id,
                    comment_id,
                    due_at,
                    since,
                    TaskStatus(status),
                )
            )
            continue
        policy = policies.get(cycle_id, DEFAULT_POLICY)
        cycle_start = starts.get(start_date)
        if cycle_start is None:
            cycle_start = starts[start_date] = start_of(start_date, tz)
        since = since or cycle_start
        if kind == TaskKind.CHECK_IN:
            due = since + timedelta(days=policy.check_in_every_days)
            if now < due - NOTICE:
                continue
        elif kind == TaskKind.SUBMIT_PLAN:
            # Due when the cycle starts, and never sooner than a few days after the plan was made or sent back.
            due = max(cycle_start, since + RESPOND_WITHIN[kind])
        elif kind == TaskKind.FEEDBACK and due_date is not None:
            due = start_of(due_date + timedelta(days=1), tz)  # the end of the day it is due
        elif kind == TaskKind.ACKNOWLEDGE:
            due = since + timedelta(days=policy.appeal_days)
        else:
            due = since + RESPOND_WITHIN[kind]
        tasks.append(
            OpenTask(
                task_id(kind, entity_id, employee_id),
                kind,
                title,
                entity_type,
                entity_id,
                employee_id,
                None,
                due,
                since,
                TaskStatus.OPEN,
                timedelta(days=policy.escalate_after_days),
            )
        )
    return tasks


async def _dated(session: AsyncSession, rows: Sequence[Any], now: datetime, tz: ZoneInfo) -> list[OpenTask]:
    by_cycle = await policies(session, {row.cycle_id for row in rows if row.cycle_id is not None})
    return sorted(dated(rows, now, tz, by_cycle), key=OpenTask.sort_key)


async def open_tasks_of(
    session: AsyncSession, organization_id: uuid.UUID, employee_id: uuid.UUID, now: datetime
) -> list[OpenTask]:
    """Every open task of one person, most urgent first: the reports they act for and their organization's timezone,
    the tasks, and the policies of the cycles they are in — three statements whatever the numbers."""
    parameters = {"org": organization_id, "employee": employee_id}
    found = (await session.execute(TIMEZONE_AND_REPORTS, parameters)).all()
    tz = zone(found[0].timezone if found else None)
    # An inactive report has no work of their own to act on; the reports below them are in the list already.
    reports = [row.employee_id for row in found if row.active]
    rows = (await session.execute(OPEN_FOR_EMPLOYEE, parameters | {"reports": reports})).all()
    return await _dated(session, rows, now, tz)


async def open_tasks_in(
    session: AsyncSession, organization_id: uuid.UUID, tz: ZoneInfo, now: datetime
) -> list[OpenTask]:
    """Every open task of the organization, most urgent first, in two statements."""
    rows = (await session.execute(OPEN_IN_ORGANIZATION, {"org": organization_id})).all()
    return await _dated(session, rows, now, tz)


async def done_tasks(
    session: AsyncSession, organization_id: uuid.UUID, employee_id: uuid.UUID, limit: int
) -> list[OpenTask]:
    """One person's closed mention tasks, the most recently closed first (derived tasks vanish once done)."""
    rows = await session.execute(DONE_FOR_EMPLOYEE.limit(limit), {"org": organization_id, "employee": employee_id})
    # Mentions carry their own dates: neither the clock, the timezone nor a policy enters.
    return dated(rows, LATEST, ZoneInfo("UTC"), {})


# A chart deeper than this is a loop in the data: the walk up stops there.
MAX_DEPTH = 64


def _managers_above() -> Select[Any]:
    """Every employee of the organization with each active manager above them, the nearest first: whom a task
    escalates to."""
    chain = (
        select(
            Employee.id.label("employee_id"),
            Employee.manager_id.label("manager_id"),
            literal_column("1", Integer).label("depth"),
        )
        .where(Employee.organization_id == ORG, Employee.manager_id.is_not(None))
        .cte("above", recursive=True)
    )
    manager = aliased(Employee)
    chain = chain.union_all(
        select(chain.c.employee_id, manager.manager_id, chain.c.depth + 1)
        .join(manager, manager.id == chain.c.manager_id)
        .where(manager.manager_id.is_not(None), chain.c.depth < MAX_DEPTH)
    )
    active = aliased(Employee)
    return (
        select(chain.c.employee_id, chain.c.manager_id)
        .join(active, active.id == chain.c.manager_id)
        .where(active.active.is_(True))
        .order_by(chain.c.employee_id, chain.c.depth)
    )


MANAGERS_ABOVE = _managers_above()


def title_text(task: OpenTask, locale: Locale | None = None) -> str:
    text = task.title.render(locale)
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


async def mention(session: AsyncSession, organization_id: uuid.UUID, mention_id: uuid.UUID) -> OpenTask:
    """One stored mention task as shown (it exists: the caller has just read it)."""
    rows = await session.execute(MENTION, {"org": organization_id, "task": mention_id})
    return dated(rows, LATEST, ZoneInfo("UTC"), {})[0]
