"""Who may reach a department (DESIGN §6), declared in the endpoint signature: everyone in the organization reads
the tree, admins write it; another tenant's department answers 404 as if it did not exist."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import CurrentActor, Session, admin_only
from app.departments import service
from app.models import Department

DepartmentAdmin = Annotated[Actor, Depends(admin_only("manage departments"))]


async def readable_department(session: Session, actor: CurrentActor, department_id: uuid.UUID) -> Department:
    return await service.get(session, actor, department_id)


async def writable_department(session: Session, actor: DepartmentAdmin, department_id: uuid.UUID) -> Department:
    return await service.get(session, actor, department_id, lock=True)


ReadableDepartment = Annotated[Department, Depends(readable_department)]
WritableDepartment = Annotated[Department, Depends(writable_department)]
