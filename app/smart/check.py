"""SMART check of a KPR: Specific, Measurable, Attainable, Relevant, Time-bound.

Pure: the caller resolves the goal chain and the cycle and hands in plain facts (`SmartContext`), so the same check
serves saved KPRs, unsaved drafts (`POST /kprs/smart-check`) and bulk template application without touching a database.
Findings are messages not yet rendered (`Message`: a catalogue code and its parameters, the catalogue's ``smart.*``
keys), so a report is language-neutral and is rendered in the reader's language by `SmartReport.as_dict`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from app.core.enums import Direction, SmartStatus
from app.core.i18n import Locale, Message

__all__ = [
    "Criterion",
    "SmartContext",
    "SmartInput",
    "SmartReport",
    "SmartStatus",
    "check_smart",
    "looks_like_kpi",
    "render_stored",
]

DIRECTIONS = tuple(Direction)
CRITERIA = ("specific", "measurable", "attainable", "relevant", "time_bound")


_SEVERITY = {SmartStatus.PASS: 0, SmartStatus.WARN: 1, SmartStatus.FAIL: 2}


@dataclass(frozen=True)
class Criterion:
    status: SmartStatus
    messages: tuple[Message, ...]


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

    def as_dict(self, locale: Locale | None = None) -> dict[str, Any]:
        """The API's SmartReport, its messages rendered in ``locale`` (default: the request's language)."""
        result: dict[str, Any] = {
            name: {
                "status": criterion.status.value,
                "messages": [message.render(locale) for message in criterion.messages],
            }
            for name, criterion in self._criteria().items()
        }
        result["passed"] = self.passed
        return result

    def as_stored(self) -> dict[str, Any]:
        """The report as a KPR row keeps it (JSON): statuses and message codes with their parameters, no text, so it
        is rendered in each reader's language by `render_stored`."""
        return {
            name: {"status": criterion.status.value, "messages": [_stored_message(m) for m in criterion.messages]}
            for name, criterion in self._criteria().items()
        }

    def _criteria(self) -> dict[str, Criterion]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def _stored_message(message: Message) -> dict[str, Any]:
    params = {
        name: _stored_message(value) if isinstance(value, Message) else value for name, value in message.params.items()
    }
    return {"code": message.code, "params": params}


def _loaded_message(data: dict[str, Any]) -> Message:
    # Parameters are plain text or numbers, or (as dicts) translated terms rendered in the same language.
    params = {
        name: _loaded_message(value) if isinstance(value, dict) else value
        for name, value in data.get("params", {}).items()
    }
    return Message(data["code"], params)


def render_stored(stored: dict[str, Any], locale: Locale | None = None) -> dict[str, Any]:
    """A stored report (`SmartReport.as_stored`) as the API's SmartReport, rendered in ``locale``."""
    result: dict[str, Any] = {
        name: {
            "status": stored[name]["status"],
            "messages": [_loaded_message(message).render(locale) for message in stored[name]["messages"]],
        }
        for name in CRITERIA
    }
    result["passed"] = all(stored[name]["status"] != SmartStatus.FAIL for name in CRITERIA)
    return result


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


def _criterion(findings: list[tuple[SmartStatus, Message]]) -> Criterion:
    status = max((status for status, _ in findings), key=_SEVERITY.__getitem__, default=SmartStatus.PASS)
    return Criterion(status, tuple(message for _, message in findings))


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


def _check_specific(kpr: SmartInput) -> Criterion:
    title = (kpr.title or "").strip()
    if not title:
        return _criterion([(SmartStatus.FAIL, Message("smart.specific.title_missing"))])
    text = _normalized(title)
    if not _has_real_content(text):
        return _criterion([(SmartStatus.FAIL, Message("smart.specific.title_too_short", {"title": title}))])
    problems: list[tuple[SmartStatus, Message]] = []
    if (term := _kpi_term(title)) is not None:
        problems.append((SmartStatus.WARN, Message("smart.specific.looks_like_kpi", {"term": term})))
    if kpr.target is None and not _has_number(text):
        vague = _EN_VAGUE.search(text) or _ZH_VAGUE.search(text)
        if vague is not None:
            problems.append((SmartStatus.WARN, Message("smart.specific.vague", {"verb": vague.group(0)})))
    return _criterion(problems)


# --- measurable -----------------------------------------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    # "1E+2" is correct but unreadable in a message to an HR user.
    return f"{value.normalize():f}"


def _check_measurable(kpr: SmartInput) -> Criterion:
    problems: list[tuple[SmartStatus, Message]] = []

    def fail(code: str, **params: object) -> None:
        problems.append((SmartStatus.FAIL, Message(code, params)))

    if not (kpr.unit or "").strip():
        fail("smart.measurable.unit_missing")
    direction = (kpr.direction or "").strip()
    if not direction:
        fail("smart.measurable.direction_missing")
    elif direction not in DIRECTIONS:
        fail("smart.measurable.direction_invalid", direction=direction)

    numbers: dict[str, Decimal] = {}
    for name, value, missing in (
        ("baseline", kpr.baseline, "smart.measurable.baseline_missing"),
        ("target", kpr.target, "smart.measurable.target_missing"),
    ):
        if value is None:
            fail(missing)
        elif not value.is_finite():
            fail("smart.measurable.not_finite", field=Message(f"smart.field.{name}"))
        else:
            numbers[name] = value

    if len(numbers) == 2 and direction in (Direction.INCREASE, Direction.DECREASE):
        baseline, target = numbers["baseline"], numbers["target"]
        if target == baseline:
            fail(
                "smart.measurable.target_equals_baseline",
                value=_plain(baseline),
                direction=Message(f"smart.direction.{direction}"),
            )
        elif (target < baseline) == (direction == Direction.INCREASE):
            # Scoring follows the sign of target - baseline, so a label that contradicts it hides a typo in one of them.
            fail(
                "smart.measurable.direction_mismatch",
                direction=Message(f"smart.direction.{direction}"),
                target=_plain(target),
                baseline=_plain(baseline),
                relation=Message("smart.relation.below" if target < baseline else "smart.relation.above"),
            )
    return _criterion(problems)


# --- attainable -----------------------------------------------------------------------------------------------------


def _round_percent(value: Decimal) -> str:
    # Generous precision so a wildly large change still rounds instead of raising InvalidOperation.
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + 4)
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def _check_attainable(kpr: SmartInput, ctx: SmartContext) -> Criterion:
    baseline, target = kpr.baseline, kpr.target
    if baseline is None or target is None or not (baseline.is_finite() and target.is_finite()):
        return _criterion([])
    if (kpr.direction or "").strip() == Direction.MAINTAIN:
        return _criterion([])
    if baseline == 0:
        return _criterion([(SmartStatus.PASS, Message("smart.attainable.zero_baseline"))])
    percent = abs(target - baseline) / abs(baseline) * 100
    if percent > ctx.max_stretch:
        params = {"percent": _round_percent(percent), "limit": _plain(ctx.max_stretch)}
        return _criterion([(SmartStatus.WARN, Message("smart.attainable.too_high", params))])
    if percent <= ctx.min_stretch:
        params = {"percent": _round_percent(percent), "limit": _plain(ctx.min_stretch)}
        return _criterion([(SmartStatus.WARN, Message("smart.attainable.too_low", params))])
    return _criterion([])


# --- relevant -------------------------------------------------------------------------------------------------------


def _check_relevant(ctx: SmartContext) -> Criterion:
    if not ctx.goal_found:
        return _criterion([(SmartStatus.FAIL, Message("smart.relevant.goal_missing"))])
    if not ctx.goal_cycle_compatible:
        return _criterion([(SmartStatus.FAIL, Message("smart.relevant.goal_cycle_mismatch"))])
    if not ctx.goal_reaches_company:
        return _criterion([(SmartStatus.WARN, Message("smart.relevant.no_company_goal"))])
    return _criterion([])


# --- time-bound -----------------------------------------------------------------------------------------------------


def _check_time_bound(kpr: SmartInput, ctx: SmartContext) -> Criterion:
    due = kpr.due_date
    if due is None:
        return _criterion([(SmartStatus.FAIL, Message("smart.time_bound.due_date_missing"))])
    if ctx.cycle_start is not None and due < ctx.cycle_start:
        params = {"due_date": due.isoformat(), "cycle_start": ctx.cycle_start.isoformat()}
        return _criterion([(SmartStatus.FAIL, Message("smart.time_bound.before_cycle", params))])
    if ctx.cycle_end is not None and due > ctx.cycle_end:
        params = {"due_date": due.isoformat(), "cycle_end": ctx.cycle_end.isoformat()}
        return _criterion([(SmartStatus.FAIL, Message("smart.time_bound.after_cycle", params))])
    return _criterion([])


def check_smart(kpr: SmartInput, ctx: SmartContext) -> SmartReport:
    """Assess a KPR against SMART; the findings are language-neutral messages, rendered by `SmartReport.as_dict`."""
    return SmartReport(
        specific=_check_specific(kpr),
        measurable=_check_measurable(kpr),
        attainable=_check_attainable(kpr, ctx),
        relevant=_check_relevant(ctx),
        time_bound=_check_time_bound(kpr, ctx),
    )
