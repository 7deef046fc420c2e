"""Tenants: created and managed by the system role; an organization's own members read it, its admins rename it.

Reads are scoped here; who may create and change (the system role, an admin) is the routes' to declare
(app/organizations/dependencies.py).
"""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core.access import Actor
from app.core.errors import NotFound
from app.core.repository import apply_changes, fetch
from app.core.security import Principal
from app.models import Organization
from app.organizations.schemas import OrganizationCreate


def list_statement(principal: Principal) -> Select[Organization]:
    statement = select(Organization)
    if not principal.is_system:
        statement = statement.where(Organization.id == principal.organization_id)
    return statement


async def get(
    session: AsyncSession, principal: Principal, organization_id: uuid.UUID, *, lock: bool = False
) -> Organization:
    if not principal.is_system and principal.organization_id != organization_id:
        raise NotFound("organization", organization_id)
    organization = await fetch(session, Organization, organization_id, lock=lock)
    if organization is None:
        raise NotFound("organization", organization_id)
    return organization


async def create(session: AsyncSession, principal: Principal, data: OrganizationCreate) -> Organization:
    values = data.model_dump()
    organization = Organization(**values)
    session.add(organization)
    await session.flush()
    audit.record(session, _auditor(principal, organization), "create", "organization", organization.id, after=values)
    return organization


async def update(
    session: AsyncSession, principal: Principal, organization: Organization, changes: dict[str, object]
) -> Organization:
    diff = apply_changes(organization, changes)
    await session.flush()
    audit.record_diff(session, _auditor(principal, organization), "update", "organization", organization.id, diff)
    return organization


def _auditor(principal: Principal, organization: Organization) -> Actor:
    # The trail belongs to the organization changed, whoever changed it (its admin, or the system role from outside).
    return Actor(principal=principal, organization_id=organization.id, employee_id=None)
