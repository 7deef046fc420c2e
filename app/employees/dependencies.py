"""Who may reach an employee (DESIGN §6), declared in the endpoint signature: everyone in the organization reads the
directory, admins write it; another tenant's employee answers 404 as if they did not exist."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import CurrentActor, Session, admin_only
from app.employees import service
from app.models import Employee

EmployeeAdmin = Annotated[Actor, Depends(admin_only("manage employees"))]


async def readable_employee(session: Session, actor: CurrentActor, employee_id: uuid.UUID) -> Employee:
    return await service.get(session, actor, employee_id)


async def writable_employee(session: Session, actor: EmployeeAdmin, employee_id: uuid.UUID) -> Employee:
    return await service.get(session, actor, employee_id, lock=True)


ReadableEmployee = Annotated[Employee, Depends(readable_employee)]
WritableEmployee = Annotated[Employee, Depends(writable_employee)]
