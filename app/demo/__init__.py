"""``kpr demo``: a demo manufacturer in Chinese, and tokens to explore it with.

The demo is loaded through the services like any caller (``calls``), from plain tables (``data``): the org chart
(``org``), an active annual cycle (``planning``), a quarter waiting in calibration (``evaluations``), and people
discussing the annual results, which leaves each demo token something on its task list (``together``).
"""

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.security import TOKEN_TTL, mint_token
from app.demo.data import DEMO_ORG_ID, ORG_NAME, PEOPLE, ROLES, TOKENS
from app.demo.evaluations import load_closed_quarter_with_rewards, load_quarter_in_calibration
from app.demo.org import is_loaded, load_company
from app.demo.planning import load_annual_cycle
from app.demo.together import load_conversations

__all__ = ["DEMO_ORG_ID", "load_demo", "load_into"]

TOKEN_HOURS = int(TOKEN_TTL.total_seconds() // 3600)


async def load_into(session: AsyncSession) -> bool:
    """Load the whole demo in this session (flushed, not committed); False when it is already there."""
    if await is_loaded(session):
        return False
    await _load(session)
    return True


async def load_demo(settings: Settings, base_url: str = "http://127.0.0.1:8000") -> None:
    """Load the demo company once (a second run finds it and changes nothing), then print tokens for it and where
    the service (``base_url``) shows its docs."""
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            if await is_loaded(session):
                print("the demo company is already loaded")
            else:
                print(f"loading the demo company {ORG_NAME} …")
                await _load(session)
                await session.commit()
                print("demo loaded")
    finally:
        await engine.dispose()
    _print_tokens(settings, base_url)


async def _load(session: AsyncSession) -> None:
    company = await load_company(session)
    annual = await load_annual_cycle(session, company)
    await load_closed_quarter_with_rewards(session, company)
    await load_quarter_in_calibration(session, company)
    await load_conversations(session, company, annual)


def _print_tokens(settings: Settings, base_url: str) -> None:
    external_ids = {person.key: person.external_id for person in PEOPLE}
    print(f"\norganization id: {DEMO_ORG_ID}")
    for label, key in TOKENS:
        roles = ROLES.get(key, [])
        token = mint_token(settings, subject=external_ids[key], organization_id=DEMO_ORG_ID, roles=roles)
        print(f"\n{label}:\n{token}")
    print(f"\nThe tokens are valid for {TOKEN_HOURS} hours (`kpr token` mints more).")
    print(f"Open {base_url}/docs, click Authorize and paste a token.")
