"""The cycle's state machine and the rules other domains ask of a cycle: one function per rule, called by every
writer (KPRs, plans, KPIs, check-ins, templates), never copied."""

from app.core.enums import CycleStatus
from app.core.errors import Conflict
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.transitions import StateMachine
from app.models import Cycle

CYCLE_STATES = StateMachine(
    "cycle",
    {
        CycleStatus.PLANNING: (CycleStatus.ACTIVE,),
        CycleStatus.ACTIVE: (CycleStatus.REVIEW,),
        CycleStatus.REVIEW: (CycleStatus.CALIBRATION,),
        CycleStatus.CALIBRATION: (CycleStatus.CLOSED,),
        CycleStatus.CLOSED: (CycleStatus.CALIBRATION,),
    },
)
# KPRs, plans and template applications are written while the cycle is open for planning and tracking.
OPEN_STATES = (CycleStatus.PLANNING, CycleStatus.ACTIVE)


def ensure_cycle_open(cycle: Cycle) -> None:
    if cycle.status not in OPEN_STATES:
        raise Conflict(translate("detail.cycle_not_open", status=cycle.status), code=ProblemCode.CYCLE_NOT_OPEN)


def ensure_cycle_not_closed(cycle: Cycle) -> None:
    """KPIs, check-ins and draft KPRs keep moving through review and calibration; a closed cycle is history."""
    if cycle.status == CycleStatus.CLOSED:
        raise Conflict(translate("detail.cycle_closed"), code=ProblemCode.CYCLE_NOT_OPEN)


def ensure_cycle_closed(cycle: Cycle) -> None:
    """Results are applied (rewards, DESIGN §11) only once the cycle is closed and its final ratings settled."""
    if cycle.status != CycleStatus.CLOSED:
        raise Conflict(translate("detail.cycle_not_closed", status=cycle.status), code=ProblemCode.CYCLE_NOT_CLOSED)
