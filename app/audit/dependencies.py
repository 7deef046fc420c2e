"""Who may read the audit trail (DESIGN §6), declared in the endpoint signature: the admins (HR), since it shows every
change in the organization, by anyone."""

from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import admin_only

READ_ACTION = "read the audit trail"

AuditReader = Annotated[Actor, Depends(admin_only(READ_ACTION))]
