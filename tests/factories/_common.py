"""What every ORM builder shares: one counter for unique names, and adding a row with a flush."""

from itertools import count
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

Row = TypeVar("Row")

seq = count(1)


async def save(session: AsyncSession, row: Row) -> Row:
    """Adds the row and flushes, so its id and defaults are set; returns it."""
    session.add(row)
    await session.flush()
    return row
