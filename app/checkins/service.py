"""Check-ins: append-only, dated measurements of a KPR or a KPI — one at a time, or pushed in bulk (DESIGN §14)."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Insert, Table, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.checkins.presenter import PushOutcome, present, present_many
from app.checkins.schemas import CheckInCreate, CheckInPushItem
from app.core import outbox
from app.core.access import Actor
from app.core.db import is_postgres
from app.core.enums import CycleStatus, EventType, KprStatus, PushStatus
from app.core.errors import AppError, NotFound, ValidationFailed
from app.core.i18n import translate
from app.core.pagination import PageParams, paginate
from app.cycles.rules import ensure_cycle_not_closed
from app.figures import service as figures
from app.models import CheckIn, Cycle, Kpi, Kpr

# Clocks drift; a measurement a few minutes "in the future" is a clock, not a forecast.
CLOCK_SKEW = timedelta(minutes=5)


def cycle_window(cycle: Cycle) -> tuple[datetime, datetime]:
    start = datetime.combine(cycle.start_date, time.min, tzinfo=UTC)
    end = datetime.combine(cycle.end_date + timedelta(days=1), time.min, tzinfo=UTC)
    return start, end


def recordable_at(cycle: Cycle, recorded_at: datetime | None, now: datetime) -> datetime:
    """The one rule of whether a measurement may be recorded on a KPR or KPI of ``cycle``, for every writer (one
    check-in, a push): the cycle is not closed, and the moment measured (default: now) lies inside the cycle and not
    in the future. Returns that moment; raises the domain error that says why not."""
    ensure_cycle_not_closed(cycle)
    moment = recorded_at or now
    start, end = cycle_window(cycle)
    if not start <= moment < end:
        raise ValidationFailed.field(
            "recorded_at", translate("field.outside_cycle", start=cycle.start_date, end=cycle.end_date)
        )
    if moment > now + CLOCK_SKEW:
        raise ValidationFailed.field("recorded_at", translate("field.in_future"))
    return moment


async def record_for_kpr(session: AsyncSession, actor: Actor, kpr: Kpr, data: CheckInCreate) -> CheckIn:
    """Record a measurement of a KPR (the caller has checked the rights: ``MeasurableKpr``)."""
    return await _record(session, actor, kpr.cycle_id, data, kpr_id=kpr.id)


async def record_for_kpi(session: AsyncSession, actor: Actor, kpi: Kpi, data: CheckInCreate) -> CheckIn:
    """Record a measurement of a KPI (the caller has checked the rights: ``MeasurableKpi``)."""
    kpr = await session.get(Kpr, kpi.kpr_id)  # loaded already, by the access check
    assert kpr is not None
    return await _record(session, actor, kpr.cycle_id, data, kpi_id=kpi.id)


async def _record(
    session: AsyncSession,
    actor: Actor,
    cycle_id: uuid.UUID,
    data: CheckInCreate,
    *,
    kpr_id: uuid.UUID | None = None,
    kpi_id: uuid.UUID | None = None,
) -> CheckIn:
    cycle = await session.get(Cycle, cycle_id)
    assert cycle is not None
    now = datetime.now(UTC)
    check_in = CheckIn(
        organization_id=actor.organization_id,
        kpr_id=kpr_id,
        kpi_id=kpi_id,
        value=data.value,
        recorded_at=recordable_at(cycle, data.recorded_at, now),
        note=data.note,
        confidence=data.confidence,
        author_id=actor.employee_id,
        author=actor.subject,
        created_at=now,
    )
    session.add(check_in)
    await session.flush()
    if kpr_id is not None:
        # The KPR's figures, its goals' progress and its plan's live evaluation, in this transaction.
        await figures.kprs_changed(session, [kpr_id], smart=False)
    outbox.publish(session, actor.organization_id, EventType.CHECKIN_CREATED, await present(session, check_in))
    return check_in


async def page_of(
    session: AsyncSession, page: PageParams, *, kpr_id: uuid.UUID | None = None, kpi_id: uuid.UUID | None = None
) -> tuple[list[CheckIn], str | None]:
    """A KPR's (or KPI's) check-ins, newest first."""
    subject = CheckIn.kpr_id == kpr_id if kpr_id is not None else CheckIn.kpi_id == kpi_id
    statement = select(CheckIn).where(subject)
    return await paginate(session, statement, page, [CheckIn.recorded_at, CheckIn.id], descending=True)


# --- pushed in bulk (POST /check-ins/bulk) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What one check-in measures: a KPR or a KPI, and the cycle whose rules it is recorded by."""

    kpr_id: uuid.UUID | None
    kpi_id: uuid.UUID | None
    cycle: Cycle


@dataclass
class Subjects:
    """Everything a push names, resolved in the caller's organization: by id, and by metric key the active KPRs and
    KPIs (of active KPRs) of active cycles that track it."""

    kprs: dict[uuid.UUID, Subject] = field(default_factory=dict)
    kpis: dict[uuid.UUID, Subject] = field(default_factory=dict)
    tracking: dict[str, list[Subject]] = field(default_factory=lambda: defaultdict(list))


# KPRs and KPIs a metric key lands on: active ones, in the organization's active cycles (DESIGN §14).
_TRACKING_KPR = and_(Kpr.status == KprStatus.ACTIVE, Cycle.status == CycleStatus.ACTIVE)


async def _resolve(session: AsyncSession, actor: Actor, items: Sequence[CheckInPushItem]) -> Subjects:
    """Two statements however many items: the KPRs, then the KPIs, named by id or tracking a key, with their cycles.

    Ids of another organization are not found, exactly as unknown ones. Nothing is locked here: the INSERT's foreign
    keys hold the KPRs and KPIs (KEY SHARE) and the figures' refresh locks the KPRs it recomputes, in id order.
    """
    kpr_ids = {item.kpr_id for item in items if item.kpr_id is not None}
    kpi_ids = {item.kpi_id for item in items if item.kpi_id is not None}
    keys = {item.metric_key for item in items if item.metric_key is not None}
    found = Subjects()
    if kpr_ids or keys:
        rows = await session.execute(
            select(Kpr.id, Kpr.metric_key, _TRACKING_KPR.label("tracking"), Cycle)
            .join(Cycle, Cycle.id == Kpr.cycle_id)
            .where(
                Kpr.organization_id == actor.organization_id,
                or_(Kpr.id.in_(kpr_ids), and_(Kpr.metric_key.in_(keys), _TRACKING_KPR)),
            )
        )
        for kpr_id, key, tracking, cycle in rows:
            subject = Subject(kpr_id, None, cycle)
            if kpr_id in kpr_ids:
                found.kprs[kpr_id] = subject
            if key in keys and tracking:
                found.tracking[key].append(subject)
    if kpi_ids or keys:
        rows = await session.execute(
            select(Kpi.id, Kpi.metric_key, _TRACKING_KPR.label("tracking"), Cycle)
            .join(Kpr, Kpr.id == Kpi.kpr_id)
            .join(Cycle, Cycle.id == Kpr.cycle_id)
            .where(
                Kpi.organization_id == actor.organization_id,
                or_(Kpi.id.in_(kpi_ids), and_(Kpi.metric_key.in_(keys), _TRACKING_KPR)),
            )
        )
        for kpi_id, key, tracking, cycle in rows:
            subject = Subject(None, kpi_id, cycle)
            if kpi_id in kpi_ids:
                found.kpis[kpi_id] = subject
            if key in keys and tracking:
                found.tracking[key].append(subject)
    return found


def _subjects_of(item: CheckInPushItem, found: Subjects) -> list[Subject]:
    if item.kpr_id is not None:
        if item.kpr_id not in found.kprs:
            raise NotFound("kpr", item.kpr_id)
        return [found.kprs[item.kpr_id]]
    if item.kpi_id is not None:
        if item.kpi_id not in found.kpis:
            raise NotFound("kpi", item.kpi_id)
        return [found.kpis[item.kpi_id]]
    assert item.metric_key is not None
    tracking = found.tracking.get(item.metric_key)
    if not tracking:
        raise NotFound(
            "metric_key", item.metric_key, detail=translate("detail.metric_key_untracked", metric_key=item.metric_key)
        )
    return tracking


def _error_field(exc: AppError, item: CheckInPushItem) -> str | None:
    """The item's field at fault: the one a validation error names, the subject that was not found."""
    if exc.errors:
        return str(exc.errors[0]["loc"][-1])
    if isinstance(exc, NotFound):
        return "kpr_id" if item.kpr_id is not None else "kpi_id" if item.kpi_id is not None else "metric_key"
    return None


def _planned(item: CheckInPushItem, subjects: list[Subject], now: datetime) -> list[tuple[Subject, datetime]]:
    """The subjects the rule lets the item be recorded on, with the moment recorded. A metric key skips the cycles
    whose period does not hold the moment (two active cycles may track one key); the item fails only when the rule
    refuses every subject, with the first refusal."""
    planned: list[tuple[Subject, datetime]] = []
    refusal: AppError | None = None
    for subject in subjects:
        try:
            planned.append((subject, recordable_at(subject.cycle, item.recorded_at, now)))
        except AppError as exc:
            refusal = refusal or exc
    if not planned:
        assert refusal is not None
        raise refusal
    return planned


# The check-ins' table: pushed rows go in as a Core INSERT (plain dicts, no ORM objects made or tracked).
CHECK_INS = cast(Table, CheckIn.__table__)


def _insert(session: AsyncSession) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING on ``uq_check_ins_pushed``, returning the ids it stored: a repeat of a pushed
    (source, external_id) on one KPR or KPI is skipped by the database itself, so concurrent retries store it once
    (the second waits for the first's commit, then skips). The rows go in one multi-row statement per 1000."""
    dialect_insert = postgresql.insert if is_postgres(session) else sqlite.insert
    return (
        dialect_insert(CHECK_INS)
        .on_conflict_do_nothing(
            index_elements=[
                CHECK_INS.c.organization_id,
                CHECK_INS.c.source,
                CHECK_INS.c.external_id,
                func.coalesce(CHECK_INS.c.kpr_id, CHECK_INS.c.kpi_id),
            ],
            index_where=CHECK_INS.c.external_id.is_not(None),
        )
        .returning(CHECK_INS.c.id)
    )


# A pushed check-in's identity: (source, external_id, the KPR or KPI), as uq_check_ins_pushed holds it.
PushedKey = tuple[str | None, str | None, uuid.UUID | None]


def _pushed_key(row: dict[str, Any]) -> PushedKey:
    return row["source"], row["external_id"], row["kpr_id"] or row["kpi_id"]


async def _stored_before(session: AsyncSession, actor: Actor, rows: list[dict[str, Any]]) -> dict[PushedKey, uuid.UUID]:
    """The check-ins that the pushed rows the INSERT skipped repeat: one statement, by the unique index's columns."""
    if not rows:
        return {}
    found = await session.execute(
        select(CheckIn.id, CheckIn.source, CheckIn.external_id, CheckIn.kpr_id, CheckIn.kpi_id).where(
            CheckIn.organization_id == actor.organization_id,
            CheckIn.source.in_({row["source"] for row in rows}),
            CheckIn.external_id.in_({row["external_id"] for row in rows}),
        )
    )
    return {(source, external_id, kpr_id or kpi_id): id_ for id_, source, external_id, kpr_id, kpi_id in found}


async def push(session: AsyncSession, actor: Actor, items: Sequence[CheckInPushItem]) -> list[PushOutcome]:
    """Record many measurements at once (DESIGN §14), each item on its own: a refused item does not stop the others.

    A fixed number of statements whatever the number of items: two to resolve what they name, one INSERT of every
    check-in (skipping repeats), one to read back the repeats, then the stored figures of every KPR measured
    (``app.figures``, set-based), one INSERT of audit events and one of ``checkin.created`` events.
    """
    now = datetime.now(UTC)
    found = await _resolve(session, actor, items)
    outcomes: list[PushOutcome] = []
    rows: list[dict[str, Any]] = []
    rows_of: dict[int, list[dict[str, Any]]] = {}
    for index, item in enumerate(items):
        try:
            planned = _planned(item, _subjects_of(item, found), now)
        except AppError as exc:
            outcomes.append(PushOutcome(index, PushStatus.ERROR, error=exc, error_field=_error_field(exc, item)))
            continue
        mine = [
            {
                "id": uuid.uuid4(),
                "organization_id": actor.organization_id,
                "kpr_id": subject.kpr_id,
                "kpi_id": subject.kpi_id,
                "value": item.value,
                "recorded_at": moment,
                "note": item.note,
                "confidence": None,
                "author_id": actor.employee_id,
                "author": actor.subject,
                "created_at": now,
                "source": item.source,
                "external_id": item.external_id,
            }
            for subject, moment in planned
        ]
        rows.extend(mine)
        rows_of[index] = mine
        outcomes.append(PushOutcome(index, PushStatus.CREATED))
    # One order for every writer — by the unique key — so two pushes racing on the same figures wait for each other
    # in the same order instead of deadlocking.
    rows.sort(key=lambda row: (row["source"] or "", row["external_id"] or "", str(row["kpr_id"] or row["kpi_id"])))
    stored: set[uuid.UUID] = set()
    if rows:
        stored = set(await session.scalars(_insert(session), rows))
    skipped = [row for row in rows if row["id"] not in stored]
    before = await _stored_before(session, actor, skipped)
    new_rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        if outcome.status == PushStatus.ERROR:
            continue
        created = False
        for row in rows_of[outcome.index]:
            if row["id"] in stored:
                created = True
                new_rows.append(row)
                outcome.check_in_ids.append(row["id"])
            else:
                outcome.check_in_ids.append(before[_pushed_key(row)])
        outcome.status = PushStatus.CREATED if created else PushStatus.DUPLICATE
    if not new_rows:
        return outcomes
    measured = {row["kpr_id"] for row in new_rows if row["kpr_id"] is not None}
    if measured:
        # Their figures, their goals' progress and their plans' live evaluations, set-based, in this transaction.
        await figures.kprs_changed(session, measured, smart=False)
    await audit.record_many(
        session,
        actor,
        [("create", "check_in", row["id"], None, _audited(row)) for row in new_rows],
    )
    shown = await present_many(session, new_rows)
    await outbox.publish_many(session, actor.organization_id, EventType.CHECKIN_CREATED, shown)
    return outcomes


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    names = ("kpr_id", "kpi_id", "value", "recorded_at", "note", "source", "external_id")
    return {name: row[name] for name in names if row[name] is not None}
