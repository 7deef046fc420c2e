"""Who may reach an organization (DESIGN §6), declared in the endpoint signature. The system role creates them and
reaches every one; anyone else reaches only their own (another answers 404, as if it did not exist), and of them only
its admins change it. Creating is ``SystemPrincipal`` (app.core.auth)."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.auth import CurrentPrincipal, Session
from app.core.errors import Forbidden
from app.models import Organization
from app.organizations import service


async def readable_organization(
    session: Session, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Organization:
    return await service.get(session, principal, organization_id)


async def writable_organization(
    session: Session, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Organization:
    # Looked up first: a member of another organization learns nothing of it (404), not even that it may not write.
    organization = await service.get(session, principal, organization_id, lock=True)
    if not (principal.is_system or principal.is_admin):
        raise Forbidden(action="change the organization")
    return organization


ReadableOrganization = Annotated[Organization, Depends(readable_organization)]
WritableOrganization = Annotated[Organization, Depends(writable_organization)]
