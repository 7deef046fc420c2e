"""Built-in KPR templates by business function, in Chinese and English.

Each template is a *result* (what a department is scored on) with the KPIs — the process indicators — that usually
drive it, so a manager can start from a well-formed KPR instead of a blank page. Shipped as code, not rows: every
organization sees the same library, and the ids must not change between releases because KPRs keep `template_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid5

from app.core.enums import Direction, Frequency

__all__ = [
    "DIRECTIONS",
    "FREQUENCIES",
    "FUNCTIONS",
    "NAMESPACE",
    "TEMPLATES",
    "KprTemplate",
    "LocalizedText",
    "SuggestedKpi",
    "get_template",
    "list_templates",
]

# Fixed forever: template ids are uuid5(NAMESPACE, slug), and stored KPRs refer to them.
NAMESPACE = UUID("6f1c9e52-3b7a-5d84-9a20-4c8e1f0b7d35")

DIRECTIONS = tuple(Direction)
FREQUENCIES = tuple(Frequency)
FUNCTIONS: tuple[str, ...] = (
    "sales",
    "marketing",
    "hr",
    "production",
    "rnd",
    "customer_service",
    "finance",
    "operations",
    "procurement",
)


@dataclass(frozen=True)
class LocalizedText:
    en: str
    zh: str

    def get(self, locale: str) -> str:
        # Any Chinese tag ("zh-CN", "zh", "zh_cn") gets the Chinese text; the library ships no other language.
        return self.zh if locale.replace("_", "-").lower().split("-")[0] == "zh" else self.en


@dataclass(frozen=True)
class SuggestedKpi:
    name: LocalizedText
    unit: LocalizedText
    direction: str
    frequency: str


@dataclass(frozen=True)
class KprTemplate:
    id: UUID
    slug: str
    function: str
    title: LocalizedText
    description: LocalizedText
    unit: LocalizedText
    direction: str
    suggested_kpis: tuple[SuggestedKpi, ...]


def _text(en: str, zh: str) -> LocalizedText:
    return LocalizedText(en=en, zh=zh)


PERCENT = _text("%", "%")
CNY = _text("CNY", "元")
CNY_10K = _text("CNY 10k", "万元")
DAYS = _text("days", "天")
HOURS = _text("hours", "小时")
MINUTES = _text("minutes", "分钟")
COUNT = _text("count", "个")
TIMES = _text("times", "次")
POINTS = _text("points", "分")
CUSTOMERS = _text("customers", "家")
LEADS = _text("leads", "条")
PEOPLE = _text("people", "人")
EVENTS = _text("events", "场")
ARTICLES = _text("articles", "篇")
PRODUCTS = _text("products", "款")
PATENTS = _text("patents", "件")
INCIDENTS = _text("incidents", "起")
IMPRESSIONS_10K = _text("10k impressions", "万次")
CNY_PER_UNIT = _text("CNY per unit", "元/件")
KWH_PER_UNIT = _text("kWh per unit", "千瓦时/件")
PER_10K_ORDERS = _text("per 10k orders", "件/万单")


def _kpi(en: str, zh: str, unit: LocalizedText, direction: str, frequency: str) -> SuggestedKpi:
    return SuggestedKpi(name=_text(en, zh), unit=unit, direction=direction, frequency=frequency)


def _template(
    function: str,
    slug: str,
    title: LocalizedText,
    description: LocalizedText,
    unit: LocalizedText,
    direction: str,
    *kpis: SuggestedKpi,
) -> KprTemplate:
    return KprTemplate(
        id=uuid5(NAMESPACE, slug),
        slug=slug,
        function=function,
        title=title,
        description=description,
        unit=unit,
        direction=direction,
        suggested_kpis=kpis,
    )


_LIBRARY = (
    # --- sales ------------------------------------------------------------------------------------------------------
    _template(
        "sales",
        "sales-revenue-growth",
        _text("Sales revenue growth", "销售额增长"),
        _text(
            "Sales revenue recognized in the cycle (excluding VAT, as booked by finance) reaches the target.",
            "考核周期内确认的销售收入（不含税，以财务入账为准）达到目标值。",
        ),
        CNY_10K,
        "increase",
        _kpi("Customer visits", "客户拜访次数", TIMES, "increase", "weekly"),
        _kpi("New sales opportunities", "新增商机数", COUNT, "increase", "weekly"),
        _kpi("Quote-to-order conversion rate", "报价转化率", PERCENT, "increase", "monthly"),
    ),
    _template(
        "sales",
        "sales-new-customers",
        _text("New customers won", "新客户数量"),
        _text(
            "Customers who sign their first contract and make their first payment within the cycle.",
            "考核周期内首次签约并完成首笔回款的客户数量。",
        ),
        CUSTOMERS,
        "increase",
        _kpi("Prospects contacted", "潜在客户触达数", CUSTOMERS, "increase", "weekly"),
        _kpi("Product demos delivered", "产品演示次数", TIMES, "increase", "weekly"),
        _kpi("Lead-to-opportunity conversion rate", "线索转商机率", PERCENT, "increase", "monthly"),
    ),
    _template(
        "sales",
        "sales-collection-rate",
        _text("Cash collection rate", "回款率"),
        _text(
            "Cash collected in the cycle as a share of the receivables falling due in the cycle.",
            "考核周期内实际回款金额占当期到期应收款金额的比例。",
        ),
        PERCENT,
        "increase",
        _kpi("Overdue accounts followed up", "逾期账款跟进次数", TIMES, "increase", "weekly"),
        _kpi("Customer statements reconciled", "客户对账完成率", PERCENT, "increase", "monthly"),
        _kpi("Overdue receivables", "逾期应收金额", CNY_10K, "decrease", "weekly"),
    ),
    _template(
        "sales",
        "sales-gross-margin",
        _text("Sales gross margin", "销售毛利率"),
        _text(
            "Gross profit on the cycle's sales as a share of sales revenue, at standard cost.",
            "考核周期内销售毛利占销售收入的比例，按标准成本计算。",
        ),
        PERCENT,
        "increase",
        _kpi("Deals closed with a special discount", "特价审批订单占比", PERCENT, "decrease", "monthly"),
        _kpi("Share of high-margin products in sales", "高毛利产品销售占比", PERCENT, "increase", "monthly"),
    ),
    # --- marketing --------------------------------------------------------------------------------------------------
    _template(
        "marketing",
        "marketing-qualified-leads",
        _text("Marketing-qualified leads", "有效线索数"),
        _text(
            "Leads generated by marketing that sales accepts as matching the target customer profile.",
            "由市场部获取、经销售确认符合目标客户画像的线索数量。",
        ),
        LEADS,
        "increase",
        _kpi("Marketing events held", "市场活动场次", EVENTS, "increase", "monthly"),
        _kpi("Content pieces published", "内容发布篇数", ARTICLES, "increase", "weekly"),
        _kpi("Landing page conversion rate", "落地页转化率", PERCENT, "increase", "weekly"),
    ),
    _template(
        "marketing",
        "marketing-brand-awareness",
        _text("Brand awareness", "品牌知名度"),
        _text(
            "Share of the target audience who name the brand unprompted, measured by an independent survey.",
            "目标人群中无提示即可提及本品牌的比例，以第三方调研结果为准。",
        ),
        PERCENT,
        "increase",
        _kpi("Media impressions", "媒体曝光量", IMPRESSIONS_10K, "increase", "weekly"),
        _kpi("Social media engagement rate", "社交媒体互动率", PERCENT, "increase", "weekly"),
        _kpi("Industry events attended", "行业展会参展场次", EVENTS, "increase", "monthly"),
    ),
    _template(
        "marketing",
        "marketing-customer-acquisition-cost",
        _text("Customer acquisition cost", "获客成本"),
        _text(
            "Total marketing and sales spend in the cycle divided by the number of new paying customers.",
            "考核周期内市场与销售总投入除以新增付费客户数。",
        ),
        CNY,
        "decrease",
        _kpi("Cost per lead", "单条线索成本", CNY, "decrease", "weekly"),
        _kpi("Return on ad spend", "广告投放回报率", PERCENT, "increase", "weekly"),
        _kpi("Lead-to-customer conversion rate", "线索成交转化率", PERCENT, "increase", "monthly"),
    ),
    _template(
        "marketing",
        "marketing-sourced-pipeline",
        _text("Marketing-sourced pipeline", "市场贡献商机金额"),
        _text(
            "Value of the sales opportunities created in the cycle from marketing-generated leads.",
            "考核周期内由市场线索转化而来的销售商机总金额。",
        ),
        CNY_10K,
        "increase",
        _kpi("Lead follow-up within 24 hours", "线索24小时内跟进率", PERCENT, "increase", "weekly"),
        _kpi("MQL-to-SQL conversion rate", "市场线索转销售线索率", PERCENT, "increase", "monthly"),
    ),
    # --- hr ---------------------------------------------------------------------------------------------------------
    _template(
        "hr",
        "hr-key-position-fill-rate",
        _text("Key position fill rate", "关键岗位到岗率"),
        _text(
            "Key positions filled by the planned start date as a share of the key positions in the hiring plan.",
            "按计划日期到岗的关键岗位人数占关键岗位招聘计划人数的比例。",
        ),
        PERCENT,
        "increase",
        _kpi("Résumés screened", "简历筛选份数", COUNT, "increase", "weekly"),
        _kpi("Interviews arranged", "面试安排场次", TIMES, "increase", "weekly"),
        _kpi("Offer acceptance rate", "录用通知接受率", PERCENT, "increase", "monthly"),
    ),
    _template(
        "hr",
        "hr-employee-turnover",
        _text("Annual employee turnover rate", "员工年度流失率"),
        _text(
            "Voluntary leavers in the year divided by average headcount over the year.",
            "年度内主动离职人数除以年度平均在职人数。",
        ),
        PERCENT,
        "decrease",
        _kpi("Manager one-on-one coverage", "上级一对一沟通覆盖率", PERCENT, "increase", "monthly"),
        _kpi("Exit interviews completed", "离职面谈完成率", PERCENT, "increase", "monthly"),
        _kpi("New-hire mentoring sessions", "新员工导师辅导次数", TIMES, "increase", "weekly"),
    ),
    _template(
        "hr",
        "hr-training-coverage",
        _text("Training coverage rate", "培训覆盖率"),
        _text(
            "Share of employees who complete the required annual training and pass its assessment.",
            "完成年度必修培训并通过考核的员工占在职员工的比例。",
        ),
        PERCENT,
        "increase",
        _kpi("Training sessions held", "培训开班场次", EVENTS, "increase", "monthly"),
        _kpi("Training hours per employee", "人均培训时长", HOURS, "increase", "monthly"),
        _kpi("Course satisfaction score", "课程满意度评分", POINTS, "increase", "monthly"),
    ),
    _template(
        "hr",
        "hr-time-to-hire",
        _text("Average time to hire", "平均招聘周期"),
        _text(
            "Average days from an approved job requisition to the candidate's acceptance of the offer.",
            "从招聘需求获批到候选人接受录用通知的平均天数。",
        ),
        DAYS,
        "decrease",
        _kpi("Candidates sourced per opening", "单岗位候选人推荐数", PEOPLE, "increase", "weekly"),
        _kpi("Interview feedback within 48 hours", "面试反馈48小时内完成率", PERCENT, "increase", "weekly"),
    ),
    # --- production -------------------------------------------------------------------------------------------------
    _template(
        "production",
        "production-unit-cost",
        _text("Unit production cost", "单位生产成本"),
        _text(
            "Total production cost in the cycle divided by the number of good units produced.",
            "考核周期内生产总成本除以合格品产量。",
        ),
        CNY_PER_UNIT,
        "decrease",
        _kpi("Material scrap rate", "原材料损耗率", PERCENT, "decrease", "weekly"),
        _kpi("Overall equipment effectiveness (OEE)", "设备综合效率（OEE）", PERCENT, "increase", "weekly"),
        _kpi("Energy use per unit", "单位产品能耗", KWH_PER_UNIT, "decrease", "monthly"),
    ),
    _template(
        "production",
        "production-defect-rate",
        _text("Product defect rate", "产品不良率"),
        _text(
            "Units failing final inspection as a share of the units produced in the cycle.",
            "考核周期内出厂检验不合格数量占总产量的比例。",
        ),
        PERCENT,
        "decrease",
        _kpi("First-article inspections done", "首件检验执行率", PERCENT, "increase", "daily"),
        _kpi("Quality patrol inspections", "质量巡检次数", TIMES, "increase", "daily"),
        _kpi("Quality training hours", "质量培训时长", HOURS, "increase", "monthly"),
    ),
    _template(
        "production",
        "production-on-time-delivery",
        _text("On-time delivery rate", "准时交付率"),
        _text(
            "Orders delivered by the date committed to the customer as a share of the orders due in the cycle.",
            "按对客户承诺日期交付的订单占当期应交付订单的比例。",
        ),
        PERCENT,
        "increase",
        _kpi("Production schedule attainment", "生产计划达成率", PERCENT, "increase", "daily"),
        _kpi("Unplanned equipment downtime", "设备非计划停机时长", HOURS, "decrease", "weekly"),
        _kpi("Material kit readiness", "物料齐套率", PERCENT, "increase", "daily"),
    ),
    _template(
        "production",
        "production-lost-time-incidents",
        _text("Lost-time safety incidents", "工伤安全事故起数"),
        _text(
            "Workplace incidents in the cycle that cost at least one lost working day.",
            "考核周期内造成至少一个工作日损失的工伤安全事故起数。",
        ),
        INCIDENTS,
        "decrease",
        _kpi("Safety hazard inspections", "安全隐患排查次数", TIMES, "increase", "weekly"),
        _kpi("Hazards fixed on time", "隐患按期整改率", PERCENT, "increase", "weekly"),
    ),
    # --- rnd --------------------------------------------------------------------------------------------------------
    _template(
        "rnd",
        "rnd-products-launched-on-schedule",
        _text("New products launched on schedule", "新产品按期上市数"),
        _text(
            "New products released to market by the launch date set when the project was approved.",
            "按立项时确定的上市日期推向市场的新产品数量。",
        ),
        PRODUCTS,
        "increase",
        _kpi("Milestones met on time", "里程碑按期完成率", PERCENT, "increase", "monthly"),
        _kpi("Design reviews passed first time", "设计评审一次通过率", PERCENT, "increase", "monthly"),
    ),
    _template(
        "rnd",
        "rnd-escaped-defect-rate",
        _text("Escaped defect rate", "线上缺陷逃逸率"),
        _text(
            "Defects found after release as a share of all defects found in the release.",
            "版本上线后发现的缺陷数占该版本全部缺陷数的比例。",
        ),
        PERCENT,
        "decrease",
        _kpi("Automated test coverage", "自动化测试覆盖率", PERCENT, "increase", "weekly"),
        _kpi("Code review coverage", "代码评审覆盖率", PERCENT, "increase", "weekly"),
        _kpi("Regression test runs", "回归测试执行次数", TIMES, "increase", "weekly"),
    ),
    _template(
        "rnd",
        "rnd-project-on-time-delivery",
        _text("R&D projects delivered on time", "研发项目按期交付率"),
        _text(
            "R&D projects delivered by their baseline plan date as a share of the projects due in the cycle.",
            "按基线计划日期完成交付的研发项目占当期应交付项目的比例。",
        ),
        PERCENT,
        "increase",
        _kpi("Sprint plan completion rate", "迭代计划完成率", PERCENT, "increase", "weekly"),
        _kpi("Requirement change rate", "需求变更率", PERCENT, "decrease", "monthly"),
        _kpi("Project risks closed on time", "项目风险按期关闭率", PERCENT, "increase", "weekly"),
    ),
    _template(
        "rnd",
        "rnd-invention-patents-granted",
        _text("Invention patents granted", "发明专利授权数"),
        _text(
            "Invention patents granted to the company in the cycle.",
            "考核周期内公司获得授权的发明专利数量。",
        ),
        PATENTS,
        "increase",
        _kpi("Invention disclosures submitted", "技术交底书提交数", COUNT, "increase", "monthly"),
        _kpi("Patent applications filed", "专利申请提交数", PATENTS, "increase", "monthly"),
    ),
    # --- customer_service -------------------------------------------------------------------------------------------
    _template(
        "customer_service",
        "customer-service-satisfaction",
        _text("Customer satisfaction (CSAT)", "客户满意度"),
        _text(
            "Share of surveyed customers who rate the service “satisfied” or better; a typical target is 90% or more.",
            "服务回访中评价为“满意”及以上的客户占比，通常目标不低于 90%。",
        ),
        PERCENT,
        "increase",
        _kpi("Post-service survey completion rate", "服务回访完成率", PERCENT, "increase", "weekly"),
        _kpi("Quality assurance pass rate", "服务质检合格率", PERCENT, "increase", "weekly"),
        _kpi("Complaints handled on time", "投诉处理及时率", PERCENT, "increase", "weekly"),
    ),
    _template(
        "customer_service",
        "customer-service-first-contact-resolution",
        _text("First contact resolution rate", "首次解决率"),
        _text(
            "Share of customer issues resolved in the first contact, with no follow-up or escalation needed.",
            "在首次接触中即得到解决、无需再次跟进或升级的客户问题占比。",
        ),
        PERCENT,
        "increase",
        _kpi("Knowledge base articles updated", "知识库文章更新数", ARTICLES, "increase", "weekly"),
        _kpi("Agent training hours", "客服人员培训时长", HOURS, "increase", "monthly"),
        _kpi("Ticket escalation rate", "工单升级率", PERCENT, "decrease", "weekly"),
    ),
    _template(
        "customer_service",
        "customer-service-response-time",
        _text("Average first response time", "平均响应时长"),
        _text(
            "Average time from a customer's first message to the first reply from an agent.",
            "从客户发起咨询到客服人员首次回复的平均时长。",
        ),
        MINUTES,
        "decrease",
        _kpi("Agents online at peak hours", "高峰时段在线客服人数", PEOPLE, "increase", "daily"),
        _kpi("Schedule adherence", "排班遵从率", PERCENT, "increase", "daily"),
        _kpi("Self-service resolution share", "自助服务解决占比", PERCENT, "increase", "weekly"),
    ),
    _template(
        "customer_service",
        "customer-service-complaint-rate",
        _text("Customer complaint rate", "客户投诉率"),
        _text(
            "Valid customer complaints received per 10,000 orders in the cycle.",
            "考核周期内每万单收到的有效客户投诉数量。",
        ),
        PER_10K_ORDERS,
        "decrease",
        _kpi("Complaint root-cause analyses completed", "投诉根因分析完成率", PERCENT, "increase", "weekly"),
        _kpi("Proactive follow-ups with at-risk customers", "高风险客户主动回访次数", TIMES, "increase", "weekly"),
    ),
    # --- finance ----------------------------------------------------------------------------------------------------
    _template(
        "finance",
        "finance-days-sales-outstanding",
        _text("Days sales outstanding (DSO)", "应收账款周转天数"),
        _text(
            "Average accounts receivable divided by revenue, times the days in the period.",
            "平均应收账款余额除以营业收入，再乘以期间天数。",
        ),
        DAYS,
        "decrease",
        _kpi("Aging reports issued on time", "账龄分析报告按时出具率", PERCENT, "increase", "monthly"),
        _kpi("Collection calls on overdue accounts", "逾期账款催收次数", TIMES, "increase", "weekly"),
        _kpi("New customers credit-checked", "新客户信用评估覆盖率", PERCENT, "increase", "monthly"),
    ),
    _template(
        "finance",
        "finance-budget-variance",
        _text("Budget variance rate", "预算偏差率"),
        _text(
            "Absolute difference between actual and budgeted spend, as a share of the budget.",
            "实际费用与预算之差的绝对值占预算金额的比例。",
        ),
        PERCENT,
        "decrease",
        _kpi("Budget review meetings held", "预算执行分析会次数", TIMES, "increase", "monthly"),
        _kpi("Overspend alerts raised on time", "超预算预警及时率", PERCENT, "increase", "monthly"),
        _kpi("Rolling forecast updated on time", "滚动预测按时更新率", PERCENT, "increase", "monthly"),
    ),
    _template(
        "finance",
        "finance-month-end-close-on-time",
        _text("Month-end close on time", "月结及时率"),
        _text(
            "Share of months in the cycle closed within the working days set by the close calendar.",
            "考核周期内按关账日历在规定工作日内完成月结的月份占比。",
        ),
        PERCENT,
        "increase",
        _kpi("Journal entry error rate", "凭证差错率", PERCENT, "decrease", "weekly"),
        _kpi("Account reconciliations completed", "科目对账完成率", PERCENT, "increase", "weekly"),
        _kpi("Working days to close", "关账所需工作日", DAYS, "decrease", "monthly"),
    ),
    # --- operations -------------------------------------------------------------------------------------------------
    _template(
        "operations",
        "operations-order-fulfillment-cycle",
        _text("Order fulfillment cycle time", "订单履约周期"),
        _text(
            "Average days from order confirmation to delivery to the customer.",
            "从订单确认到交付客户的平均天数。",
        ),
        DAYS,
        "decrease",
        _kpi("Orders processed the same day", "订单当日处理率", PERCENT, "increase", "daily"),
        _kpi("Picking accuracy", "拣货准确率", PERCENT, "increase", "daily"),
    ),
    _template(
        "operations",
        "operations-inventory-days",
        _text("Days inventory outstanding", "库存周转天数"),
        _text(
            "Average inventory divided by cost of goods sold, times the days in the period.",
            "平均库存金额除以销售成本，再乘以期间天数。",
        ),
        DAYS,
        "decrease",
        _kpi("Slow-moving stock share", "呆滞库存占比", PERCENT, "decrease", "monthly"),
        _kpi("Cycle count accuracy", "盘点准确率", PERCENT, "increase", "weekly"),
        _kpi("Demand forecast accuracy", "需求预测准确率", PERCENT, "increase", "monthly"),
    ),
    _template(
        "operations",
        "operations-logistics-cost-ratio",
        _text("Logistics cost ratio", "物流费用率"),
        _text(
            "Freight, warehousing and handling costs as a share of sales revenue.",
            "运输、仓储及装卸费用占销售收入的比例。",
        ),
        PERCENT,
        "decrease",
        _kpi("Truck load factor", "车辆满载率", PERCENT, "increase", "weekly"),
        _kpi("Shipments consolidated", "合并发运订单占比", PERCENT, "increase", "weekly"),
    ),
    # --- procurement ------------------------------------------------------------------------------------------------
    _template(
        "procurement",
        "procurement-cost-savings",
        _text("Procurement cost savings", "采购成本节约额"),
        _text(
            "Savings against last year's purchase prices on comparable volumes, confirmed by finance.",
            "与上年同口径采购价格相比实现的节约金额，以财务确认为准。",
        ),
        CNY_10K,
        "increase",
        _kpi("Purchases competitively quoted", "询比价覆盖率", PERCENT, "increase", "monthly"),
        _kpi("Supplier negotiations held", "供应商议价谈判次数", TIMES, "increase", "monthly"),
    ),
    _template(
        "procurement",
        "procurement-supplier-on-time-delivery",
        _text("Supplier on-time delivery rate", "供应商准时交货率"),
        _text(
            "Purchase order lines received by the agreed date as a share of the lines due in the cycle.",
            "按约定日期到货的采购订单行占当期应到货订单行的比例。",
        ),
        PERCENT,
        "increase",
        _kpi("Purchase orders confirmed within 24 hours", "采购订单24小时内确认率", PERCENT, "increase", "weekly"),
        _kpi("Delivery follow-ups with suppliers", "供应商交期跟催次数", TIMES, "increase", "weekly"),
    ),
    _template(
        "procurement",
        "procurement-incoming-quality",
        _text("Incoming material acceptance rate", "来料合格率"),
        _text(
            "Incoming batches accepted at inspection as a share of all batches received.",
            "来料检验合格批次占全部到货批次的比例。",
        ),
        PERCENT,
        "increase",
        _kpi("Supplier audits completed", "供应商审核完成数", COUNT, "increase", "monthly"),
        _kpi("Incoming inspections done on time", "来料检验及时率", PERCENT, "increase", "daily"),
    ),
)


def _order(template: KprTemplate) -> tuple[str, str]:
    return template.function, template.slug


TEMPLATES: tuple[KprTemplate, ...] = tuple(sorted(_LIBRARY, key=_order))

_BY_ID: dict[UUID, KprTemplate] = {template.id: template for template in TEMPLATES}


def get_template(template_id: UUID) -> KprTemplate | None:
    return _BY_ID.get(template_id)


def list_templates(function: str | None = None) -> list[KprTemplate]:
    """Templates ordered by function, then slug; only those of `function` when given (unknown function: none)."""
    return [template for template in TEMPLATES if function is None or template.function == function]
