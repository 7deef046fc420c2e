"""What the demo company is: its org chart, its annual plan and its third quarter, as plain tables.

Nothing here touches the database; the loaders (``org``, ``planning``, ``evaluations``) feed these rows to the services.
People, departments and goals refer to each other by the keys below, never by ids: the services choose the ids.
"""

import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

# --- the company ----------------------------------------------------------------------------------------------------

# Fixed, so the README, the contract run and tokens minted with ``kpr token --org`` find the demo on any database.
DEMO_ORG_ID = uuid.UUID("14448f76-fbc5-52d2-b7ae-b84dcab85bb0")
ORG_NAME = "华东精密制造有限公司"
ORG_LOCALE = "zh-CN"
ORG_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    parent: str | None
    head: str


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    title: str
    department: str
    manager: str | None

    @property
    def external_id(self) -> str:
        return f"demo.{self.key}"

    @property
    def email(self) -> str:
        return f"{self.key.replace('_', '.')}@demo.example.com"


# Parents before children.
DEPARTMENTS = [
    DepartmentRow("HQ", "总经理办公室", None, "ceo"),
    DepartmentRow("SALES", "销售部", "HQ", "sales_mgr"),
    DepartmentRow("SALES-E", "华东销售组", "SALES", "sales_lead"),
    DepartmentRow("HR", "人力资源部", "HQ", "hr_mgr"),
    DepartmentRow("PROD", "生产部", "HQ", "prod_mgr"),
    DepartmentRow("QA", "质量部", "PROD", "qa_lead"),
]

# Managers before their reports.
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

# 赵敏 runs HR and is the demo's administrator: the company's set-up and its cycles are her doing.
ADMIN = "hr_mgr"
ROLES = {ADMIN: ["admin"]}

# The tokens ``kpr demo`` prints (with the person's roles): label, person.
TOKENS = [
    ("HR admin 赵敏 (admin)", "hr_mgr"),
    ("manager 张伟 (华东销售经理)", "sales_lead"),
    ("employee 刘洋 (销售代表)", "sales_rep1"),
]


# --- cycles, goals, KPRs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleRow:
    name: str
    cadence: str
    start_date: date
    end_date: date
    policy: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GoalRow:
    key: str
    title: str
    level: str
    department: str | None
    parent: str | None
    weight: int = 1
    long_term: bool = False


# A reading: (month, value), taken on the 28th of that month.
Reading = tuple[int, str]


@dataclass(frozen=True)
class KprRow:
    key: str
    goal: str
    title: str
    unit: str
    direction: str
    baseline: str
    target: str
    weight: int
    tolerance: str | None = None


@dataclass(frozen=True)
class KpiRow:
    kpr: str
    name: str
    unit: str
    direction: str
    baseline: str
    target: str
    frequency: str
    readings: list[Reading]


# --- the annual cycle: active, a goal cascade, approved plans with check-ins ----------------------------------------

ANNUAL = CycleRow("2026年度绩效", "annual", date(2026, 1, 1), date(2026, 12, 31))

# Parents before children; the vision is long-term (above every cycle).
ANNUAL_GOALS = [
    GoalRow("vision", "成为华东地区领先的精密零部件制造商", "company", None, None, long_term=True),
    GoalRow("cost", "生产成本降低10%", "company", None, "vision", 2),
    GoalRow("share", "华东市场份额提升至15%", "company", None, "vision", 2),
    GoalRow("csat", "客户满意度达到90%以上", "company", None, "vision"),
    GoalRow("sales-revenue", "华东区销售额同比增长20%", "department", "SALES", "share", 2),
    GoalRow("sales-new", "新签约客户50家", "department", "SALES", "share"),
    GoalRow("sales-csat", "重点客户满意度提升至92%", "department", "SALES", "csat"),
    GoalRow("hr-staffing", "关键岗位到岗率达到95%", "department", "HR", "cost"),
    GoalRow("hr-retention", "员工年度流失率降至10%以内", "department", "HR", "csat"),
    GoalRow("prod-cost", "单位生产成本降低10%", "department", "PROD", "cost", 3),
    GoalRow("prod-delivery", "准时交付率提升至98%", "department", "PROD", "csat"),
    GoalRow("qa-defects", "产品不良率降至1.5%", "team", "QA", "prod-cost"),
]

# Each owner's plan; weights total 100.
ANNUAL_PLANS: dict[str, list[KprRow]] = {
    "sales_rep1": [
        KprRow("r1-revenue", "sales-revenue", "个人销售额同比增长20%", "万元", "increase", "1000", "1200", 60),
        KprRow("r1-new", "sales-new", "新签约客户20家", "家", "increase", "0", "20", 40),
    ],
    "sales_rep2": [
        KprRow("r2-revenue", "sales-revenue", "个人销售额同比增长20%", "万元", "increase", "800", "960", 70),
        KprRow("r2-csat", "sales-csat", "负责客户满意度提升至92%", "%", "increase", "85", "92", 30),
    ],
    "sales_lead": [
        KprRow("lead-revenue", "sales-revenue", "华东销售组销售额同比增长20%", "万元", "increase", "5000", "6000", 50),
        KprRow("lead-collection", "sales-revenue", "华东销售组回款率达到95%", "%", "increase", "85", "95", 50),
    ],
    "hr_spec": [
        KprRow("hr-staffing", "hr-staffing", "关键岗位到岗率达到95%", "%", "increase", "80", "95", 60),
        KprRow("hr-turnover", "hr-retention", "员工年度流失率降至10%", "%", "decrease", "15", "10", 40),
    ],
    "prod_eng": [
        KprRow("pe-cost", "prod-cost", "单位生产成本由120元/件降至108元/件", "元/件", "decrease", "120", "108", 70),
        KprRow("pe-delivery", "prod-delivery", "准时交付率提升至98%", "%", "increase", "90", "98", 30),
    ],
    "qa_lead": [
        KprRow("qa-defects", "qa-defects", "产品不良率由3%降至1.5%", "%", "decrease", "3", "1.5", 100),
    ],
}
# Each KPR's check-ins so far.
ANNUAL_READINGS: dict[str, list[Reading]] = {
    "r1-revenue": [(3, "1040"), (6, "1090"), (9, "1150"), (10, "1165")],
    "r1-new": [(3, "4"), (6, "9"), (9, "14"), (10, "15")],
    "r2-revenue": [(3, "820"), (6, "870"), (9, "905")],
    "r2-csat": [(6, "88"), (9, "90")],
    "lead-revenue": [(3, "5150"), (6, "5420"), (9, "5700"), (10, "5790")],
    "lead-collection": [(6, "89"), (9, "92")],
    "hr-staffing": [(4, "84"), (8, "90"), (10, "92")],
    "hr-turnover": [(6, "13.5"), (10, "12")],
    "pe-cost": [(3, "118"), (6, "115"), (9, "112"), (10, "111")],
    "pe-delivery": [(6, "93"), (9, "95")],
    "qa-defects": [(4, "2.7"), (8, "2.2"), (10, "2.0")],
}

# The means under some of those results.
ANNUAL_KPIS = [
    KpiRow("r1-revenue", "每周有效客户拜访次数", "次", "increase", "5", "12", "weekly", [(6, "9"), (10, "11")]),
    KpiRow("r1-new", "新增商机数", "个", "increase", "0", "60", "monthly", [(6, "28"), (10, "45")]),
    KpiRow("hr-staffing", "招聘渠道简历转化率", "%", "increase", "5", "10", "monthly", [(8, "7")]),
    KpiRow("pe-cost", "单件能耗", "千瓦时/件", "decrease", "4.0", "3.5", "monthly", [(9, "3.8")]),
]

# --- the third quarter: reviewed, waiting in calibration --------------------------------------------------------------

# The ratings are spread so that the policy's guideline on S is visibly exceeded, which is what calibration meetings
# are for.
QUARTER = CycleRow(
    "2026年第三季度",
    "quarterly",
    date(2026, 7, 1),
    date(2026, 9, 30),
    policy={
        "curve": "linear",
        "cap": 120,
        # Peers weigh a tenth once three of them have answered; below that the other parts are re-weighted.
        "components": {"results": 60, "manager": 30, "self": 0, "peer": 10},
        "peer_min_responses": 3,
        "distribution": {
            "S": {"max_share": 10},
            "A": {"max_share": 30},
            "C": {"max_share": 30},
            "D": {"max_share": 10},
        },
    },
)
# A quarterly goal for each department under the company's; a sub-team (华东销售组) works towards its parent
# department's goal, and each KPR below is aligned to the goal of its department.
# The quarter before, closed, its results priced by a draft reward run (DESIGN §11).
SECOND_QUARTER = replace(QUARTER, name="2026年第二季度", start_date=date(2026, 4, 1), end_date=date(2026, 6, 30))
REWARD_BASE = Decimal(6000)
REWARD_BUDGET = Decimal("50000.00")
REWARD_NOTE = "第二季度绩效奖金（待审批）"

QUARTER_GOALS = [
    GoalRow("company", "第三季度经营目标：营收增长、成本下降、质量提升", "company", None, None),
    GoalRow("SALES", "第三季度华东区销售额同比增长20%", "department", "SALES", "company"),
    GoalRow("HR", "第三季度关键岗位补充到位", "department", "HR", "company"),
    GoalRow("PROD", "第三季度单位成本下降5%", "department", "PROD", "company"),
    GoalRow("QA", "第三季度不良率降至1.8%", "department", "QA", "company"),
]
# Everyone working towards a department's goal has the same KPRs; weights total 100.
QUARTER_KPRS: dict[str, list[KprRow]] = {
    "SALES": [
        KprRow("revenue", "SALES", "第三季度销售额达到360万元", "万元", "increase", "300", "360", 60),
        KprRow("new-customers", "SALES", "第三季度新签约客户8家", "家", "increase", "0", "8", 40),
    ],
    "HR": [
        KprRow("staffing", "HR", "关键岗位到岗率达到95%", "%", "increase", "85", "95", 50),
        KprRow("attrition", "HR", "季度员工流失率降至3%", "%", "decrease", "4", "3", 50),
    ],
    "PROD": [
        KprRow("unit-cost", "PROD", "单位生产成本降至95元/件", "元/件", "decrease", "100", "95", 60),
        KprRow("on-time", "PROD", "准时交付率提升至97%", "%", "increase", "92", "97", 40),
    ],
    "QA": [
        KprRow("defects", "QA", "产品不良率降至1.8%", "%", "decrease", "2.5", "1.8", 70),
        KprRow("complaint-time", "QA", "客户投诉48小时内闭环", "小时", "maintain", "60", "48", 30, tolerance="4"),
    ],
}
# Halfway in August, the final figure in September.
QUARTER_READING_MONTHS = (8, 9)


@dataclass(frozen=True)
class QuarterResult:
    """How one person's quarter went: the share of their targets reached (1 = on target) and their manager's score."""

    person: str
    achieved: Decimal
    manager_score: int


# Everyone with a manager is reviewed, from S to C.
QUARTER_RESULTS = [
    QuarterResult("hr_mgr", Decimal("1.25"), 115),
    QuarterResult("hr_spec", Decimal("1.05"), 95),
    QuarterResult("prod_eng", Decimal("0.95"), 90),
    QuarterResult("prod_mgr", Decimal("1.15"), 112),
    QuarterResult("qa_lead", Decimal("0.85"), 85),
    QuarterResult("sales_lead", Decimal("0.70"), 75),
    QuarterResult("sales_mgr", Decimal("1.00"), 92),
    QuarterResult("sales_rep1", Decimal("0.60"), 70),
    QuarterResult("sales_rep2", Decimal("0.90"), 88),
]
# Everyone rates themselves a little above their manager's view.
SELF_SCORE_ABOVE_MANAGER = 5
# Given in turn, one per person.
SELF_COMMENTS = [
    "本季度目标基本达成，重点客户推进顺利。",
    "部分指标未达预期，下季度重点改进。",
    "超额完成，团队协作良好。",
]
MANAGER_COMMENTS = ["结果扎实，继续保持。", "过程管理需加强，注意节奏。", "表现突出，可承担更大职责。"]

# One rating already moved up in calibration (C → B), with its reason.
CALIBRATED = {"sales_lead": ("B", "跨部门校准：与同级相比贡献略高，上调一档")}


# --- working together (DESIGN §12): a conversation on a result, and what it leaves on people's lists ------------------


@dataclass(frozen=True)
class CommentRow:
    """A comment by ``author`` on an annual KPR or goal (by its key), mentioning people (by their keys)."""

    author: str
    entity_type: str  # "kpr" or "goal"
    key: str
    body: str
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RevisionRow:
    """A change its owner asks for on an annual KPR (by key), waiting for their manager's decision."""

    kpr: str
    changes: dict[str, Any]
    reason: str


# Oldest first. Each demo token finds a mention waiting: the manager 张伟, the employee 刘洋 and the admin 赵敏.
ANNUAL_COMMENTS = [
    CommentRow(
        "sales_lead",
        "kpr",
        "r1-revenue",
        "@刘洋 十月累计销售额1165万元，距年度目标1200万元还差35万元。"
        "十一月能补上吗？建议重点跟进华东几家老客户的续约。",
        ("sales_rep1",),
    ),
    CommentRow(
        "sales_rep1",
        "kpr",
        "r1-revenue",
        "@张伟 收到。已和两家老客户约在十一月中旬谈续约，预计可以补足差额，有进展随时同步。",
        ("sales_lead",),
    ),
    CommentRow("sales_mgr", "kpr", "r1-revenue", "进度不错。注意回款节奏，年底前别让应收账款堆积。"),
    CommentRow(
        "hr_spec",
        "goal",
        "hr-staffing",
        "@赵敏 研发类关键岗位到岗偏慢，十一月还缺3人。是否可以增加猎头渠道的预算？",
        ("hr_mgr",),
    ),
]
# 孙丽 asks 赵敏, her manager, to re-target one result.
ANNUAL_REVISIONS = [
    RevisionRow(
        "hr-turnover", {"target": Decimal("11")}, "下半年行业人才竞争加剧，申请将年度流失率目标由10%调整为11%。"
    ),
]


@dataclass(frozen=True)
class FeedbackRow:
    """Feedback asked about one person's quarter: who asks, how the reviewers relate, and each reviewer's answer —
    a score and a comment, ``DECLINED``, or None (not answered yet)."""

    person: str
    nominator: str
    relationship: str
    answers: dict[str, tuple[int, str] | str | None]


DECLINED = "declined"
# Asked while the quarter was in review: 孙丽 and 刘洋 heard from enough colleagues for a peer score (three, as the
# policy needs); 张伟 from his two reports (no peer score: the other parts count alone); 郑芳 from one, one declined
# and one has not answered.
QUARTER_FEEDBACK = [
    FeedbackRow(
        "hr_spec",
        "hr_spec",
        "cross_functional",
        {
            "sales_lead": (96, "招聘需求响应很快，华东销售组两个岗位提前到岗。"),
            "prod_mgr": (92, "对生产岗位的用人标准理解到位。"),
            "qa_lead": (88, "质检员招聘质量不错，入职培训可以再跟进。"),
        },
    ),
    FeedbackRow(
        "sales_rep1",
        "sales_lead",
        "peer",
        {
            "sales_rep2": (75, "客户拜访勤快，但重点客户推进偏慢。"),
            "hr_spec": (80, "积极参加培训，沟通顺畅。"),
            "qa_lead": (68, "客户投诉信息传递不够及时。"),
        },
    ),
    FeedbackRow(
        "sales_lead",
        "sales_mgr",
        "upward",
        {
            "sales_rep1": (82, "愿意带新人跑客户，周会目标清楚。"),
            "sales_rep2": (78, "支持到位，希望多给一些大客户机会。"),
        },
    ),
    FeedbackRow(
        "qa_lead",
        "prod_mgr",
        "cross_functional",
        {"prod_eng": (90, "质量问题定位快，跨班组协作顺畅。"), "sales_rep2": DECLINED, "hr_spec": None},
    ),
]


@dataclass(frozen=True)
class ConversationRow:
    """A result conversation (绩效面谈): who held it with whom, and what the employee said to it."""

    person: str
    author: str
    held_at: str
    notes: str
    agreed_actions: list[str]
    employee_comment: str


QUARTER_CONVERSATIONS = [
    ConversationRow(
        "sales_rep1",
        "sales_lead",
        "2026-10-10T06:00:00Z",
        "回顾第三季度：销售额完成目标的六成，新客户开发滞后；同事反馈拜访积极，但重点客户推进偏慢。",
        ["每周与主管复盘重点客户推进计划", "第四季度参加大客户谈判培训", "投诉信息当天同步质量部"],
        "认可面谈结论，第四季度会先集中跟进三家重点客户。",
    )
]
