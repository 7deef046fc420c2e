"""The whole demo, loaded through its public entry point into the test's transaction."""

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import mint_token
from app.demo import DEMO_ORG_ID, load_into

Headers = Callable[..., dict[str, str]]


@pytest.fixture
async def demo(session: AsyncSession) -> None:
    assert await load_into(session)
    await session.commit()


@pytest.fixture
def as_demo(settings: Settings) -> Headers:
    """Request headers for a demo person, as the tokens ``kpr demo`` prints would give."""

    def headers(subject: str, *roles: str) -> dict[str, str]:
        token = mint_token(settings, subject=subject, organization_id=DEMO_ORG_ID, roles=list(roles))
        return {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}

    return headers
