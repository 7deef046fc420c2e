"""The demo company's org chart: the organization, its departments and people, and each person signed in."""

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.demo import calls
from app.demo.data import (
    ADMIN,
    DEMO_ORG_ID,
    DEPARTMENTS,
    ORG_LOCALE,
    ORG_NAME,
    ORG_TIMEZONE,
    PEOPLE,
    ROLES,
    Person,
)
from app.models import Department, Employee, Organization

PEOPLE_BY_KEY = {person.key: person for person in PEOPLE}


@dataclass(frozen=True)
class Company:
    """The loaded org chart by the data tables' keys, and the caller each person's token would make."""

    departments: dict[str, Department]
    employees: dict[str, Employee]
    actors: dict[str, Actor]

    @property
    def admin(self) -> Actor:
        return self.actors[ADMIN]

    def actor_of(self, employee_id: uuid.UUID) -> Actor:
        return next(actor for actor in self.actors.values() if actor.employee_id == employee_id)

    def manager_of(self, key: str) -> Actor:
        manager = PEOPLE_BY_KEY[key].manager
        assert manager is not None, f"{key} has no manager"
        return self.actors[manager]


async def is_loaded(session: AsyncSession) -> bool:
    return await session.get(Organization, DEMO_ORG_ID) is not None


async def load_company(session: AsyncSession) -> Company:
    # The one row written directly: organizations.create is the system role's and picks a fresh id, while the demo's
    # id is fixed (README, the contract run and hand-minted tokens rely on it).
    session.add(Organization(id=DEMO_ORG_ID, name=ORG_NAME, locale=ORG_LOCALE, timezone=ORG_TIMEZONE))
    await session.flush()
    # The admin sets the company up before she exists as an employee; her token already works (admins need none).
    admin = await _sign_in(session, PEOPLE_BY_KEY[ADMIN])
    departments: dict[str, Department] = {}
    for row in DEPARTMENTS:
        parent_id = departments[row.parent].id if row.parent else None
        body = {"code": row.code, "name": row.name, "parent_id": parent_id}
        departments[row.code] = await calls.create_department(session, admin, body)
    employees: dict[str, Employee] = {}
    for person in PEOPLE:
        manager_id = employees[person.manager].id if person.manager else None
        employees[person.key] = await calls.create_employee(
            session,
            admin,
            {
                "external_id": person.external_id,
                "name": person.name,
                "email": person.email,
                "job_title": person.title,
                "department_id": departments[person.department].id,
                "manager_id": manager_id,
            },
        )
    for row in DEPARTMENTS:
        await calls.update_department(session, admin, departments[row.code], {"head_id": employees[row.head].id})
    actors = {person.key: await _sign_in(session, person) for person in PEOPLE}
    return Company(departments, employees, actors)


async def _sign_in(session: AsyncSession, person: Person) -> Actor:
    return await calls.sign_in(session, DEMO_ORG_ID, person.external_id, ROLES.get(person.key, []))
