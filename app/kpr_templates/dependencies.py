"""Who may apply a template: admins to anyone, a manager to their reporting chain — so someone with an employee
record (the chain is checked per employee by the service). Templates themselves are the library's, readable by all."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import CurrentActor
from app.core.errors import Forbidden
from app.kpr_templates import service
from app.kpr_templates.library import KprTemplate


async def template_applier(actor: CurrentActor) -> Actor:
    if not actor.is_admin and actor.employee_id is None:
        raise Forbidden(action=service.APPLY_ACTION)
    return actor


async def known_template(template_id: uuid.UUID) -> KprTemplate:
    return service.get(template_id)


TemplateApplier = Annotated[Actor, Depends(template_applier)]
KnownTemplate = Annotated[KprTemplate, Depends(known_template)]
