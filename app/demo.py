"""``kpr demo``: a demo manufacturer in Chinese, and tokens to explore it with."""

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.security import mint_token
from app.demo_evaluations import load_evaluations_demo
from app.demo_planning import load_planning
from app.models import Department, Employee, Organization

DEMO_NAMESPACE = uuid.UUID("6f1c1e0a-3a51-4c8e-9d5e-2f7a0b8c9d10")
DEMO_ORG_ID = uuid.uuid5(DEMO_NAMESPACE, "organization")


def demo_id(kind: str, key: str) -> uuid.UUID:
    """Stable ids, so reloading the demo finds what it made before instead of duplicating it."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    title: str
    department: str
    manager: str | None


DEPARTMENTS = [  # code, name, parent code, head key
    ("HQ", "总经理办公室", None, "ceo"),
    ("SALES", "销售部", "HQ", "sales_mgr"),
    ("SALES-E", "华东销售组", "SALES", "sales_lead"),
    ("HR", "人力资源部", "HQ", "hr_mgr"),
    ("PROD", "生产部", "HQ", "prod_mgr"),
    ("QA", "质量部", "PROD", "qa_lead"),
]

PEOPLE = [
    Person("ceo", "王建国", "总经理", "HQ", None),
    Person("sales_mgr", "李娜", "销售总监", "SALES", "ceo"),
    Person("sales_lead", "张伟", "华东销售经理", "SALES-E", "sales_mgr"),
    Person("sales_rep1", "刘洋", "销售代表", "SALES-E", "sales_lead"),
    Person("sales_rep2", "陈静", "销售代表", "SALES-E", "sales_lead"),
    Person("hr_mgr", "赵敏", "人力资源经理", "HR", "ceo"),
    Person("hr_spec", "孙丽", "招聘专员", "HR", "hr_mgr"),
    Person("prod_mgr", "周强", "生产经理", "PROD", "ceo"),
    Person("prod_eng", "吴磊", "工艺工程师", "PROD", "prod_mgr"),
    Person("qa_lead", "郑芳", "质量主管", "QA", "prod_mgr"),
]

EXTERNAL_IDS = {p.key: f"demo.{p.key}" for p in PEOPLE}


async def _load_org_chart(session: AsyncSession) -> None:
    session.add(Organization(id=DEMO_ORG_ID, name="华东精密制造有限公司", locale="zh-CN", timezone="Asia/Shanghai"))
    await session.flush()
    for code, name, parent, _ in DEPARTMENTS:
        session.add(
            Department(
                id=demo_id("department", code),
                organization_id=DEMO_ORG_ID,
                name=name,
                code=code,
                parent_id=demo_id("department", parent) if parent else None,
            )
        )
    await session.flush()
    for person in PEOPLE:
        session.add(
            Employee(
                id=demo_id("employee", person.key),
                organization_id=DEMO_ORG_ID,
                external_id=EXTERNAL_IDS[person.key],
                name=person.name,
                email=f"{person.key.replace('_', '.')}@demo.example.com",
                job_title=person.title,
                department_id=demo_id("department", person.department),
                manager_id=demo_id("employee", person.manager) if person.manager else None,
                active=True,
            )
        )
        await session.flush()  # managers before their reports
    for code, _, _, head in DEPARTMENTS:
        department = await session.get(Department, demo_id("department", code))
        assert department is not None
        department.head_id = demo_id("employee", head)
    await session.flush()


async def load_demo(settings: Settings) -> None:
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            if await session.get(Organization, DEMO_ORG_ID) is None:
                print("loading the demo company 华东精密制造有限公司 …")
                await _load_org_chart(session)
                await load_planning(session, DEMO_ORG_ID, demo_id)
                await load_evaluations_demo(session, DEMO_ORG_ID, demo_id)
                await session.commit()
                print("demo loaded")
            else:
                print("the demo company is already loaded")
    finally:
        await engine.dispose()
    _print_tokens(settings)


def _print_tokens(settings: Settings) -> None:
    tokens = [
        ("HR admin 赵敏 (admin)", "hr_mgr", ["admin"]),
        ("manager 张伟 (华东销售经理)", "sales_lead", []),
        ("employee 刘洋 (销售代表)", "sales_rep1", []),
    ]
    print(f"\norganization id: {DEMO_ORG_ID}")
    for label, key, roles in tokens:
        token = mint_token(settings, subject=EXTERNAL_IDS[key], organization_id=DEMO_ORG_ID, roles=roles)
        print(f"\n{label}:\n{token}")
    print("\nOpen http://127.0.0.1:8000/docs, click Authorize and paste a token.")
