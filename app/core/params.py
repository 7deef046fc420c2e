"""Query parameters shared by several domains, declared once so they read (and document) the same everywhere."""

from typing import Annotated

from fastapi import Query

from app.core.schemas import UtcDatetime

AsOf = Annotated[
    UtcDatetime | None,
    Query(
        description="RFC 3339 timestamp with a timezone: figures as they stood then (check-ins recorded at or "
        "before it). Default: now."
    ),
]
