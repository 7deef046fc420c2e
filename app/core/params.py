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

UpdatedSince = Annotated[
    UtcDatetime | None,
    Query(
        description="RFC 3339 timestamp with a timezone: only what was created or changed at or after it, ordered by "
        "(updated_at, id), for incremental sync (DESIGN §14). Keep the largest updated_at you have read and pass it "
        "next time, less a margin (a minute) for writes still committing when you read: a row is seen again rather "
        "than missed. Deletions are not listed: follow the *.deleted events (webhooks) for those."
    ),
]
