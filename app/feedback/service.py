"""360 feedback on an evaluation (DESIGN §10): reviewers nominated by the evaluated employee, a manager in their chain
or HR, each answering once; the submitted responses' mean is the evaluation's peer score, kept current (with the final
score and rating) in the transaction that changes a response.

Feedback is anonymous towards the evaluated employee: they never see a request — 404, and left out of every list,
even the ones they nominated — and reach the responses only through ``GET /evaluations/{id}/feedback``, without
names and not before the policy's ``peer_min_responses`` were submitted. Managers in the chain and services see who
was asked and whether they answered, not what they said; a reviewer sees their own request whole; admins see
everything, except on their own evaluation, where they are the evaluated employee like anyone else.
"""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor, is_manager_of, reports_of
from app.core.enums import EvaluationStatus, EventType, FeedbackStatus, KprStatus
from app.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import fetch, fetch_in_org
from app.core.schemas import TransitionIn
from app.core.transitions import StateMachine, record_transition, record_transitions
from app.evaluations import figures as fig
from app.evaluations import service as evaluations
from app.feedback import schemas
from app.feedback.presenter import present
from app.figures import service as figures
from app.models import Cycle, Employee, Evaluation, FeedbackRequest, Kpr
from app.models.base import utcnow
from app.scoring.policy import policy_from_json

FEEDBACK_STATES = StateMachine(
    "feedback_request",
    {
        FeedbackStatus.REQUESTED: (FeedbackStatus.SUBMITTED, FeedbackStatus.DECLINED, FeedbackStatus.CANCELLED),
        FeedbackStatus.SUBMITTED: (FeedbackStatus.CANCELLED,),
    },
)
# What the partial unique index holds to one per reviewer and evaluation.
LIVE = (FeedbackStatus.REQUESTED, FeedbackStatus.SUBMITTED)
# The moves of POST …/transitions; a request becomes submitted by its response (PUT …/response).
MOVES = (FeedbackStatus.DECLINED, FeedbackStatus.CANCELLED)
REVIEW_STATES = (EvaluationStatus.SELF_REVIEW, EvaluationStatus.MANAGER_REVIEW)
# How the database names a second live request, PostgreSQL by the index, SQLite by its columns.
_LIVE_DUPLICATE = ("uq_feedback_requests_live", "feedback_requests.evaluation_id, feedback_requests.reviewer_id")


# --- who sees what --------------------------------------------------------------------------------------------------


def _is_evaluated(actor: Actor, employee_id: uuid.UUID) -> bool:
    return actor.employee_id is not None and actor.employee_id == employee_id


def sees_names(actor: Actor, employee_id: uuid.UUID) -> bool:
    """Admins see every request and response with its reviewer — except on their own evaluation."""
    return actor.is_admin and not _is_evaluated(actor, employee_id)


def reveals(actor: Actor, request: FeedbackRequest, employee_id: uuid.UUID) -> bool:
    """Whether the caller sees the response itself (score, comment, items): its reviewer, and admins."""
    return request.reviewer_id == actor.employee_id or sees_names(actor, employee_id)


async def _may_see(session: AsyncSession, actor: Actor, request: FeedbackRequest, employee_id: uuid.UUID) -> bool:
    if _is_evaluated(actor, employee_id):
        return False
    if actor.reads_whole_org or request.reviewer_id == actor.employee_id:
        return True
    return await is_manager_of(session, actor, employee_id)


async def readable(
    session: AsyncSession, actor: Actor, request: FeedbackRequest | None, request_id: uuid.UUID, *, lock: bool = False
) -> FeedbackRequest:
    """``request`` (loaded in the caller's organization, or None), or 404 when the caller may not see it.

    Writers (``lock``) lock the request, then its evaluation, always in that order: racing responses of one
    evaluation then run one after another, and each peer score counts every response committed before it.
    """
    if request is None:
        raise NotFound("feedback_request", request_id)
    evaluation = await fetch(session, Evaluation, request.evaluation_id, lock=lock)
    assert evaluation is not None  # a foreign key
    if not await _may_see(session, actor, request, evaluation.employee_id):
        raise NotFound("feedback_request", request_id)
    return request


async def get(session: AsyncSession, actor: Actor, request_id: uuid.UUID, *, lock: bool = False) -> FeedbackRequest:
    request = await fetch_in_org(session, FeedbackRequest, request_id, actor.organization_id, lock=lock)
    return await readable(session, actor, request, request_id, lock=lock)


async def evaluation_of(session: AsyncSession, request: FeedbackRequest) -> Evaluation:
    """The request's evaluation, which ``readable`` loaded already (no statement)."""
    evaluation = await session.get(Evaluation, request.evaluation_id)
    assert evaluation is not None
    return evaluation


async def reveals_to(session: AsyncSession, actor: Actor, request: FeedbackRequest) -> bool:
    """``reveals`` for a request ``readable`` loaded (its evaluation is in the session already)."""
    return reveals(actor, request, (await evaluation_of(session, request)).employee_id)


def list_statement(
    actor: Actor,
    reviewer_id: uuid.UUID | None,
    evaluation_id: uuid.UUID | None,
    status: str | None,
) -> Select[FeedbackRequest]:
    """The requests the caller may see: their own as reviewer, those on their reports' evaluations, every one for
    admins and services — never one on the caller's own evaluation."""
    statement = (
        select(FeedbackRequest)
        .join(Evaluation, Evaluation.id == FeedbackRequest.evaluation_id)
        .where(FeedbackRequest.organization_id == actor.organization_id)
    )
    if actor.employee_id is not None:
        statement = statement.where(Evaluation.employee_id != actor.employee_id)
    if not actor.reads_whole_org:
        assert actor.employee_id is not None  # only whole-organization readers come without an employee record
        statement = statement.where(
            (FeedbackRequest.reviewer_id == actor.employee_id)
            | Evaluation.employee_id.in_(reports_of(actor.employee_id))
        )
    for column, value in (
        (FeedbackRequest.reviewer_id, reviewer_id),
        (FeedbackRequest.evaluation_id, evaluation_id),
        (FeedbackRequest.status, status),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def revealed(actor: Actor, requests: Iterable[FeedbackRequest]) -> set[uuid.UUID]:
    """Of a page of ``list_statement``, the requests whose response the caller sees (the caller's own evaluation is
    never on it, so an admin sees every response there)."""
    return {request.id for request in requests if request.reviewer_id == actor.employee_id or actor.is_admin}


# --- rules shared by the writes -------------------------------------------------------------------------------------


def _require_not_frozen(evaluation: Evaluation) -> None:
    if evaluation.status in fig.FROZEN_STATES:
        raise Conflict(
            detail=translate("evaluation.locked", id=evaluation.id, status=evaluation.status),
            code=ProblemCode.EVALUATION_LOCKED,
            extra={"evaluation_status": evaluation.status},
        )


def _require_in_review(evaluation: Evaluation) -> None:
    """Feedback is asked for and given while the evaluation is in self or manager review (as reviews are)."""
    _require_not_frozen(evaluation)
    if evaluation.status not in REVIEW_STATES:
        raise Conflict(
            detail=translate("feedback.evaluation_not_in_review", status=evaluation.status),
            code=ProblemCode.INVALID_STATE,
            extra={"evaluation_status": evaluation.status, "expected_statuses": list(REVIEW_STATES)},
        )


def _already_requested(reviewer_ids: Sequence[uuid.UUID]) -> Conflict:
    return Conflict(
        detail=translate("feedback.already_requested", reviewers=", ".join(map(str, reviewer_ids))),
        code=ProblemCode.FEEDBACK_ALREADY_REQUESTED,
        extra={"reviewer_ids": [str(reviewer_id) for reviewer_id in reviewer_ids]},
    )


def _is_live_duplicate(exc: IntegrityError) -> bool:
    message = str(exc.orig)
    return any(name in message for name in _LIVE_DUPLICATE)


# --- nominating -----------------------------------------------------------------------------------------------------


async def evaluation_to_nominate_on(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID) -> Evaluation:
    """The evaluation (404 as for reading it), its state read FOR SHARE: nominations of one evaluation run side by
    side — the live index settles duplicates between them — while a move out of review waits for them."""
    evaluation = await evaluations.get(session, actor, evaluation_id)
    await session.refresh(evaluation, ["status"], with_for_update={"read": True})
    return evaluation


async def _reviewers(
    session: AsyncSession, actor: Actor, evaluation: Evaluation, reviewer_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Check the reviewers — one statement for all: active employees of the organization (422 naming each other
    one), never the evaluated employee (422) — and return those with a live request on the evaluation already."""
    live = exists().where(
        FeedbackRequest.evaluation_id == evaluation.id,
        FeedbackRequest.reviewer_id == Employee.id,
        FeedbackRequest.status.in_(LIVE),
    )
    rows = await session.execute(
        select(Employee.id, Employee.active, live).where(
            Employee.organization_id == actor.organization_id, Employee.id.in_(reviewer_ids)
        )
    )
    found = {employee_id: (active, has_live) for employee_id, active, has_live in rows}
    errors = []
    for index, reviewer_id in enumerate(reviewer_ids):
        if reviewer_id == evaluation.employee_id:
            message = translate("feedback.reviewer_is_evaluated", reviewer_id=reviewer_id)
        elif not found.get(reviewer_id, (False, False))[0]:
            # Unknown, another tenant's and inactive read alike: the answer tells nothing about other tenants.
            message = translate("feedback.reviewer_not_active", reviewer_id=reviewer_id)
        else:
            continue
        errors.append({"loc": ["body", "reviewer_ids", index], "msg": message, "type": "value_error"})
    if errors:
        raise ValidationFailed(errors=errors)
    return [reviewer_id for reviewer_id in reviewer_ids if found[reviewer_id][1]]


async def nominate(
    session: AsyncSession, actor: Actor, evaluation: Evaluation, body: schemas.FeedbackRequestCreate
) -> list[FeedbackRequest]:
    """One request per reviewer, all or none, each ``requested``: one INSERT, one of their transitions, one of their
    audit entries and one of their events, however many reviewers."""
    # Having read the evaluation, a caller who is neither the employee, an admin nor a service is a manager in the
    # chain; a service reads it but asks no one.
    if not (actor.is_admin or _is_evaluated(actor, evaluation.employee_id) or not actor.reads_whole_org):
        raise Forbidden(action="ask for feedback on this evaluation")
    _require_in_review(evaluation)
    already = await _reviewers(session, actor, evaluation, body.reviewer_ids)
    if already:
        raise _already_requested(already)
    now = utcnow()
    requests = [
        FeedbackRequest(
            id=uuid.uuid4(),
            organization_id=actor.organization_id,
            evaluation_id=evaluation.id,
            reviewer_id=reviewer_id,
            nominated_by=actor.subject,
            relationship=body.relationship,
            status=FeedbackStatus.REQUESTED,
            due_date=body.due_date,
            message=body.message,
            created_at=now,
            updated_at=now,
        )
        for reviewer_id in body.reviewer_ids
    ]
    # Inserted in reviewer order, whatever the order asked: two nominations naming the same reviewers in opposite
    # orders then wait on one another's index entries in the same order, never in a deadlock.
    in_reviewer_order = sorted(requests, key=lambda request: request.reviewer_id)
    try:
        async with session.begin_nested():
            session.add_all(in_reviewer_order)
    except IntegrityError as exc:
        # A nomination racing this one committed a live request for a reviewer after the check above: the partial
        # unique index refused the second. Named as the check would have named them, now that it sees the first.
        if not _is_live_duplicate(exc):
            raise
        raise _already_requested(
            await _reviewers(session, actor, evaluation, body.reviewer_ids) or body.reviewer_ids
        ) from exc
    await record_transitions(
        session,
        actor,
        FEEDBACK_STATES,
        [(request.id, None, FeedbackStatus.REQUESTED) for request in requests],
        comment=body.message,
        at=now,
    )
    await audit.record_many(
        session,
        actor,
        [
            (
                "create",
                "feedback_request",
                request.id,
                None,
                {
                    "evaluation_id": evaluation.id,
                    "reviewer_id": request.reviewer_id,
                    "relationship": request.relationship,
                    "due_date": request.due_date,
                },
            )
            for request in requests
        ],
    )
    await outbox.publish_many(
        session,
        actor.organization_id,
        EventType.FEEDBACK_REQUEST_TRANSITIONED,
        (
            outbox.transition(None, FeedbackStatus.REQUESTED, body.message, present(request, reveal=True))
            for request in requests
        ),
    )
    return requests


# --- responding -----------------------------------------------------------------------------------------------------


async def _check_response(
    session: AsyncSession, evaluation: Evaluation, body: schemas.FeedbackResponseIn
) -> list[dict[str, Any]]:
    """The score within the policy's cap and each item an active KPR of the evaluation's plan (422 otherwise), as for
    reviews; returns the items as stored."""
    cycle = await session.get(Cycle, evaluation.cycle_id)
    assert cycle is not None  # a foreign key
    cap = policy_from_json(cycle.policy).cap
    if body.score > cap:
        raise ValidationFailed.field("score", translate("evaluation.score_above_cap", cap=cap))
    if body.items:
        active = set(
            await session.scalars(
                select(Kpr.id).where(Kpr.plan_id == evaluation.plan_id, Kpr.status == KprStatus.ACTIVE)
            )
        )
        errors = [
            {
                "loc": ["body", "items", index, "kpr_id"],
                "msg": translate("evaluation.kpr_not_in_plan", kpr_id=item.kpr_id),
                "type": "value_error",
            }
            for index, item in enumerate(body.items)
            if item.kpr_id not in active
        ]
        if errors:
            raise ValidationFailed(errors=errors)
    return [{"kpr_id": str(item.kpr_id), "comment": item.comment} for item in body.items]


async def respond(
    session: AsyncSession, actor: Actor, request: FeedbackRequest, body: schemas.FeedbackResponseIn
) -> FeedbackRequest:
    """The reviewer's response, while the evaluation is in review: the request becomes (or stays) submitted, and the
    evaluation's peer score, final score and rating follow in the same transaction."""
    evaluation = await evaluation_of(session, request)
    if actor.employee_id != request.reviewer_id:
        raise Forbidden(action="respond to this feedback request")
    _require_in_review(evaluation)
    current = request.status
    if current != FeedbackStatus.SUBMITTED:
        FEEDBACK_STATES.check(current, FeedbackStatus.SUBMITTED)
    items = await _check_response(session, evaluation, body)
    before = {"status": current, "score": request.score, "comment": request.comment}
    request.score, request.comment, request.items = body.score, body.comment, items
    request.status = FeedbackStatus.SUBMITTED
    request.submitted_at = now = utcnow()
    await session.flush()
    await figures.evaluations_changed(session, Evaluation.id == evaluation.id)
    after = {"status": request.status, "score": body.score, "comment": body.comment, "items": items}
    audit.record(session, actor, "respond", "feedback_request", request.id, before=before, after=after)
    if current != FeedbackStatus.SUBMITTED:
        record_transition(session, actor, FEEDBACK_STATES, request.id, current, FeedbackStatus.SUBMITTED, None, at=now)
        outbox.publish(
            session,
            actor.organization_id,
            EventType.FEEDBACK_REQUEST_TRANSITIONED,
            outbox.transition(current, FeedbackStatus.SUBMITTED, None, present(request, reveal=True)),
        )
    return request


# --- declining and cancelling ---------------------------------------------------------------------------------------


async def transition(
    session: AsyncSession, actor: Actor, request: FeedbackRequest, body: TransitionIn
) -> FeedbackRequest:
    """requested → declined (the reviewer); requested → cancelled (whoever nominated, or an admin); submitted →
    cancelled (an admin: the response stops counting). Refused once the evaluation is frozen."""
    current, target = request.status, body.to
    if target not in MOVES:
        raise InvalidTransition(
            current, target, [state for state in FEEDBACK_STATES.allowed(current) if state in MOVES]
        )
    FEEDBACK_STATES.check(current, target)
    evaluation = await evaluation_of(session, request)
    if target == FeedbackStatus.DECLINED:
        allowed = actor.employee_id == request.reviewer_id
    else:
        nominator = current == FeedbackStatus.REQUESTED and actor.subject == request.nominated_by
        allowed = nominator or sees_names(actor, evaluation.employee_id)
    if not allowed:
        raise Forbidden(action="move this feedback request to '{target}'", target=target)
    _require_not_frozen(evaluation)
    request.status = target
    await session.flush()
    if current == FeedbackStatus.SUBMITTED:
        await figures.evaluations_changed(session, Evaluation.id == evaluation.id)
    record_transition(session, actor, FEEDBACK_STATES, request.id, current, target, body.comment)
    audit.record(
        session,
        actor,
        "transition",
        "feedback_request",
        request.id,
        before={"status": current},
        after={"status": target, "comment": body.comment},
    )
    outbox.publish(
        session,
        actor.organization_id,
        EventType.FEEDBACK_REQUEST_TRANSITIONED,
        outbox.transition(current, target, body.comment, present(request, reveal=True)),
    )
    return request


# --- the responses on an evaluation ---------------------------------------------------------------------------------


async def responses_of(
    session: AsyncSession, actor: Actor, evaluation: Evaluation
) -> tuple[list[FeedbackRequest], bool]:
    """The submitted responses of an evaluation the caller may read, and whether the caller sees their reviewers
    (admins only); to the others they are shown only once the peer score counts (enough responses for the policy).

    They come in the order of their random ids, which says nothing of who answered when.
    """
    rows = list(
        await session.scalars(
            select(FeedbackRequest)
            .where(FeedbackRequest.evaluation_id == evaluation.id, FeedbackRequest.status == FeedbackStatus.SUBMITTED)
            .order_by(FeedbackRequest.id)
        )
    )
    named = sees_names(actor, evaluation.employee_id)
    # The stored peer score is null exactly while fewer than peer_min_responses were submitted (policy changes
    # re-derive it), and frozen with the evaluation's other figures.
    shown = named or evaluation.peer_score is not None
    return (rows if shown else []), named
