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
    "IDEMPOTENCY_NOT_REPLAYABLE": {"en": "Response not replayable", "zh-CN": "响应无法重放"},
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
    "PLAN_LOCKED": {"en": "Plan locked", "zh-CN": "计划已锁定"},
    "CYCLE_NOT_OPEN": {"en": "Cycle not open", "zh-CN": "周期未开放"},
    "CYCLE_CLOSED": {"en": "Cycle closed", "zh-CN": "周期已关闭"},
    "REVISION_NOT_NEEDED": {"en": "Revision not needed", "zh-CN": "无需修订"},
    "INVALID_STATE": {"en": "Not in the required state", "zh-CN": "状态不符"},
    "CYCLE_NOT_IN_CALIBRATION": {"en": "Cycle not in calibration", "zh-CN": "周期未处于校准阶段"},
    "REVIEW_INCOMPLETE": {"en": "Review incomplete", "zh-CN": "评估未完成"},
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
    "validation.nul": {
        "en": "Text may not contain the NUL character (\\u0000).",
        "zh-CN": "文本不能包含空字符（\\u0000）。",
    },
    "detail.not_an_employee": {
        "en": "No active employee of this organization matches this token.",
        "zh-CN": "该令牌不对应本组织的任何在职员工。",
    },
    "detail.unknown_organization": {
        "en": "The token names an organization that does not exist.",
        "zh-CN": "令牌所指的组织不存在。",
    },
    "detail.forbidden": {"en": "You may not {action}.", "zh-CN": "您无权{action}。"},
    "detail.forbidden_generic": {"en": "You may not do this.", "zh-CN": "您无权执行此操作。"},
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
    "detail.idempotency_not_replayable": {
        "en": "The first request with this Idempotency-Key succeeded, but its response held a secret that is shown "
        "only once and is not kept.",
        "zh-CN": "使用该 Idempotency-Key 的首次请求已成功，但其响应包含仅显示一次的密钥，不会被保存。",
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
    "detail.cycle_not_open": {
        "en": "The cycle is '{status}'; KPRs and plans change only while it is planning or active.",
        "zh-CN": "周期当前为“{status}”；仅在计划中或进行中时可修改 KPR 和计划。",
    },
    "detail.cycle_closed": {"en": "The cycle is closed.", "zh-CN": "周期已关闭。"},
    "detail.cycle_closed_reopen": {
        "en": "A closed cycle cannot be changed; reopen it first.",
        "zh-CN": "已关闭的周期不能修改，请先重新开启。",
    },
    "detail.end_before_start": {"en": "end_date must not be before start_date", "zh-CN": "结束日期不能早于开始日期"},
    "detail.plan_locked": {
        "en": "The plan is {status}; its KPRs change only while it is a draft (or rejected).",
        "zh-CN": "计划当前为“{status}”；仅在草稿（或被退回）状态下可修改其 KPR。",
    },
    "detail.weights_total": {
        "en": "The active KPRs' weights total {total}; they must total exactly 100.",
        "zh-CN": "有效 KPR 的权重合计为 {total}，必须恰好为 100。",
    },
    "detail.smart_failed": {
        "en": "Some KPRs fail the SMART check; fix them before submitting.",
        "zh-CN": "部分 KPR 未通过 SMART 检查，请修改后再提交。",
    },
    "detail.definition_locked": {
        "en": "The plan is approved: {fields} change only through a revision (POST /kprs/{{id}}/revisions).",
        "zh-CN": "计划已批准：{fields} 只能通过修订申请变更（POST /kprs/{{id}}/revisions）。",
    },
    "detail.delete_locked": {
        "en": "The plan is approved: cancel the KPR through a revision instead of deleting it.",
        "zh-CN": "计划已批准：请通过修订申请取消该 KPR，而不是删除。",
    },
    "detail.revision_not_needed": {
        "en": "The plan is not approved yet: edit the KPR directly.",
        "zh-CN": "计划尚未批准，请直接编辑该 KPR。",
    },
    "field.goal_other_cycle": {"en": "the goal belongs to another cycle", "zh-CN": "该目标属于其他周期"},
    "field.owner_required": {
        "en": "owner_id is required when the caller is not an employee",
        "zh-CN": "调用方不是员工时必须提供 owner_id",
    },
    "field.employee_inactive": {"en": "the employee is not active", "zh-CN": "该员工已停用"},
    "field.target_equals_baseline": {"en": "target must differ from baseline", "zh-CN": "目标值必须不同于基线值"},
    "field.outside_cycle": {
        "en": "must fall within the cycle ({start} to {end})",
        "zh-CN": "必须在周期之内（{start} 至 {end}）",
    },
    "field.in_future": {"en": "must not be in the future", "zh-CN": "不能晚于当前时间"},
    "field.not_revisable": {
        "en": "not a revisable field (edit it directly)",
        "zh-CN": "该字段不能通过修订变更（请直接编辑）",
    },
    "definition.TARGET_EQUALS_BASELINE": {
        "en": "target must differ from baseline (except for direction maintain)",
        "zh-CN": "目标值必须不同于基线值（方向为 maintain 时除外）",
    },
    "definition.DIRECTION_MISMATCH": {
        "en": "target must lie in the KPR's direction from the baseline",
        "zh-CN": "目标值必须位于基线值的 KPR 方向一侧",
    },
    "definition.THRESHOLD_ORDER": {
        "en": "threshold must come before the target in the KPR's direction",
        "zh-CN": "门槛值必须在 KPR 方向上先于目标值",
    },
    "definition.STRETCH_ORDER": {
        "en": "stretch must lie beyond the target in the KPR's direction",
        "zh-CN": "挑战值必须在 KPR 方向上超过目标值",
    },
    "definition.TOLERANCE_NEGATIVE": {"en": "tolerance must not be negative", "zh-CN": "容差不能为负数"},
    "action.approve or reject this plan (a manager in the owner's chain or an admin may)": {
        "en": "approve or reject this plan (a manager in the owner's chain or an admin may)",
        "zh-CN": "审批此计划（仅其汇报链上的经理或管理员可以）",
    },
    "action.submit this plan": {"en": "submit this plan", "zh-CN": "提交此计划"},
    "action.draft KPRs for this employee": {"en": "draft KPRs for this employee", "zh-CN": "为该员工起草 KPR"},
    "action.decide your own revision": {"en": "decide your own revision", "zh-CN": "审批自己的修订申请"},
    "action.decide this revision (a manager in the owner's chain or an admin may)": {
        "en": "decide this revision (a manager in the owner's chain or an admin may)",
        "zh-CN": "审批此修订（仅其汇报链上的经理或管理员可以）",
    },
    "action.change this": {"en": "change this", "zh-CN": "修改此内容"},
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
    # Actions named by Forbidden(action=…), keyed by their English text.
    "action.do this": {"en": "do this", "zh-CN": "执行此操作"},
    "action.manage organizations": {"en": "manage organizations", "zh-CN": "管理组织"},
    "action.create organizations": {"en": "create organizations", "zh-CN": "创建组织"},
    "action.change the organization": {"en": "change the organization", "zh-CN": "修改该组织"},
    "action.manage this organization's settings": {
        "en": "manage this organization's settings",
        "zh-CN": "管理本组织的设置",
    },
    "action.use organization resources with a system token": {
        "en": "use organization resources with a system token",
        "zh-CN": "使用系统令牌访问组织内的资源",
    },
    "action.use organization resources without an organization": {
        "en": "use organization resources without an organization",
        "zh-CN": "在不属于任何组织的情况下访问组织资源",
    },
    "action.manage departments": {"en": "manage departments", "zh-CN": "管理部门"},
    "action.manage employees": {"en": "manage employees", "zh-CN": "管理员工"},
    "action.manage API keys": {"en": "manage API keys", "zh-CN": "管理 API 密钥"},
    "action.manage cycles": {"en": "manage cycles", "zh-CN": "管理考核周期"},
    "action.change a cycle's state": {"en": "change a cycle's state", "zh-CN": "变更考核周期的状态"},
    "tree.department": {"en": "department tree", "zh-CN": "部门树"},
    "tree.manager": {"en": "management chain", "zh-CN": "汇报链"},
    "tree.goal": {"en": "goal tree", "zh-CN": "目标树"},
}


def register_messages(catalog: dict[str, dict[Locale, str]]) -> None:
    """Add a domain's own messages to the catalog; a key defined twice with other words is a bug, caught at import."""
    for key, texts in catalog.items():
        existing = MESSAGES.setdefault(key, texts)
        if existing != texts:
            raise ValueError(f"message {key!r} is defined twice with different texts")


def translate(key: str, locale: Locale | None = None, **params: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(locale or current_locale.get()) or entry["en"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
