"""SMART check of a KPR: Specific, Measurable, Attainable, Relevant, Time-bound.

Pure: the caller resolves the goal chain and the cycle and hands in plain facts (`SmartContext`), so the same check
serves saved KPRs, unsaved drafts (`POST /kprs/smart-check`) and bulk template application without touching a database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from typing import Any, Literal

__all__ = [
    "MESSAGES",
    "Criterion",
    "Locale",
    "SmartContext",
    "SmartInput",
    "SmartReport",
    "SmartStatus",
    "check_smart",
    "looks_like_kpi",
]

Locale = Literal["en", "zh-CN"]

DIRECTIONS = ("increase", "decrease", "maintain")


class SmartStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


_SEVERITY = {SmartStatus.PASS: 0, SmartStatus.WARN: 1, SmartStatus.FAIL: 2}


@dataclass(frozen=True)
class Criterion:
    status: SmartStatus
    messages: tuple[str, ...]


@dataclass(frozen=True)
class SmartReport:
    specific: Criterion
    measurable: Criterion
    attainable: Criterion
    relevant: Criterion
    time_bound: Criterion

    @property
    def passed(self) -> bool:
        return all(criterion.status is not SmartStatus.FAIL for criterion in self._criteria().values())

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            name: {"status": criterion.status.value, "messages": list(criterion.messages)}
            for name, criterion in self._criteria().items()
        }
        result["passed"] = self.passed
        return result

    def _criteria(self) -> dict[str, Criterion]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class SmartInput:
    title: str | None
    description: str | None
    unit: str | None
    direction: str | None
    baseline: Decimal | None
    target: Decimal | None
    due_date: date | None


@dataclass(frozen=True)
class SmartContext:
    goal_found: bool
    goal_cycle_compatible: bool
    goal_reaches_company: bool
    cycle_start: date | None
    cycle_end: date | None
    max_stretch: Decimal = Decimal(100)
    min_stretch: Decimal = Decimal(0)


# Message catalog. Ids are stable so clients and tests can rely on them; both locales carry the same placeholders.
MESSAGES: dict[str, dict[str, str]] = {
    "specific.title_missing": {
        "en": "The title is missing: state the result you will achieve, e.g. “Grow Q3 sales revenue by 20%”.",
        "zh-CN": "缺少标题：请写明要达成的结果，例如“第三季度销售额增长 20%”。",
    },
    "specific.title_too_short": {
        "en": "The title “{title}” has too little content to be specific: state the result you will achieve, "
        "e.g. “Grow Q3 sales revenue by 20%”.",
        "zh-CN": "标题“{title}”内容过少，不够具体：请写明要达成的结果，例如“第三季度销售额增长 20%”。",
    },
    "specific.looks_like_kpi": {
        "en": "The title looks like a KPI (a process indicator: “{term}”) rather than a result; rewrite it as the "
        "measurable result this activity should produce, and attach this as a KPI under it.",
        "zh-CN": "该标题看起来像 KPI（过程指标：“{term}”），而不是结果；"
        "请改写为可衡量的结果，并把它作为 KPI 挂在结果之下。",
    },
    "specific.vague": {
        "en": "The title uses a vague verb (“{verb}”) with no number, and no target is set: say how much, "
        "e.g. “Raise customer satisfaction from 82% to 90%”.",
        "zh-CN": "标题使用了笼统的动词（“{verb}”），既没有数字，也没有设定目标值：请写明幅度，"
        "例如“客户满意度从 82% 提升到 90%”。",
    },
    "measurable.unit_missing": {
        "en": "The unit is missing: say what the result is measured in, e.g. %, CNY 10k, days.",
        "zh-CN": "缺少计量单位（unit）：请写明结果的计量单位，例如 %、万元、天。",
    },
    "measurable.direction_missing": {
        "en": "The direction is missing: choose increase, decrease or maintain.",
        "zh-CN": "缺少方向（direction）：请选择 increase（提升）、decrease（降低）或 maintain（保持）。",
    },
    "measurable.direction_invalid": {
        "en": "The direction “{direction}” is not valid: choose increase, decrease or maintain.",
        "zh-CN": "方向“{direction}”无效：请选择 increase（提升）、decrease（降低）或 maintain（保持）。",
    },
    "measurable.baseline_missing": {
        "en": "The baseline is missing: record the current value so progress can be measured from it.",
        "zh-CN": "缺少基线值（baseline）：请填写当前水平，以便据此衡量进展。",
    },
    "measurable.target_missing": {
        "en": "The target is missing: set the value that counts as achieving this result.",
        "zh-CN": "缺少目标值（target）：请设定达成该结果的数值。",
    },
    "measurable.not_finite": {
        "en": "The {field} must be a finite number.",
        "zh-CN": "{field_zh}必须是有限的数值。",
    },
    "measurable.target_equals_baseline": {
        "en": "The target equals the baseline ({value}): a result to {direction} needs a target different from "
        "where it starts (use “maintain” to hold a level).",
        "zh-CN": "目标值与基线值相同（{value}）：方向为{direction_zh}的结果，目标值必须不同于起点"
        "（如需保持现有水平，请选择 maintain）。",
    },
    "measurable.direction_mismatch": {
        "en": "The direction is {direction} but the target ({target}) is {relation} the baseline ({baseline}): "
        "fix the direction or the target.",
        "zh-CN": "方向为{direction_zh}，但目标值（{target}）{relation_zh}基线值（{baseline}）：请修正方向或目标值。",
    },
    "attainable.too_high": {
        "en": "The target is a {percent}% change from the baseline, above the {limit}% the policy allows: it is "
        "probably too ambitious to be attainable.",
        "zh-CN": "目标值较基线变化 {percent}%，超过政策上限 {limit}%：目标可能过高，难以达成。",
    },
    "attainable.too_low": {
        "en": "The target is only a {percent}% change from the baseline, at or below the {limit}% the policy "
        "expects: it is too low to be a stretch.",
        "zh-CN": "目标值较基线仅变化 {percent}%，未超过政策下限 {limit}%：目标过低，缺乏挑战性。",
    },
    "attainable.zero_baseline": {
        "en": "The baseline is 0, so the change cannot be expressed as a percentage: check the target against "
        "past results or peers.",
        "zh-CN": "基线值为 0，无法按百分比衡量变化幅度：请参照历史数据或同类岗位确认目标是否合理。",
    },
    "relevant.goal_missing": {
        "en": "The KPR is not aligned to a goal of your organization: choose the goal it contributes to.",
        "zh-CN": "该 KPR 未对齐到本组织的任何目标：请选择它所支撑的目标。",
    },
    "relevant.goal_cycle_mismatch": {
        "en": "The aligned goal belongs to another cycle: choose a goal of this cycle or a long-term goal.",
        "zh-CN": "所对齐的目标属于其他考核周期：请选择本周期的目标或长期目标。",
    },
    "relevant.no_company_goal": {
        "en": "The aligned goal's chain never reaches a company goal: link it, through its parents, to the "
        "company strategy.",
        "zh-CN": "所对齐目标的上级链条没有连接到任何公司级目标：请通过上级目标将其关联到公司战略。",
    },
    "time_bound.due_date_missing": {
        "en": "The due date is missing: set when the result must be achieved.",
        "zh-CN": "缺少截止日期（due_date）：请设定结果的达成期限。",
    },
    "time_bound.before_cycle": {
        "en": "The due date {due_date} is before the cycle starts ({cycle_start}): choose a date inside the cycle.",
        "zh-CN": "截止日期 {due_date} 早于考核周期开始日期（{cycle_start}）：请选择周期内的日期。",
    },
    "time_bound.after_cycle": {
        "en": "The due date {due_date} is after the cycle ends ({cycle_end}): choose a date inside the cycle.",
        "zh-CN": "截止日期 {due_date} 晚于考核周期结束日期（{cycle_end}）：请选择周期内的日期。",
    },
}

_DIRECTION_ZH = {"increase": "提升", "decrease": "降低", "maintain": "保持"}
_FIELD_ZH = {"baseline": "基线值（baseline）", "target": "目标值（target）"}


def _normalize_locale(locale: str) -> Locale:
    # Callers pass what they parsed from Accept-Language; tolerate case and "zh"/"zh_CN" spellings of the same thing.
    return "zh-CN" if locale.replace("_", "-").lower().split("-")[0] == "zh" else "en"


def _message(message_id: str, locale: Locale, **values: object) -> str:
    return MESSAGES[message_id][locale].format(**values)


def _criterion(messages: list[tuple[SmartStatus, str]]) -> Criterion:
    status = max((status for status, _ in messages), key=_SEVERITY.__getitem__, default=SmartStatus.PASS)
    return Criterion(status, tuple(text for _, text in messages))


# --- specific -------------------------------------------------------------------------------------------------------

_CJK = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff]",
)

# Process indicators: activities an employee performs rather than results they produce.
_EN_ACTIVITY = re.compile(
    r"\b("
    r"call minutes|call time|call duration|talk time|phone time|cold calls?|phone calls?|sales calls?"
    r"|calls?(?: made| placed)?(?! cent(?:er|re))|dials?"
    r"|(?:customer |client |site |sales )?visits?|visited|visiting"
    r"|meetings?(?: held| attended)?|e-?mails?(?: sent)?|follow[- ]?ups?|touch ?points?"
    r"|demos?|presentations?|pitches|workshops?|sessions?|trainings? held|interviews?(?: conducted)?"
    r"|posts(?: published)?|activit(?:y|ies)|outreach(?:es)?|attendance|clock[- ]?ins?"
    r")\b"
)
_ZH_ACTIVITY = re.compile(
    "拜访|走访|陪访|回访|电话|通话|外呼|呼出|致电|会议|开会|例会|打卡|出勤|考勤|地推|发帖|邮件|场次|面试|演示|跟进|沟通"
)
# Time and count words mark a process indicator only when they measure effort ("training hours", "通话次数");
# response times, downtime or complaint counts are outcomes and are excused by _OUTCOME_EVENT below.
_EN_EFFORT = re.compile(r"\b(hours?|minutes?|number of times|times)\b")
_ZH_EFFORT = re.compile("时长|次数|小时数|分钟数")
_OUTCOME_EVENT = re.compile(
    r"\b(response|resolution|resolve|downtime|uptime|turnaround|lead|cycle|wait|waiting|delivery|outage|recovery"
    r"|repair|processing|handling|mttr|sla|time[- ]to[- ]\w+|complaints?|incidents?|failures?|defects?|accidents?"
    r"|purchases?|repurchases?|orders?|logins?)\b"
    "|响应|处理|解决|停机|宕机|故障|等待|交付|交货|恢复|修复|周期|投诉|事故|退货|返工|缺陷|差错|违规"
    "|复购|购买|下单|订单|登录"
)
# Business results that make a title a KPR even when it names the activity that drives them
# ("通过拜访提升销售额 20%", "Grow revenue 20% through customer visits").
_RESULT_MARKER = re.compile(
    r"\b(revenue|profit|margin|costs?|satisfaction|market share|churn|retention|defect rate|yield|nps|csat|gmv)\b"
    "|销售额|营收|收入|利润|毛利|回款|成本|满意度|不良率|良率|合格率|市场份额|占有率|流失率|留存率|净推荐值"
)

_EN_VAGUE = re.compile(
    r"\b(improv\w*|increas\w*|enhanc\w*|boost\w*|better|grow\w*|reduc\w*|decreas\w*|strengthen\w*|optimi[sz]\w*"
    r"|rais(?:e|es|ed|ing)|lower|maximi[sz]\w*|minimi[sz]\w*|more|higher|fewer|less)\b"
)
_ZH_VAGUE = re.compile("提高|提升|改善|改进|加强|增强|强化|优化|完善|促进|推动|增加|增长|扩大|降低|减少")
# A Chinese title can carry its number in words: “提升两成”, “翻一番”, “百分之二十”.
_ZH_NUMBER = re.compile("百分之|[零一二三四五六七八九十百千万两半]+(?:成|倍|个百分点)|翻[一两]?番")


def _normalized(title: str) -> str:
    # NFKC folds full-width letters and digits (common in Chinese input methods) into their ASCII forms.
    return unicodedata.normalize("NFKC", title).casefold()


def _kpi_term(title: str) -> str | None:
    text = _normalized(title)
    if _RESULT_MARKER.search(text):
        return None
    candidates = [match for pattern in (_EN_ACTIVITY, _ZH_ACTIVITY) if (match := pattern.search(text))]
    if not _OUTCOME_EVENT.search(text):
        candidates += [match for pattern in (_EN_EFFORT, _ZH_EFFORT) if (match := pattern.search(text))]
    if not candidates:
        return None
    return min(candidates, key=lambda match: match.start()).group(0)


def looks_like_kpi(title: str) -> bool:
    """True when the title reads as a process indicator (visits, call hours, 拜访, 通话时长 …) rather than a result."""
    return _kpi_term(title) is not None


def _has_number(text: str) -> bool:
    return any(char.isdigit() for char in text) or _ZH_NUMBER.search(text) is not None


def _has_real_content(title: str) -> bool:
    meaningful = [char for char in title if char.isalnum()]
    if not any(char.isalpha() for char in meaningful):
        return False
    cjk = sum(1 for char in meaningful if _CJK.match(char))
    # A CJK character carries roughly a word's meaning, so two of them ("营收") say as much as four Latin letters.
    return cjk >= 2 or cjk * 2 + (len(meaningful) - cjk) >= 4


def _check_specific(kpr: SmartInput, locale: Locale) -> Criterion:
    title = (kpr.title or "").strip()
    if not title:
        return _criterion([(SmartStatus.FAIL, _message("specific.title_missing", locale))])
    text = _normalized(title)
    if not _has_real_content(text):
        return _criterion([(SmartStatus.FAIL, _message("specific.title_too_short", locale, title=title))])
    problems: list[tuple[SmartStatus, str]] = []
    if (term := _kpi_term(title)) is not None:
        problems.append((SmartStatus.WARN, _message("specific.looks_like_kpi", locale, term=term)))
    if kpr.target is None and not _has_number(text):
        vague = _EN_VAGUE.search(text) or _ZH_VAGUE.search(text)
        if vague is not None:
            problems.append((SmartStatus.WARN, _message("specific.vague", locale, verb=vague.group(0))))
    return _criterion(problems)


# --- measurable -----------------------------------------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    # "1E+2" is correct but unreadable in a message to an HR user.
    return f"{value.normalize():f}"


def _check_measurable(kpr: SmartInput, locale: Locale) -> Criterion:
    problems: list[tuple[SmartStatus, str]] = []

    def fail(message_id: str, **values: object) -> None:
        problems.append((SmartStatus.FAIL, _message(message_id, locale, **values)))

    if not (kpr.unit or "").strip():
        fail("measurable.unit_missing")
    direction = (kpr.direction or "").strip()
    if not direction:
        fail("measurable.direction_missing")
    elif direction not in DIRECTIONS:
        fail("measurable.direction_invalid", direction=direction)

    numbers: dict[str, Decimal] = {}
    for name, value in (("baseline", kpr.baseline), ("target", kpr.target)):
        if value is None:
            fail(f"measurable.{name}_missing")
        elif not value.is_finite():
            fail("measurable.not_finite", field=name, field_zh=_FIELD_ZH[name])
        else:
            numbers[name] = value

    if len(numbers) == 2 and direction in ("increase", "decrease"):
        baseline, target = numbers["baseline"], numbers["target"]
        if target == baseline:
            fail(
                "measurable.target_equals_baseline",
                value=_plain(baseline),
                direction=direction,
                direction_zh=_DIRECTION_ZH[direction],
            )
        elif (target < baseline) == (direction == "increase"):
            # Scoring follows the sign of target - baseline, so a label that contradicts it hides a typo in one of them.
            below = target < baseline
            fail(
                "measurable.direction_mismatch",
                direction=direction,
                direction_zh=_DIRECTION_ZH[direction],
                target=_plain(target),
                baseline=_plain(baseline),
                relation="below" if below else "above",
                relation_zh="低于" if below else "高于",
            )
    return _criterion(problems)


# --- attainable -----------------------------------------------------------------------------------------------------


def _round_percent(value: Decimal) -> str:
    # Generous precision so a wildly large change still rounds instead of raising InvalidOperation.
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + 4)
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def _check_attainable(kpr: SmartInput, ctx: SmartContext, locale: Locale) -> Criterion:
    baseline, target = kpr.baseline, kpr.target
    if baseline is None or target is None or not (baseline.is_finite() and target.is_finite()):
        return _criterion([])
    if (kpr.direction or "").strip() == "maintain":
        return _criterion([])
    if baseline == 0:
        return _criterion([(SmartStatus.PASS, _message("attainable.zero_baseline", locale))])
    percent = abs(target - baseline) / abs(baseline) * 100
    if percent > ctx.max_stretch:
        message = _message(
            "attainable.too_high", locale, percent=_round_percent(percent), limit=_plain(ctx.max_stretch)
        )
        return _criterion([(SmartStatus.WARN, message)])
    if percent <= ctx.min_stretch:
        message = _message("attainable.too_low", locale, percent=_round_percent(percent), limit=_plain(ctx.min_stretch))
        return _criterion([(SmartStatus.WARN, message)])
    return _criterion([])


# --- relevant -------------------------------------------------------------------------------------------------------


def _check_relevant(ctx: SmartContext, locale: Locale) -> Criterion:
    if not ctx.goal_found:
        return _criterion([(SmartStatus.FAIL, _message("relevant.goal_missing", locale))])
    if not ctx.goal_cycle_compatible:
        return _criterion([(SmartStatus.FAIL, _message("relevant.goal_cycle_mismatch", locale))])
    if not ctx.goal_reaches_company:
        return _criterion([(SmartStatus.WARN, _message("relevant.no_company_goal", locale))])
    return _criterion([])


# --- time-bound -----------------------------------------------------------------------------------------------------


def _check_time_bound(kpr: SmartInput, ctx: SmartContext, locale: Locale) -> Criterion:
    due = kpr.due_date
    if due is None:
        return _criterion([(SmartStatus.FAIL, _message("time_bound.due_date_missing", locale))])
    if ctx.cycle_start is not None and due < ctx.cycle_start:
        message = _message(
            "time_bound.before_cycle", locale, due_date=due.isoformat(), cycle_start=ctx.cycle_start.isoformat()
        )
        return _criterion([(SmartStatus.FAIL, message)])
    if ctx.cycle_end is not None and due > ctx.cycle_end:
        message = _message(
            "time_bound.after_cycle", locale, due_date=due.isoformat(), cycle_end=ctx.cycle_end.isoformat()
        )
        return _criterion([(SmartStatus.FAIL, message)])
    return _criterion([])


def check_smart(kpr: SmartInput, ctx: SmartContext, locale: Locale = "en") -> SmartReport:
    """Assess a KPR against SMART; messages are in `locale` ("zh-CN" or "en"; anything else falls back to "en")."""
    lang = _normalize_locale(locale)
    return SmartReport(
        specific=_check_specific(kpr, lang),
        measurable=_check_measurable(kpr, lang),
        attainable=_check_attainable(kpr, ctx, lang),
        relevant=_check_relevant(ctx, lang),
        time_bound=_check_time_bound(kpr, ctx, lang),
    )
