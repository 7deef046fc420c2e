import uuid

from app.core.schemas import OutputModel
from app.employees.schemas import Employee


class Me(OutputModel):
    subject: str
    organization_id: uuid.UUID | None
    roles: list[str]
    employee: Employee | None
