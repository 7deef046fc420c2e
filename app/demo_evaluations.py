"""Demo evaluations: a second, quarterly cycle that has reached calibration, so summary, calibration and export show
real figures.

Everyone in the demo org chart who has a manager gets an approved plan with department-specific KPRs, two check-ins
per KPR, a self-review and a manager review; their evaluations wait in ``calibration`` (one already calibrated). The
ratings are spread so that the policy's distribution guideline on S is visibly exceeded, which is what calibration
meetings are for.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CheckIn, Cycle, Department, Employee, Evaluation, Goal, Kpr, Plan, StateTransition
from app.scoring.policy import PolicyIn

DemoId = Callable[[str, str], uuid.UUID]

CYCLE_KEY = "2026-q3"
CYCLE_NAME = "2026年第三季度"
ACTOR = "demo.hr_mgr"

POLICY = PolicyIn.model_validate(
    {
        "curve": "linear",
        "cap": 120,
        "components": {"results": 70, "manager": 30, "self": 0},
        "distribution": {
            "S": {"max_share": 10},
            "A": {"max_share": 30},
            "C": {"max_share": 30},
            "D": {"max_share": 10},
        },
    }
).model_dump(mode="json")


@dataclass(frozen=True)
class KprPlan:
    key: str
    title: str
    unit: str
    direction: str
    baseline: str
    target: str
    weight: int
    tolerance: str | None = None


# By department code; the first entry of each list is aligned to that department's quarterly goal.
KPRS_BY_DEPARTMENT: dict[str, list[KprPlan]] = {
    "SALES": [
        KprPlan("revenue", "第三季度销售额达到360万元", "万元", "increase", "300", "360", 60),
        KprPlan("new-customers", "第三季度新签约客户8家", "家", "increase", "0", "8", 40),
    ],
    "HR": [
        KprPlan("staffing", "关键岗位到岗率达到95%", "%", "increase", "85", "95", 50),
        KprPlan("attrition", "季度员工流失率降至3%", "%", "decrease", "4", "3", 50),
    ],
    "PROD": [
        KprPlan("unit-cost", "单位生产成本降至95元/件", "元/件", "decrease", "100", "95", 60),
        KprPlan("on-time", "准时交付率提升至97%", "%", "increase", "92", "97", 40),
    ],
    "QA": [
        KprPlan("defects", "产品不良率降至1.8%", "%", "decrease", "2.5", "1.8", 70),
        KprPlan("complaint-time", "客户投诉48小时内闭环", "小时", "maintain", "60", "48", 30, tolerance="4"),
    ],
}
GENERIC = [KprPlan("profit", "第三季度经营利润达到1150万元", "万元", "increase", "1000", "1150", 100)]
QUARTER_GOALS = {
    "SALES": "第三季度华东区销售额同比增长20%",
    "HR": "第三季度关键岗位补充到位",
    "PROD": "第三季度单位成本下降5%",
    "QA": "第三季度不良率降至1.8%",
}

# Achievement ratios and manager scores, one per person in turn: a spread from S to C.
PERFORMANCE = [
    (Decimal("1.25"), 115),
    (Decimal("1.05"), 95),
    (Decimal("0.95"), 90),
    (Decimal("1.15"), 112),
    (Decimal("0.85"), 85),
    (Decimal("0.70"), 75),
    (Decimal("1.00"), 92),
    (Decimal("0.60"), 70),
    (Decimal("0.90"), 88),
]
SELF_COMMENTS = [
    "本季度目标基本达成，重点客户推进顺利。",
    "部分指标未达预期，下季度重点改进。",
    "超额完成，团队协作良好。",
]
MANAGER_COMMENTS = ["结果扎实，继续保持。", "过程管理需加强，注意节奏。", "表现突出，可承担更大职责。"]

OPENED = datetime(2026, 10, 8, 9, 0, tzinfo=UTC)


def _value_at(kpr: KprPlan, ratio: Decimal) -> Decimal:
    baseline, target = Decimal(kpr.baseline), Decimal(kpr.target)
    if kpr.direction == "maintain":
        # Within tolerance for a good quarter, outside it for a poor one.
        return target if ratio >= Decimal("0.8") else target + Decimal(kpr.tolerance or 0) * 2
    return (baseline + ratio * (target - baseline)).quantize(Decimal("0.01"))


def _history(
    session: AsyncSession,
    organization_id: uuid.UUID,
    entity_type: str,
    entity_id: uuid.UUID,
    states: list[str],
    at: datetime,
) -> None:
    previous: str | None = None
    for step, state in enumerate(states):
        session.add(
            StateTransition(
                organization_id=organization_id,
                entity_type=entity_type,
                entity_id=entity_id,
                from_state=previous,
                to_state=state,
                actor=ACTOR,
                at=at + timedelta(days=step),
            )
        )
        previous = state


async def load_evaluations_demo(session: AsyncSession, organization_id: uuid.UUID, demo_id: DemoId) -> None:
    """Add the quarterly cycle in calibration to the demo org (whose org chart must already be loaded)."""
    cycle_id = demo_id("cycle", CYCLE_KEY)
    if await session.get(Cycle, cycle_id) is not None:
        return
    people = (
        await session.execute(
            select(Employee.id, Employee.external_id, Employee.manager_id, Department.code)
            .outerjoin(Department, Department.id == Employee.department_id)
            .where(
                Employee.organization_id == organization_id,
                Employee.active.is_(True),
                Employee.manager_id.is_not(None),
            )
            .order_by(Employee.external_id)
        )
    ).all()
    session.add(
        Cycle(
            id=cycle_id,
            organization_id=organization_id,
            name=CYCLE_NAME,
            cadence="quarterly",
            start_date=date(2026, 7, 1),
            end_date=date(2026, 9, 30),
            status="calibration",
            policy=POLICY,
        )
    )
    _history(
        session,
        organization_id,
        "cycle",
        cycle_id,
        ["planning", "active", "review", "calibration"],
        datetime(2026, 6, 20, 9, 0, tzinfo=UTC),
    )
    company_goal = demo_id("goal", f"{CYCLE_KEY}:company")
    session.add(
        Goal(
            id=company_goal,
            organization_id=organization_id,
            cycle_id=cycle_id,
            title="第三季度经营目标：营收增长、成本下降、质量提升",
            level="company",
            weight=Decimal(1),
        )
    )
    await session.flush()
    goals: dict[str, uuid.UUID] = {}
    department_ids = dict(
        (
            await session.execute(
                select(Department.code, Department.id).where(Department.organization_id == organization_id)
            )
        ).all()
    )
    for code, title in QUARTER_GOALS.items():
        if code not in department_ids:
            continue
        goals[code] = demo_id("goal", f"{CYCLE_KEY}:{code}")
        session.add(
            Goal(
                id=goals[code],
                organization_id=organization_id,
                cycle_id=cycle_id,
                title=title,
                level="department",
                department_id=department_ids[code],
                parent_id=company_goal,
                weight=Decimal(1),
            )
        )
    await session.flush()

    for index, (employee_id, external_id, manager_id, code) in enumerate(people):
        family = _family(code)
        ratio, manager_score = PERFORMANCE[index % len(PERFORMANCE)]
        plan_id = demo_id("plan", f"{CYCLE_KEY}:{external_id}")
        session.add(
            Plan(
                id=plan_id,
                organization_id=organization_id,
                cycle_id=cycle_id,
                employee_id=employee_id,
                status="approved",
            )
        )
        _history(
            session,
            organization_id,
            "plan",
            plan_id,
            ["draft", "submitted", "approved"],
            datetime(2026, 6, 25, 9, 0, tzinfo=UTC),
        )
        await session.flush()
        for kpr in KPRS_BY_DEPARTMENT.get(family, GENERIC):
            kpr_id = demo_id("kpr", f"{CYCLE_KEY}:{external_id}:{kpr.key}")
            session.add(
                Kpr(
                    id=kpr_id,
                    organization_id=organization_id,
                    plan_id=plan_id,
                    cycle_id=cycle_id,
                    owner_id=employee_id,
                    goal_id=goals.get(family, company_goal),
                    title=kpr.title,
                    unit=kpr.unit,
                    direction=kpr.direction,
                    baseline=Decimal(kpr.baseline),
                    target=Decimal(kpr.target),
                    tolerance=None if kpr.tolerance is None else Decimal(kpr.tolerance),
                    weight=Decimal(kpr.weight),
                    goal_weight=Decimal(1),
                    due_date=date(2026, 9, 30),
                    status="active",
                )
            )
            await session.flush()
            halfway = ratio / 2 if kpr.direction != "maintain" else ratio
            for month, reading in ((8, halfway), (9, ratio)):
                session.add(
                    CheckIn(
                        id=demo_id("check-in", f"{CYCLE_KEY}:{external_id}:{kpr.key}:{month}"),
                        organization_id=organization_id,
                        kpr_id=kpr_id,
                        value=_value_at(kpr, reading),
                        recorded_at=datetime(2026, month, 28, 9, 0, tzinfo=UTC),
                        confidence=8,
                        note=f"{month}月数据",
                        author_id=employee_id,
                        author=external_id,
                    )
                )
        evaluation_id = demo_id("evaluation", f"{CYCLE_KEY}:{external_id}")
        calibrated = index == 5  # one rating already moved up in calibration (C → B), with its reason
        session.add(
            Evaluation(
                id=evaluation_id,
                organization_id=organization_id,
                cycle_id=cycle_id,
                employee_id=employee_id,
                plan_id=plan_id,
                reviewer_id=manager_id,
                status="calibration",
                self_score=Decimal(min(manager_score + 5, 120)),
                self_comment=SELF_COMMENTS[index % len(SELF_COMMENTS)],
                self_items=[],
                manager_score=Decimal(manager_score),
                manager_comment=MANAGER_COMMENTS[index % len(MANAGER_COMMENTS)],
                manager_items=[],
                calibrated_rating="B" if calibrated else None,
                calibration_reason="跨部门校准：与同级相比贡献略高，上调一档" if calibrated else None,
            )
        )
        _history(
            session,
            organization_id,
            "evaluation",
            evaluation_id,
            ["self_review", "manager_review", "calibration"],
            OPENED,
        )
    await session.flush()


def _family(code: str | None) -> str:
    """The KPR family of a department: a sub-team uses its parent's (SALES-E → SALES)."""
    if code is None:
        return ""
    return code.split("-")[0]
