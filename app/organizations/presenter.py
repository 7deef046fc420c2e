"""An organization as the API shows it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Organization
from app.organizations import schemas


async def present(session: AsyncSession, organization: Organization) -> schemas.Organization:
    return schemas.Organization.model_validate(organization)


async def present_many(session: AsyncSession, organizations: Sequence[Organization]) -> list[schemas.Organization]:
    return [schemas.Organization.model_validate(organization) for organization in organizations]
