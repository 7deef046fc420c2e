import uuid
from typing import Annotated

from app.core.schemas import MAX_ROLE_LENGTH, MAX_ROLES, Declared, OutputModel, SubjectOut
from app.employees.schemas import Employee


class Me(OutputModel):
    subject: SubjectOut
    organization_id: uuid.UUID | None
    roles: Annotated[list[Annotated[str, Declared(maxLength=MAX_ROLE_LENGTH)]], Declared(maxItems=MAX_ROLES)]
    employee: Employee | None
