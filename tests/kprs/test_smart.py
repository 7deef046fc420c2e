import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

import pytest

from app.core.i18n import Locale, Message, current_locale
from app.core.messages import MESSAGES
from app.smart.check import (
    Criterion,
    SmartContext,
    SmartInput,
    SmartReport,
    SmartStatus,
    check_smart,
    looks_like_kpi,
)

PASS, WARN, FAIL = SmartStatus.PASS, SmartStatus.WARN, SmartStatus.FAIL
LOCALES: tuple[Locale, ...] = ("en", "zh-CN")
CJK = re.compile("[\u4e00-\u9fff]")

GOOD = SmartInput(
    title="第三季度销售额增长20%",
    description="以财务确认的不含税收入为准",
    unit="万元",
    direction="increase",
    baseline=Decimal("1000"),
    target=Decimal("1200"),
    due_date=date(2025, 9, 30),
)
CTX = SmartContext(
    goal_found=True,
    goal_cycle_compatible=True,
    goal_reaches_company=True,
    cycle_start=date(2025, 7, 1),
    cycle_end=date(2025, 9, 30),
)


def kpr(**changes: Any) -> SmartInput:
    return replace(GOOD, **changes)


def ctx(**changes: Any) -> SmartContext:
    return replace(CTX, **changes)


class Shown(NamedTuple):
    """A criterion as the API shows it: its messages rendered in one language."""

    status: SmartStatus
    messages: tuple[str, ...]


def shown(criterion: Criterion, locale: Locale = "en") -> Shown:
    return Shown(criterion.status, tuple(message.render(locale) for message in criterion.messages))


def joined(criterion: Shown) -> str:
    return "\n".join(criterion.messages)


# --- the whole report -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_a_good_kpr_passes_every_criterion_without_messages(locale: Locale) -> None:
    report = check_smart(GOOD, CTX)

    for criterion in (report.specific, report.measurable, report.attainable, report.relevant, report.time_bound):
        assert shown(criterion, locale) == Shown(PASS, ())
    assert report.passed is True


# --- specific -------------------------------------------------------------------------------------------------------

KPI_EN = ("looks like a KPI", "attach this as a KPI under it")
KPI_ZH = ("看起来像 KPI（过程指标", "请改写为可衡量的结果", "挂在结果之下")
VAGUE_EN = ("vague verb",)
VAGUE_ZH = ("笼统的动词",)
SHORT_EN = ("too little content",)
SHORT_ZH = ("内容过少",)
MISSING_EN = ("title is missing",)
MISSING_ZH = ("缺少标题",)


@pytest.mark.parametrize(
    ("title", "target", "status", "en", "zh"),
    [
        # no real content
        (None, Decimal(1), FAIL, MISSING_EN, MISSING_ZH),
        ("   ", Decimal(1), FAIL, MISSING_EN, MISSING_ZH),
        ("!!?? —— 。", Decimal(1), FAIL, SHORT_EN, SHORT_ZH),
        ("abc", Decimal(1), FAIL, SHORT_EN, SHORT_ZH),
        ("营", Decimal(1), FAIL, SHORT_EN, SHORT_ZH),
        ("2025", Decimal(1), FAIL, SHORT_EN, SHORT_ZH),
        ("营收", Decimal(1), PASS, (), ()),
        ("Cost", Decimal(1), PASS, (), ()),
        # process indicators read as KPIs
        ("每月拜访客户次数", Decimal(1), WARN, KPI_EN, KPI_ZH),
        ("电话时长", Decimal(1), WARN, KPI_EN, KPI_ZH),
        ("每周召开会议次数", Decimal(1), WARN, KPI_EN, KPI_ZH),
        ("员工出勤打卡率", Decimal(1), WARN, KPI_EN, KPI_ZH),
        ("Number of customer visits", Decimal(1), WARN, KPI_EN, KPI_ZH),
        ("Call minutes per week", Decimal(1), WARN, KPI_EN, KPI_ZH),
        ("Emails sent to prospects", Decimal(1), WARN, KPI_EN, KPI_ZH),
        ("Training hours per employee", Decimal(1), WARN, KPI_EN, KPI_ZH),
        # results, even when they mention a time, a count or the activity behind them
        ("销售额同比增长20%", Decimal(1), PASS, (), ()),
        ("销售额同比增长20%", None, PASS, (), ()),
        ("平均响应时长", Decimal(1), PASS, (), ()),
        ("客户投诉次数", Decimal(1), PASS, (), ()),
        ("通过客户拜访使销售额增长20%", Decimal(1), PASS, (), ()),
        ("Average first response time in hours", Decimal(1), PASS, (), ()),
        ("Call center abandonment rate", Decimal(1), PASS, (), ()),
        ("Grow revenue 20% through customer visits", Decimal(1), PASS, (), ()),
        # vague verbs: only without a number in the title and without a target
        ("提升客户满意度", None, WARN, VAGUE_EN, VAGUE_ZH),
        ("提升客户满意度", Decimal(90), PASS, (), ()),
        ("客户满意度提升两成", None, PASS, (), ()),
        ("Improve customer satisfaction", None, WARN, VAGUE_EN, VAGUE_ZH),
        ("Improve customer satisfaction to 90%", None, PASS, (), ()),
        ("Ｉｍｐｒｏｖｅ ｍａｒｇｉｎ ｔｏ ３０％", None, PASS, (), ()),
        # both problems at once
        ("提高拜访次数", None, WARN, KPI_EN + VAGUE_EN, KPI_ZH + VAGUE_ZH),
    ],
)
@pytest.mark.parametrize("locale", LOCALES)
def test_specific(
    title: str | None,
    target: Decimal | None,
    status: SmartStatus,
    en: tuple[str, ...],
    zh: tuple[str, ...],
    locale: Locale,
) -> None:
    criterion = shown(check_smart(kpr(title=title, target=target), CTX).specific, locale)

    assert criterion.status is status
    expected = en if locale == "en" else zh
    for fragment in expected:
        assert fragment in joined(criterion)
    assert (criterion.messages == ()) == (expected == ())


def test_the_kpi_warning_names_the_process_term() -> None:
    assert "“customer visits”" in joined(shown(check_smart(kpr(title="Number of customer visits"), CTX).specific))
    assert "“拜访”" in joined(shown(check_smart(kpr(title="每月拜访客户次数"), CTX).specific, "zh-CN"))


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("每月拜访客户次数", True),
        ("电话时长", True),
        ("外呼通话时长", True),
        ("Number of customer visits", True),
        ("Call minutes per week", True),
        ("Meetings held with distributors", True),
        ("Number of times the team met", True),
        ("销售额增长", False),
        ("关键岗位到岗率", False),
        ("平均响应时长", False),
        ("设备停机时长", False),
        ("复购次数", False),
        ("Sales revenue growth", False),
        ("Average first response time", False),
        ("Unplanned downtime hours", False),
    ],
)
def test_looks_like_kpi(title: str, expected: bool) -> None:
    assert looks_like_kpi(title) is expected


# --- measurable -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "en", "zh"),
    [
        ({"unit": None}, FAIL, ["unit is missing"], ["缺少计量单位（unit）"]),
        ({"unit": "  "}, FAIL, ["unit is missing"], ["缺少计量单位（unit）"]),
        ({"direction": None}, FAIL, ["direction is missing"], ["缺少方向（direction）"]),
        ({"direction": "up"}, FAIL, ["direction “up” is not valid"], ["方向“up”无效"]),
        ({"baseline": None}, FAIL, ["baseline is missing"], ["缺少基线值（baseline）"]),
        ({"target": None}, FAIL, ["target is missing"], ["缺少目标值（target）"]),
        (
            {"baseline": Decimal("NaN")},
            FAIL,
            ["baseline must be a finite number"],
            ["基线值（baseline）必须是有限的数值"],
        ),
        (
            {"unit": None, "direction": None, "baseline": None, "target": None},
            FAIL,
            ["unit is missing", "direction is missing", "baseline is missing", "target is missing"],
            ["缺少计量单位（unit）", "缺少方向（direction）", "缺少基线值（baseline）", "缺少目标值（target）"],
        ),
        (
            {"baseline": Decimal("1000.00"), "target": Decimal(1000)},
            FAIL,
            ["target equals the baseline (1000)"],
            ["目标值与基线值相同（1000）"],
        ),
        (
            {"direction": "decrease", "baseline": Decimal("8.5"), "target": Decimal("8.50")},
            FAIL,
            ["target equals the baseline (8.5)"],
            ["目标值与基线值相同（8.5）"],
        ),
        ({"direction": "maintain", "baseline": Decimal(95), "target": Decimal(95)}, PASS, [], []),
        ({"direction": "maintain", "baseline": Decimal(95), "target": Decimal(97)}, PASS, [], []),
        ({"direction": "decrease", "baseline": Decimal(12), "target": Decimal(9)}, PASS, [], []),
        (
            {"direction": "increase", "baseline": Decimal(100), "target": Decimal(80)},
            FAIL,
            ["direction is increase but the target (80) is below the baseline (100)"],
            ["方向为提升，但目标值（80）低于基线值（100）"],
        ),
        (
            {"direction": "decrease", "baseline": Decimal(5), "target": Decimal(6)},
            FAIL,
            ["target (6) is above the baseline (5)"],
            ["目标值（6）高于基线值（5）"],
        ),
    ],
)
@pytest.mark.parametrize("locale", LOCALES)
def test_measurable(changes: dict[str, Any], status: SmartStatus, en: list[str], zh: list[str], locale: Locale) -> None:
    criterion = shown(check_smart(kpr(**changes), CTX).measurable, locale)

    assert criterion.status is status
    expected = en if locale == "en" else zh
    # One message per problem, in a stable order.
    assert len(criterion.messages) == len(expected)
    for message, fragment in zip(criterion.messages, expected, strict=True):
        assert fragment in message


# --- attainable -----------------------------------------------------------------------------------------------------

TOO_HIGH = ("too ambitious", "目标可能过高")
TOO_LOW = ("too low to be a stretch", "目标过低")
ZERO = ("baseline is 0", "基线值为 0")


@pytest.mark.parametrize(
    ("changes", "policy", "status", "kind", "numbers"),
    [
        ({"baseline": Decimal(100), "target": Decimal(150)}, {}, PASS, None, ()),
        ({"baseline": Decimal(100), "target": Decimal(200)}, {}, PASS, None, ()),  # exactly at max_stretch
        ({"baseline": Decimal(100), "target": Decimal(250)}, {}, WARN, TOO_HIGH, ("150.0%", "100%")),
        ({"baseline": Decimal(3), "target": Decimal(10)}, {}, WARN, TOO_HIGH, ("233.3%",)),
        # 150.05 rounds half-up, not to even
        ({"baseline": Decimal(8), "target": Decimal("20.004")}, {}, WARN, TOO_HIGH, ("150.1%",)),
        (
            {"direction": "decrease", "baseline": Decimal(100), "target": Decimal(40)},
            {"max_stretch": Decimal(50)},
            WARN,
            TOO_HIGH,
            ("60.0%", "50%"),
        ),
        ({"direction": "decrease", "baseline": Decimal(-50), "target": Decimal(-60)}, {}, PASS, None, ()),
        ({"baseline": Decimal(100), "target": Decimal(100)}, {}, WARN, TOO_LOW, ("0.0%", "0%")),
        (
            {"baseline": Decimal(100), "target": Decimal(105)},
            {"min_stretch": Decimal(5)},
            WARN,
            TOO_LOW,
            ("5.0%", "5%"),
        ),
        (
            {"baseline": Decimal(200), "target": Decimal(201)},
            {"min_stretch": Decimal("2.5")},
            WARN,
            TOO_LOW,
            ("0.5%", "2.5%"),
        ),
        ({"baseline": Decimal(100), "target": Decimal("105.01")}, {"min_stretch": Decimal(5)}, PASS, None, ()),
        ({"baseline": Decimal(0), "target": Decimal(50)}, {}, PASS, ZERO, ()),
        ({"direction": "maintain", "baseline": Decimal(95), "target": Decimal(95)}, {}, PASS, None, ()),
        ({"direction": "maintain", "baseline": Decimal(10), "target": Decimal(95)}, {}, PASS, None, ()),
        ({"target": None}, {}, PASS, None, ()),
        ({"baseline": None}, {}, PASS, None, ()),
    ],
)
@pytest.mark.parametrize("locale", LOCALES)
def test_attainable(
    changes: dict[str, Any],
    policy: dict[str, Decimal],
    status: SmartStatus,
    kind: tuple[str, str] | None,
    numbers: tuple[str, ...],
    locale: Locale,
) -> None:
    criterion = shown(check_smart(kpr(**changes), ctx(**policy)).attainable, locale)

    assert criterion.status is status
    if kind is None:
        assert criterion.messages == ()
    else:
        assert len(criterion.messages) == 1
        assert kind[0 if locale == "en" else 1] in criterion.messages[0]
        for number in numbers:
            assert number in criterion.messages[0]


# --- relevant -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "en", "zh"),
    [
        ({}, PASS, None, None),
        ({"goal_found": False}, FAIL, "not aligned to a goal", "未对齐到本组织的任何目标"),
        # a missing goal says nothing of its cycle or chain, so only the missing goal is reported
        (
            {"goal_found": False, "goal_cycle_compatible": False, "goal_reaches_company": False},
            FAIL,
            "not aligned to a goal",
            "未对齐到本组织的任何目标",
        ),
        ({"goal_cycle_compatible": False}, FAIL, "another cycle", "属于其他考核周期"),
        ({"goal_reaches_company": False}, WARN, "never reaches a company goal", "没有连接到任何公司级目标"),
    ],
)
@pytest.mark.parametrize("locale", LOCALES)
def test_relevant(
    changes: dict[str, bool], status: SmartStatus, en: str | None, zh: str | None, locale: Locale
) -> None:
    criterion = shown(check_smart(GOOD, ctx(**changes)).relevant, locale)

    assert criterion.status is status
    expected = en if locale == "en" else zh
    if expected is None:
        assert criterion.messages == ()
    else:
        assert len(criterion.messages) == 1
        assert expected in criterion.messages[0]


# --- time-bound -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_date", "bounds", "status", "en", "zh"),
    [
        (date(2025, 8, 15), {}, PASS, None, None),
        (date(2025, 7, 1), {}, PASS, None, None),
        (date(2025, 9, 30), {}, PASS, None, None),
        (None, {}, FAIL, "due date is missing", "缺少截止日期（due_date）"),
        (
            date(2025, 6, 30),
            {},
            FAIL,
            "2025-06-30 is before the cycle starts (2025-07-01)",
            "截止日期 2025-06-30 早于考核周期开始日期（2025-07-01）",
        ),
        (
            date(2025, 12, 31),
            {},
            FAIL,
            "2025-12-31 is after the cycle ends (2025-09-30)",
            "截止日期 2025-12-31 晚于考核周期结束日期（2025-09-30）",
        ),
        (date(2030, 1, 1), {"cycle_start": None, "cycle_end": None}, PASS, None, None),
        (date(2030, 1, 1), {"cycle_start": None}, FAIL, "after the cycle ends", "晚于考核周期结束日期"),
    ],
)
@pytest.mark.parametrize("locale", LOCALES)
def test_time_bound(
    due_date: date | None,
    bounds: dict[str, date | None],
    status: SmartStatus,
    en: str | None,
    zh: str | None,
    locale: Locale,
) -> None:
    criterion = shown(check_smart(kpr(due_date=due_date), ctx(**bounds)).time_bound, locale)

    assert criterion.status is status
    expected = en if locale == "en" else zh
    if expected is None:
        assert criterion.messages == ()
    else:
        assert len(criterion.messages) == 1
        assert expected in criterion.messages[0]


# --- passed and as_dict ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "context", "passed"),
    [
        ({}, {}, True),
        ({"title": "每月拜访客户次数"}, {}, True),  # warnings do not block
        ({"target": Decimal(5000)}, {}, True),
        ({}, {"goal_reaches_company": False}, True),
        ({"title": ""}, {}, False),
        ({"unit": None}, {}, False),
        ({}, {"goal_found": False}, False),
        ({"due_date": None}, {}, False),
    ],
)
def test_passed_is_false_exactly_when_a_criterion_fails(
    changes: dict[str, Any], context: dict[str, Any], passed: bool
) -> None:
    report = check_smart(kpr(**changes), ctx(**context))

    statuses = [report.specific, report.measurable, report.attainable, report.relevant, report.time_bound]
    assert report.passed is passed
    assert passed == all(criterion.status is not FAIL for criterion in statuses)


def test_as_dict_shape() -> None:
    report = check_smart(kpr(title="提升客户满意度", target=None, due_date=None), CTX)

    data = report.as_dict("zh-CN")

    assert list(data) == ["specific", "measurable", "attainable", "relevant", "time_bound", "passed"]
    assert data["passed"] is False
    assert data["specific"]["status"] == "warn"
    assert data["measurable"] == {"status": "fail", "messages": ["缺少目标值（target）：请设定达成该结果的数值。"]}
    assert data["relevant"] == {"status": "pass", "messages": []}
    for name in ("specific", "measurable", "attainable", "relevant", "time_bound"):
        assert set(data[name]) == {"status", "messages"}
        assert type(data[name]["status"]) is str
        assert isinstance(data[name]["messages"], list)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_report_is_immutable() -> None:
    report = check_smart(GOOD, CTX)

    with pytest.raises(AttributeError):
        report.specific = Criterion(FAIL, ())  # type: ignore[misc]
    assert isinstance(report, SmartReport)


# --- locales and catalog --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "chinese"), [("en", False), ("zh-CN", True), ("fr", False)])
def test_locale_selection_falls_back_to_english(locale: str, chinese: bool) -> None:
    criterion = shown(check_smart(kpr(unit=None), CTX).measurable, locale)  # type: ignore[arg-type]

    assert bool(CJK.search(criterion.messages[0])) is chinese


def test_as_dict_renders_in_the_requests_language_by_default() -> None:
    report = check_smart(kpr(unit=None), CTX)

    token = current_locale.set("zh-CN")
    try:
        assert report.as_dict() == report.as_dict("zh-CN")
    finally:
        current_locale.reset(token)
    assert report.as_dict() == report.as_dict("en")


def test_findings_are_codes_with_parameters_rendered_in_the_readers_language() -> None:
    report = check_smart(kpr(direction="decrease"), CTX)

    assert report.measurable == Criterion(
        FAIL,
        (
            Message(
                "smart.measurable.direction_mismatch",
                {
                    "direction": Message("smart.direction.decrease"),
                    "target": "1200",
                    "baseline": "1000",
                    "relation": Message("smart.relation.above"),
                },
            ),
        ),
    )
    assert report.as_dict("en")["measurable"]["messages"] == [
        "The direction is decrease but the target (1200) is above the baseline (1000): fix the direction or the target."
    ]
    assert report.as_dict("zh-CN")["measurable"]["messages"] == [
        "方向为降低，但目标值（1200）高于基线值（1000）：请修正方向或目标值。"
    ]


@pytest.mark.parametrize("code", sorted(code for code in MESSAGES if code.startswith("smart.")))
def test_smart_texts_are_in_their_own_language(code: str) -> None:
    texts = MESSAGES[code]

    assert not CJK.search(texts["en"])
    assert CJK.search(texts["zh-CN"])


def test_smart_status_values_are_the_wire_values() -> None:
    assert [status.value for status in SmartStatus] == ["pass", "warn", "fail"]
    assert json.dumps({"status": SmartStatus.WARN}) == '{"status": "warn"}'
