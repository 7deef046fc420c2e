"""A reward run as the API shows it: whole (with its lines, one statement) or as a summary (lists, events)."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import RewardItem, RewardRun
from app.rewards import schemas


def present_summary(run: RewardRun) -> schemas.RewardRunSummary:
    return schemas.RewardRunSummary.model_validate(run)


async def present(session: AsyncSession, run: RewardRun) -> schemas.RewardRun:
    rows = await session.execute(
        select(
            RewardItem.employee_id,
            RewardItem.final_rating,
            RewardItem.coefficient,
            RewardItem.base,
            RewardItem.amount,
            RewardItem.skipped_reason,
        )
        .where(RewardItem.run_id == run.id)
        .order_by(RewardItem.employee_id)
    )
    items: list[schemas.RewardRunItem] = []
    skipped: list[schemas.RewardRunSkipped] = []
    for employee_id, final_rating, coefficient, base, amount, reason in rows:
        if reason is not None:
            skipped.append(schemas.RewardRunSkipped(employee_id=employee_id, reason=reason))
        else:
            items.append(
                schemas.RewardRunItem(
                    employee_id=employee_id,
                    final_rating=final_rating,
                    coefficient=coefficient,
                    base=base,
                    amount=amount,
                )
            )
    return schemas.RewardRun.model_validate({**present_summary(run).model_dump(), "items": items, "skipped": skipped})


async def present_many(session: AsyncSession, runs: Sequence[RewardRun]) -> list[schemas.RewardRunSummary]:
    return [present_summary(run) for run in runs]
