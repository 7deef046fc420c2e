"""Demo strategy: a goal cascade from company to departments, approved plans with KPRs, KPIs and check-ins."""

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CheckIn, Cycle, Goal, Kpi, Kpr, Plan, StateTransition
from app.scoring.policy import PolicyIn

DemoId = Callable[[str, str], uuid.UUID]

CYCLE_KEY = "2026-annual"

# key, title, level, department code, parent key, weight
GOALS: list[tuple[str, str, str, str | None, str | None, int, bool]] = [
    ("vision", "成为华东地区领先的精密零部件制造商", "company", None, None, 1, True),
    ("cost", "生产成本降低10%", "company", None, "vision", 2, False),
    ("share", "华东市场份额提升至15%", "company", None, "vision", 2, False),
    ("csat", "客户满意度达到90%以上", "company", None, "vision", 1, False),
    ("sales-revenue", "华东区销售额同比增长20%", "department", "SALES", "share", 2, False),
    ("sales-new", "新签约客户50家", "department", "SALES", "share", 1, False),
    ("sales-csat", "重点客户满意度提升至92%", "department", "SALES", "csat", 1, False),
    ("hr-staffing", "关键岗位到岗率达到95%", "department", "HR", "cost", 1, False),
    ("hr-retention", "员工年度流失率降至10%以内", "department", "HR", "csat", 1, False),
    ("prod-cost", "单位生产成本降低10%", "department", "PROD", "cost", 3, False),
    ("prod-delivery", "准时交付率提升至98%", "department", "PROD", "csat", 1, False),
    ("qa-defects", "产品不良率降至1.5%", "team", "QA", "prod-cost", 1, False),
]

# owner, key, goal, title, unit, direction, baseline, target, weight, check-ins (month, value)
Readings = list[tuple[int, float]]
KPRS: list[tuple[str, str, str, str, str, str, float, float, int, Readings]] = [
    (
        "sales_rep1",
        "r1-revenue",
        "sales-revenue",
        "个人销售额同比增长20%",
        "万元",
        "increase",
        1000,
        1200,
        60,
        [(3, 1040), (6, 1090), (9, 1150), (10, 1165)],
    ),
    (
        "sales_rep1",
        "r1-new",
        "sales-new",
        "新签约客户20家",
        "家",
        "increase",
        0,
        20,
        40,
        [(3, 4), (6, 9), (9, 14), (10, 15)],
    ),
    (
        "sales_rep2",
        "r2-revenue",
        "sales-revenue",
        "个人销售额同比增长20%",
        "万元",
        "increase",
        800,
        960,
        70,
        [(3, 820), (6, 870), (9, 905)],
    ),
    ("sales_rep2", "r2-csat", "sales-csat", "负责客户满意度提升至92%", "%", "increase", 85, 92, 30, [(6, 88), (9, 90)]),
    (
        "sales_lead",
        "lead-revenue",
        "sales-revenue",
        "华东销售组销售额同比增长20%",
        "万元",
        "increase",
        5000,
        6000,
        50,
        [(3, 5150), (6, 5420), (9, 5700), (10, 5790)],
    ),
    (
        "sales_lead",
        "lead-collection",
        "sales-revenue",
        "华东销售组回款率达到95%",
        "%",
        "increase",
        85,
        95,
        50,
        [(6, 89), (9, 92)],
    ),
    (
        "hr_spec",
        "hr-staffing",
        "hr-staffing",
        "关键岗位到岗率达到95%",
        "%",
        "increase",
        80,
        95,
        60,
        [(4, 84), (8, 90), (10, 92)],
    ),
    (
        "hr_spec",
        "hr-turnover",
        "hr-retention",
        "员工年度流失率降至10%",
        "%",
        "decrease",
        15,
        10,
        40,
        [(6, 13.5), (10, 12)],
    ),
    (
        "prod_eng",
        "pe-cost",
        "prod-cost",
        "单位生产成本由120元/件降至108元/件",
        "元/件",
        "decrease",
        120,
        108,
        70,
        [(3, 118), (6, 115), (9, 112), (10, 111)],
    ),
    (
        "prod_eng",
        "pe-delivery",
        "prod-delivery",
        "准时交付率提升至98%",
        "%",
        "increase",
        90,
        98,
        30,
        [(6, 93), (9, 95)],
    ),
    (
        "qa_lead",
        "qa-defects",
        "qa-defects",
        "产品不良率由3%降至1.5%",
        "%",
        "decrease",
        3,
        1.5,
        100,
        [(4, 2.7), (8, 2.2), (10, 2.0)],
    ),
]

# kpr key, name, unit, direction, baseline, target, frequency, check-ins
KPIS: list[tuple[str, str, str, str, float, float, str, Readings]] = [
    ("r1-revenue", "每周有效客户拜访次数", "次", "increase", 5, 12, "weekly", [(6, 9), (10, 11)]),
    ("r1-new", "新增商机数", "个", "increase", 0, 60, "monthly", [(6, 28), (10, 45)]),
    ("hr-staffing", "招聘渠道简历转化率", "%", "increase", 5, 10, "monthly", [(8, 7)]),
    ("pe-cost", "单件能耗", "千瓦时/件", "decrease", 4.0, 3.5, "monthly", [(9, 3.8)]),
]


def _at(month: int) -> datetime:
    return datetime(2026, month, 28, 9, 0, tzinfo=UTC)


async def load_planning(session: AsyncSession, organization_id: uuid.UUID, demo_id: DemoId) -> None:
    cycle = Cycle(
        id=demo_id("cycle", CYCLE_KEY),
        organization_id=organization_id,
        name="2026年度绩效",
        cadence="annual",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        status="active",
        policy=PolicyIn().model_dump(mode="json"),
    )
    session.add(cycle)
    await session.flush()
    for key, title, level, dept, parent, weight, long_term in GOALS:
        session.add(
            Goal(
                id=demo_id("goal", key),
                organization_id=organization_id,
                cycle_id=None if long_term else cycle.id,
                title=title,
                level=level,
                department_id=demo_id("department", dept) if dept else None,
                parent_id=demo_id("goal", parent) if parent else None,
                weight=Decimal(weight),
            )
        )
        await session.flush()  # parents before children
    owners = sorted({k[0] for k in KPRS})
    for owner in owners:
        plan_id = demo_id("plan", f"{CYCLE_KEY}:{owner}")
        session.add(
            Plan(
                id=plan_id,
                organization_id=organization_id,
                cycle_id=cycle.id,
                employee_id=demo_id("employee", owner),
                status="approved",
            )
        )
        for previous, state in ((None, "draft"), ("draft", "submitted"), ("submitted", "approved")):
            session.add(
                StateTransition(
                    organization_id=organization_id,
                    entity_type="plan",
                    entity_id=plan_id,
                    from_state=previous,
                    to_state=state,
                    actor="demo",
                )
            )
    await session.flush()
    for owner, key, goal, title, unit, direction, baseline, target, weight, check_ins in KPRS:
        kpr_id = demo_id("kpr", key)
        session.add(
            Kpr(
                id=kpr_id,
                organization_id=organization_id,
                plan_id=demo_id("plan", f"{CYCLE_KEY}:{owner}"),
                cycle_id=cycle.id,
                owner_id=demo_id("employee", owner),
                goal_id=demo_id("goal", goal),
                title=title,
                unit=unit,
                direction=direction,
                baseline=Decimal(str(baseline)),
                target=Decimal(str(target)),
                weight=Decimal(weight),
                goal_weight=Decimal(1),
                due_date=date(2026, 12, 31),
                status="active",
            )
        )
        await session.flush()
        for month, value in check_ins:
            session.add(
                CheckIn(
                    organization_id=organization_id,
                    kpr_id=kpr_id,
                    value=Decimal(str(value)),
                    recorded_at=_at(month),
                    confidence=7,
                    note=f"{month}月数据",
                    author_id=demo_id("employee", owner),
                    author=f"demo.{owner}",
                )
            )
    for kpr_key, name, unit, direction, baseline, target, frequency, check_ins in KPIS:
        kpi_id = demo_id("kpi", f"{kpr_key}:{name}")
        session.add(
            Kpi(
                id=kpi_id,
                organization_id=organization_id,
                kpr_id=demo_id("kpr", kpr_key),
                name=name,
                unit=unit,
                direction=direction,
                baseline=Decimal(str(baseline)),
                target=Decimal(str(target)),
                frequency=frequency,
            )
        )
        await session.flush()
        for month, value in check_ins:
            session.add(
                CheckIn(
                    organization_id=organization_id,
                    kpi_id=kpi_id,
                    value=Decimal(str(value)),
                    recorded_at=_at(month),
                    author="demo",
                )
            )
    await session.flush()
