"""The caller's own employee record, declared in the endpoint signature."""

from typing import Annotated

from fastapi import Depends

from app.core.auth import CurrentPrincipal, Session, resolve_actor
from app.employees import service as employees
from app.models import Employee


async def my_employee(session: Session, principal: CurrentPrincipal) -> Employee | None:
    """The caller's employee record; none for a system token, a service or an API key.

    A token for an organization meets the same rule as on every other route (``resolve_actor``): a person must still
    be an active employee of it, else 401.
    """
    if principal.organization_id is None or principal.is_system:
        return None
    actor = await resolve_actor(session, principal)
    if actor.employee_id is None:
        return None
    return await employees.get(session, actor, actor.employee_id)


MyEmployee = Annotated[Employee | None, Depends(my_employee)]
