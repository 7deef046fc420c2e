"""Tenants: created and managed by the system role; an organization's own members read it, its admins rename it."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Forbidden, NotFound
from app.core.repository import apply_changes
from app.core.security import Principal
from app.models import Organization
from app.organizations.schemas import OrganizationCreate


def list_statement(principal: Principal) -> Select[Organization]:
    statement = select(Organization)
    if not principal.is_system:
        statement = statement.where(Organization.id == principal.organization_id)
    return statement


async def get(session: AsyncSession, principal: Principal, organization_id: uuid.UUID) -> Organization:
    if not principal.is_system and principal.organization_id != organization_id:
        raise NotFound("organization", organization_id)
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("organization", organization_id)
    return organization


async def create(session: AsyncSession, principal: Principal, data: OrganizationCreate) -> Organization:
    if not principal.is_system:
        raise Forbidden(action="create organizations")
    organization = Organization(**data.model_dump())
    session.add(organization)
    await session.flush()
    return organization


async def update(
    session: AsyncSession, principal: Principal, organization: Organization, changes: dict[str, object]
) -> Organization:
    if not (principal.is_system or principal.is_admin):
        raise Forbidden(action="change the organization")
    apply_changes(organization, changes)
    await session.flush()
    return organization
