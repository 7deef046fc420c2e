"""Messages of the evaluation workflow in en and zh-CN.

They are kept here rather than in the shared catalog so this domain can grow its wording on its own; errors pass them
as explicit ``detail=`` strings in the caller's language.
"""

from app.core.errors import Forbidden
from app.core.i18n import Locale, current_locale

MESSAGES: dict[str, dict[Locale, str]] = {
    "locked": {
        "en": "Evaluation {id} is {status} and frozen; an admin must reopen it before it can change.",
        "zh-CN": "评估 {id} 已处于“{status}”状态并已冻结；须由管理员重新打开后才能修改。",
    },
    "wrong_status": {
        "en": "This can only be done while the evaluation is in '{expected}'; it is in '{status}'.",
        "zh-CN": "仅当评估处于“{expected}”状态时才能执行此操作；当前状态为“{status}”。",
    },
    "cycle_not_in_calibration": {
        "en": "This can only be done while the cycle is in 'calibration'; it is in '{status}'.",
        "zh-CN": "仅当周期处于“calibration”（校准）状态时才能执行此操作；当前状态为“{status}”。",
    },
    "cycle_blocked": {
        "en": "The cycle cannot close: {total} evaluation(s) are still in self or manager review.",
        "zh-CN": "周期无法关闭：仍有 {total} 份评估处于自评或上级评估阶段。",
    },
    "review_incomplete": {
        "en": "The {component} score is required before moving on, because it weighs {weight}% in the final score.",
        "zh-CN": "进入下一步前需要填写{component}评分，因为它在最终得分中占 {weight}%。",
    },
    "component.self": {"en": "self-review", "zh-CN": "自评"},
    "component.manager": {"en": "manager", "zh-CN": "上级"},
    "unknown_rating": {
        "en": "'{rating}' is not a rating of this cycle's policy; use one of: {ratings}.",
        "zh-CN": "“{rating}”不是本周期评分政策中的等级；可选：{ratings}。",
    },
    "score_above_cap": {
        "en": "The score may not exceed the policy's cap of {cap}.",
        "zh-CN": "评分不能超过评分政策的上限 {cap}。",
    },
    "kpr_not_in_plan": {
        "en": "KPR {kpr_id} is not an active KPR of this evaluation's plan.",
        "zh-CN": "KPR {kpr_id} 不是该评估所属计划中的有效 KPR。",
    },
    "duplicate_kpr": {"en": "KPR {kpr_id} is listed more than once.", "zh-CN": "KPR {kpr_id} 重复出现。"},
    "forbidden": {"en": "You may not {action}.", "zh-CN": "您无权{action}。"},
    "action.self_review": {"en": "write this self-review", "zh-CN": "填写该自评"},
    "action.manager_review": {"en": "write this manager review", "zh-CN": "填写该上级评估"},
    "action.calibrate": {"en": "calibrate evaluations", "zh-CN": "校准评估"},
    "action.transition": {"en": "move this evaluation to '{target}'", "zh-CN": "将该评估变更为“{target}”"},
    "action.calibration_report": {"en": "read the calibration report", "zh-CN": "查看校准报告"},
    "action.export": {"en": "export the cycle's evaluations", "zh-CN": "导出该周期的评估"},
    "violation.max": {
        "en": "{rating}: {share}% is above the guideline's maximum of {limit}%.",
        "zh-CN": "{rating}：占比 {share}% 超过指导上限 {limit}%。",
    },
    "violation.min": {
        "en": "{rating}: {share}% is below the guideline's minimum of {limit}%.",
        "zh-CN": "{rating}：占比 {share}% 低于指导下限 {limit}%。",
    },
}

EXPORT_HEADERS: dict[Locale, tuple[str, ...]] = {
    "en": (
        "Employee ID",
        "Name",
        "Department",
        "Manager",
        "Status",
        "Results score",
        "Self score",
        "Manager score",
        "Final score",
        "Rating",
        "Calibrated rating",
        "Final rating",
    ),
    "zh-CN": (
        "工号",
        "姓名",
        "部门",
        "上级",
        "状态",
        "业绩得分",
        "自评分",
        "上级评分",
        "最终得分",
        "评级",
        "校准评级",
        "最终评级",
    ),
}


def forbidden(action: str, **params: object) -> Forbidden:
    """A 403 whose detail names the action in the caller's language."""
    return Forbidden(message("forbidden", action=message(f"action.{action}", **params)))


def message(key: str, **params: object) -> str:
    """The message in the request's language (Accept-Language), with its parameters filled in."""
    entry = MESSAGES[key]
    text = entry.get(current_locale.get()) or entry["en"]
    return text.format(**params)
