"""User-facing message catalog in en and zh-CN, chosen by ``Accept-Language`` (default en)."""

from contextvars import ContextVar
from typing import Literal

Locale = Literal["en", "zh-CN"]

current_locale: ContextVar[Locale] = ContextVar("current_locale", default="en")


def negotiate(accept_language: str | None) -> Locale:
    """Pick zh-CN or en from an Accept-Language header, honouring q-values."""
    if not accept_language:
        return "en"
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, tag))
    for neg_quality, _, tag in sorted(ranked):
        if neg_quality >= 0:
            break
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en") or tag == "*":
            return "en"
    return "en"


MESSAGES: dict[str, dict[Locale, str]] = {
    # Titles, one per error code.
    "NOT_FOUND": {"en": "Not found", "zh-CN": "未找到"},
    "UNAUTHENTICATED": {"en": "Authentication required", "zh-CN": "需要身份认证"},
    "FORBIDDEN": {"en": "Forbidden", "zh-CN": "无权执行此操作"},
    "VALIDATION_FAILED": {"en": "Validation failed", "zh-CN": "校验失败"},
    "CONFLICT": {"en": "Conflict", "zh-CN": "冲突"},
    "INVALID_TRANSITION": {"en": "Invalid state transition", "zh-CN": "不允许的状态变更"},
    "PRECONDITION_FAILED": {"en": "Precondition failed", "zh-CN": "前置条件不满足"},
    "PRECONDITION_REQUIRED": {"en": "Precondition required", "zh-CN": "缺少前置条件"},
    "INVALID_CURSOR": {"en": "Invalid cursor", "zh-CN": "无效的分页游标"},
    "BAD_REQUEST": {"en": "Bad request", "zh-CN": "请求无效"},
    "PAYLOAD_TOO_LARGE": {"en": "Payload too large", "zh-CN": "请求体过大"},
    "METHOD_NOT_ALLOWED": {"en": "Method not allowed", "zh-CN": "不支持该请求方法"},
    "IDEMPOTENCY_KEY_REUSED": {"en": "Idempotency key reused", "zh-CN": "幂等键已被用于其他请求"},
    "IDEMPOTENCY_IN_PROGRESS": {"en": "Request in progress", "zh-CN": "相同请求正在处理中"},
    "INTERNAL_ERROR": {"en": "Internal server error", "zh-CN": "服务器内部错误"},
    "SERVICE_UNAVAILABLE": {"en": "Service unavailable", "zh-CN": "服务暂不可用"},
    "WEIGHTS_MUST_TOTAL_100": {"en": "Weights must total 100", "zh-CN": "权重合计必须为 100"},
    "SMART_CHECK_FAILED": {"en": "SMART check failed", "zh-CN": "SMART 检查未通过"},
    "EVALUATION_LOCKED": {"en": "Evaluation locked", "zh-CN": "评估已锁定"},
    "DEFINITION_LOCKED": {"en": "KPR definition locked", "zh-CN": "KPR 定义已锁定"},
    "WOULD_CREATE_LOOP": {"en": "Would create a loop", "zh-CN": "会形成循环"},
    "DEPARTMENT_NOT_EMPTY": {"en": "Department not empty", "zh-CN": "部门非空"},
    "DUPLICATE": {"en": "Already exists", "zh-CN": "已存在"},
    "CYCLE_BLOCKED": {"en": "Cycle cannot change state", "zh-CN": "周期无法变更状态"},
    # Details.
    "detail.not_found": {"en": "{resource} {id} was not found.", "zh-CN": "未找到{resource} {id}。"},
    "detail.route_not_found": {"en": "No such route.", "zh-CN": "不存在该路径。"},
    "detail.unauthenticated": {
        "en": "A valid bearer token or API key is required.",
        "zh-CN": "需要有效的 Bearer 令牌或 API 密钥。",
    },
    "detail.token_expired": {"en": "The token has expired.", "zh-CN": "令牌已过期。"},
    "detail.token_invalid": {"en": "The token is invalid: {reason}.", "zh-CN": "令牌无效：{reason}。"},
    "detail.api_key_invalid": {"en": "The API key is invalid.", "zh-CN": "API 密钥无效。"},
    "detail.forbidden": {"en": "You may not {action}.", "zh-CN": "您无权{action}。"},
    "detail.validation": {"en": "The request is not valid; see errors.", "zh-CN": "请求内容无效，详见 errors。"},
    "detail.integrity": {"en": "The change conflicts with existing data.", "zh-CN": "该变更与现有数据冲突。"},
    "detail.duplicate": {"en": "{field} '{value}' is already in use.", "zh-CN": "{field}“{value}”已被使用。"},
    "detail.invalid_transition": {
        "en": "Cannot go from '{current}' to '{target}'; allowed: {allowed}.",
        "zh-CN": "无法从“{current}”变更为“{target}”；允许的目标：{allowed}。",
    },
    "detail.if_match": {
        "en": "The resource has changed since you read it (ETag mismatch).",
        "zh-CN": "资源在您读取后已被修改（ETag 不匹配）。",
    },
    "detail.cursor": {"en": "The cursor is malformed or was tampered with.", "zh-CN": "分页游标格式错误或已被篡改。"},
    "detail.too_large": {"en": "The request body exceeds {limit} bytes.", "zh-CN": "请求体超过 {limit} 字节。"},
    "detail.method": {"en": "This method is not allowed here.", "zh-CN": "此路径不支持该请求方法。"},
    "detail.idempotency_reused": {
        "en": "This Idempotency-Key was already used with a different request.",
        "zh-CN": "该 Idempotency-Key 已用于不同的请求。",
    },
    "detail.idempotency_in_progress": {
        "en": "A request with this Idempotency-Key is still being processed; retry shortly.",
        "zh-CN": "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。",
    },
    "detail.internal": {"en": "An unexpected error occurred.", "zh-CN": "发生了意外错误。"},
    "detail.db_unavailable": {"en": "The database is unreachable.", "zh-CN": "数据库不可达。"},
    "detail.loop": {"en": "This change would make a loop in the {tree}.", "zh-CN": "该变更会在{tree}中形成循环。"},
    "detail.department_not_empty": {
        "en": "The department still has sub-departments or employees; move them first.",
        "zh-CN": "该部门仍有下级部门或员工，请先将其移出。",
    },
    "detail.bad_request": {"en": "{reason}", "zh-CN": "{reason}"},
    "resource.organization": {"en": "Organization", "zh-CN": "组织"},
    "resource.department": {"en": "Department", "zh-CN": "部门"},
    "resource.employee": {"en": "Employee", "zh-CN": "员工"},
    "resource.api_key": {"en": "API key", "zh-CN": "API 密钥"},
    "resource.cycle": {"en": "Cycle", "zh-CN": "周期"},
    "resource.goal": {"en": "Goal", "zh-CN": "目标"},
    "resource.plan": {"en": "Plan", "zh-CN": "计划"},
    "resource.kpr": {"en": "KPR", "zh-CN": "KPR"},
    "resource.kpi": {"en": "KPI", "zh-CN": "KPI"},
    "resource.revision": {"en": "Revision", "zh-CN": "修订"},
    "resource.evaluation": {"en": "Evaluation", "zh-CN": "评估"},
    "resource.template": {"en": "KPR template", "zh-CN": "KPR 模板"},
    "tree.department": {"en": "department tree", "zh-CN": "部门树"},
    "tree.manager": {"en": "management chain", "zh-CN": "汇报链"},
    "tree.goal": {"en": "goal tree", "zh-CN": "目标树"},
}


def translate(key: str, locale: Locale | None = None, **params: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(locale or current_locale.get()) or entry["en"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
