"""The test builders, one definition each; import them from here.

- ``org``: organizations, departments, employees, API keys, a ``Tenant`` with a token per role.
- ``planning``: cycles, goals, plans, KPRs, KPIs and check-ins as ORM rows.
- ``api``: the same through the HTTP API, as a client would (``Setup``, ``make_setup``, ``kpr_body``).
- ``evaluations``: KPRs from specs, the worked evaluation scenario, and the walk through review to calibration.
- ``feedback``: reviewers with tokens, nominating, responding, and the scenario with a peer component in manager review.
"""

from tests.factories.api import (
    API,
    CYCLE_END,
    CYCLE_START,
    Setup,
    at,
    create_cycle,
    create_goal,
    kpr_body,
    make_setup,
)
from tests.factories.evaluations import (
    EMPLOYEE_KPRS,
    MANAGER_KPRS,
    PEER_KPRS,
    T0,
    InReview,
    KprSpec,
    Scenario,
    add_kprs,
    admin_actor,
    build_scenario,
    evaluations_by_employee,
    move,
    move_cycle,
    open_review,
    to_calibration,
)
from tests.factories.feedback import PEER_POLICY, add_reviewer, in_manager_review, nominate, requested, respond
from tests.factories.org import (
    Tenant,
    auth,
    make_api_key,
    make_department,
    make_employee,
    make_employees,
    make_org,
    make_tenant,
)
from tests.factories.planning import make_check_in, make_cycle, make_goal, make_kpi, make_kpr, make_plan

__all__ = [
    "API",
    "CYCLE_END",
    "CYCLE_START",
    "EMPLOYEE_KPRS",
    "MANAGER_KPRS",
    "PEER_KPRS",
    "PEER_POLICY",
    "T0",
    "InReview",
    "KprSpec",
    "Scenario",
    "Setup",
    "Tenant",
    "add_kprs",
    "add_reviewer",
    "admin_actor",
    "at",
    "auth",
    "build_scenario",
    "create_cycle",
    "create_goal",
    "evaluations_by_employee",
    "in_manager_review",
    "kpr_body",
    "make_api_key",
    "make_check_in",
    "make_cycle",
    "make_department",
    "make_employee",
    "make_employees",
    "make_goal",
    "make_kpi",
    "make_kpr",
    "make_org",
    "make_plan",
    "make_setup",
    "make_tenant",
    "move",
    "move_cycle",
    "nominate",
    "open_review",
    "requested",
    "respond",
    "to_calibration",
]
