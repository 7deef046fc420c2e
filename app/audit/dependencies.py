"""Who may read the audit trail (DESIGN §6), declared in the endpoint signature: the admins (HR), since it shows every
change in the organization, by anyone."""

from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import admin_only
from app.core.i18n import register_messages

READ_ACTION = "read the audit trail"
# Belongs in app/core/i18n.py (actions are keyed by their English text); registered here until it moves.
register_messages({f"action.{READ_ACTION}": {"en": READ_ACTION, "zh-CN": "查看审计记录"}})

AuditReader = Annotated[Actor, Depends(admin_only(READ_ACTION))]
