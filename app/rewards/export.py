"""A reward run as a file for payroll: CSV (UTF-8 with a BOM, so Excel reads Chinese) or XLSX, like the evaluation
export (app/cycles/export.py encodes both), streamed from the database a chunk at a time.

One row per base: the paid lines first, then the skipped ones with their reason, each by employee number. Headers and
reasons follow Accept-Language; the money columns name the run's currency.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import ExportFormat
from app.core.i18n import translate
from app.cycles import export as encode
from app.models import Cycle, Employee, RewardItem, RewardRun

# Rows a streamed read takes from the database at a time.
CHUNK = 2000
# One per column of a row below; the headers are the catalogue's reward.export.<column>.
COLUMNS = ("employee_id", "name", "final_rating", "coefficient", "base", "amount", "skipped_reason")


def _row(row: Sequence[Any]) -> list[encode.Cell]:
    external_id, name, rating, coefficient, base, amount, reason = row
    return [
        external_id,
        name,
        rating,
        coefficient,
        base,
        amount,
        None if reason is None else translate(f"reward.skipped.{reason}"),
    ]


async def export_run(session: AsyncSession, run: RewardRun, file_format: ExportFormat) -> encode.Export:
    statement = (
        select(
            Employee.external_id,
            Employee.name,
            RewardItem.final_rating,
            RewardItem.coefficient,
            RewardItem.base,
            RewardItem.amount,
            RewardItem.skipped_reason,
        )
        .join(Employee, Employee.id == RewardItem.employee_id)
        .where(RewardItem.run_id == run.id)
        .order_by(RewardItem.skipped_reason.is_not(None), Employee.external_id, Employee.id)
        .execution_options(yield_per=CHUNK)
    )
    header = tuple(translate(f"reward.export.{column}", currency=run.currency) for column in COLUMNS)
    cycle_name = await session.scalar(select(Cycle.name).where(Cycle.id == run.cycle_id))
    title = translate("reward.export.sheet", cycle=cycle_name or "")
    encoder = encode.encoder(file_format, header, title)
    try:
        async for rows in (await session.stream(statement)).partitions():
            await to_thread.run_sync(encoder.write, [_row(row) for row in rows])
    except BaseException:
        encoder.close()
        raise
    fallback = f"reward-run-{run.id}-{date.today().isoformat()}"
    return encode.Export(
        media_type=encode.MEDIA_TYPES[file_format],
        content_disposition=encode.content_disposition(title, fallback, file_format),
        chunks=encoder.chunks(),
    )
