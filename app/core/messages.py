"""Every user-facing message, in en and zh-CN: the one catalogue that ``app.core.i18n.translate`` reads.

Keys: a bare error code is a problem's title; ``detail.*`` a problem's detail; ``field.*`` the message of one field in
a problem's ``errors``; ``action.*`` what ``Forbidden(action=…)`` names, keyed by its English text; other prefixes
belong to one domain. Texts are ``str.format`` templates and both locales of a key carry the same placeholders.
Plain data, grouped by domain: nothing registers messages at import time.
"""

from typing import Literal

Locale = Literal["en", "zh-CN"]
LOCALES: tuple[Locale, ...] = ("en", "zh-CN")

MESSAGES: dict[str, dict[Locale, str]] = {
    # --- Problem titles, one per error code (the problem's `title`).
    "NOT_FOUND": {"en": "Not found", "zh-CN": "未找到"},
    "UNAUTHENTICATED": {"en": "Authentication required", "zh-CN": "需要身份认证"},
    "FORBIDDEN": {"en": "Forbidden", "zh-CN": "无权执行此操作"},
    "VALIDATION_FAILED": {"en": "Validation failed", "zh-CN": "校验失败"},
    "CONFLICT": {"en": "Conflict", "zh-CN": "冲突"},
    "INVALID_TRANSITION": {"en": "Invalid state transition", "zh-CN": "不允许的状态变更"},
    "PRECONDITION_FAILED": {"en": "Precondition failed", "zh-CN": "前置条件不满足"},
    "INVALID_CURSOR": {"en": "Invalid cursor", "zh-CN": "无效的分页游标"},
    "BAD_REQUEST": {"en": "Bad request", "zh-CN": "请求无效"},
    "PAYLOAD_TOO_LARGE": {"en": "Payload too large", "zh-CN": "请求体过大"},
    "METHOD_NOT_ALLOWED": {"en": "Method not allowed", "zh-CN": "不支持该请求方法"},
    "IDEMPOTENCY_KEY_REUSED": {"en": "Idempotency key reused", "zh-CN": "幂等键已被用于其他请求"},
    "IDEMPOTENCY_NOT_REPLAYABLE": {"en": "Response not replayable", "zh-CN": "响应无法重放"},
    "IDEMPOTENCY_IN_PROGRESS": {"en": "Request in progress", "zh-CN": "相同请求正在处理中"},
    "INTERNAL_ERROR": {"en": "Internal server error", "zh-CN": "服务器内部错误"},
    "SERVICE_UNAVAILABLE": {"en": "Service unavailable", "zh-CN": "服务暂不可用"},
    "RATE_LIMITED": {"en": "Too many requests", "zh-CN": "请求过于频繁"},
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
    "GOAL_IN_USE": {"en": "Goal in use", "zh-CN": "目标仍在使用中"},
    "CYCLE_NOT_CLOSED": {"en": "Cycle not closed", "zh-CN": "周期尚未关闭"},
    "FEEDBACK_ALREADY_REQUESTED": {"en": "Feedback already requested", "zh-CN": "已向该评价人请求反馈"},
    "APPEAL_WINDOW_CLOSED": {"en": "Appeal window closed", "zh-CN": "申诉期已过"},
    "problem.meaning.CYCLE_NOT_CLOSED": {
        "en": "This needs a closed cycle (its final ratings settled); the cycle is still open.",
        "zh-CN": "此操作需要周期已关闭（最终评级已确定），而该周期仍未关闭。",
    },
    "problem.remedy.CYCLE_NOT_CLOSED": {
        "en": "Close the cycle first (POST /cycles/{id}/transitions with to=closed), then try again.",
        "zh-CN": "请先关闭周期（POST /cycles/{id}/transitions，to=closed），然后重试。",
    },
    "problem.meaning.FEEDBACK_ALREADY_REQUESTED": {
        "en": "A reviewer named in the request already has a live (requested or submitted) feedback request on this "
        "evaluation.",
        "zh-CN": "请求中的某位评价人在此评估上已有进行中（已请求或已提交）的反馈请求。",
    },
    "problem.remedy.FEEDBACK_ALREADY_REQUESTED": {
        "en": "Leave that reviewer out (see `reviewer_ids`), or cancel their request first if it should be asked anew.",
        "zh-CN": "请去掉该评价人（见 `reviewer_ids`），或在需要重新请求时先取消其原请求。",
    },
    "problem.meaning.APPEAL_WINDOW_CLOSED": {
        "en": "An evaluation can be appealed only within the policy's `appeal_days` days of its finalization.",
        "zh-CN": "评估只能在定稿后的 `appeal_days`（策略设置）天内申诉。",
    },
    "problem.remedy.APPEAL_WINDOW_CLOSED": {
        "en": "The window has passed; talk to HR, who can reopen the evaluation if the result must change.",
        "zh-CN": "申诉期已过；如需更改结果，请联系 HR，由其重新打开评估。",
    },
    "IMPORT_INVALID": {"en": "Import file not valid", "zh-CN": "导入文件有误"},
    "UNSUPPORTED_MEDIA_TYPE": {"en": "Unsupported media type", "zh-CN": "不支持的内容类型"},
    # --- What each error code means and what the client should do (app.core.problems, docs/errors.md).
    "problem.meaning.RATE_LIMITED": {
        "en": "A rate limit is used up: the caller's, its organization's, or (without valid credentials) its "
        "address's. Reads, writes and bulk operations are counted separately.",
        "zh-CN": "已用完某项速率限制：调用方的、其组织的，或（无有效凭证时）其地址的。读取、写入和批量操作分别计数。",
    },
    "problem.remedy.RATE_LIMITED": {
        "en": "Wait the seconds Retry-After gives, then retry; RateLimit and RateLimit-Policy say what is left of each "
        "quota. Spread bulk work out, or ask an administrator for a higher limit.",
        "zh-CN": "等待 Retry-After 给出的秒数后重试；RateLimit 与 RateLimit-Policy 说明各项配额的剩余。"
        "分散批量操作，或请管理员提高限额。",
    },
    "problem.meaning.BAD_REQUEST": {
        "en": "The request is malformed in a way no other code names (for example an Idempotency-Key header longer "
        "than 255 characters).",
        "zh-CN": "请求格式有误，且不属于其他任何错误码（例如 Idempotency-Key 请求头超过 255 个字符）。",
    },
    "problem.remedy.BAD_REQUEST": {
        "en": "Read `detail`, correct the request and send it again; sent unchanged it fails the same way.",
        "zh-CN": "阅读 `detail`，修正请求后重新发送；原样重发会以同样方式失败。",
    },
    "problem.meaning.INVALID_CURSOR": {
        "en": "The `cursor` query parameter was not issued by this service for this list, or it was altered.",
        "zh-CN": "查询参数 `cursor` 不是本服务为该列表签发的，或已被改动。",
    },
    "problem.remedy.INVALID_CURSOR": {
        "en": "Start the list again without `cursor`, then pass each `next_cursor` back exactly as received.",
        "zh-CN": "不带 `cursor` 重新读取列表，之后将每次返回的 `next_cursor` 原样传回。",
    },
    "problem.meaning.UNAUTHENTICATED": {
        "en": "No credentials were sent, or the bearer token or API key is invalid or expired, names an unknown "
        "organization, or matches no active employee.",
        "zh-CN": "未提供凭据，或 Bearer 令牌 / API 密钥无效、已过期、指向不存在的组织，或不对应任何在职员工。",
    },
    "problem.remedy.UNAUTHENTICATED": {
        "en": "Send a valid token as `Authorization: Bearer <JWT>` or a valid `X-API-Key`; when a token has expired, "
        "get a new one. `detail` names the reason.",
        "zh-CN": "通过 `Authorization: Bearer <JWT>` 发送有效令牌，或发送有效的 `X-API-Key`；令牌过期时请重新获取。原"
        "因见 `detail`。",
    },
    "problem.meaning.FORBIDDEN": {
        "en": "The caller is known and may see the resource, but their role or place in the org chart does not allow "
        "this action.",
        "zh-CN": "调用者身份已确认且可以查看该资源，但其角色或在组织架构中的位置不允许执行此操作。",
    },
    "problem.remedy.FORBIDDEN": {
        "en": "Do not retry: have someone with the right do it (an HR admin, the employee's manager, the department "
        "head), or ask for that right.",
        "zh-CN": "不要重试：请有权限的人（HR 管理员、该员工的上级、部门负责人）执行，或申请相应权限。",
    },
    "problem.meaning.NOT_FOUND": {
        "en": "There is no such resource or route, or the caller may not see it: what a caller may not see answers "
        "exactly as if it did not exist.",
        "zh-CN": "不存在该资源或路径，或调用者无权查看：无权查看的内容与不存在时的响应完全相同。",
    },
    "problem.remedy.NOT_FOUND": {
        "en": "Check the path and the id; an id from another organization, or of data you may not see, answers 404 "
        "too.",
        "zh-CN": "检查路径和 id；其他组织的 id，或您无权查看的数据的 id，同样返回 404。",
    },
    "problem.meaning.METHOD_NOT_ALLOWED": {
        "en": "The path exists but does not take this HTTP method.",
        "zh-CN": "该路径存在，但不支持此 HTTP 方法。",
    },
    "problem.remedy.METHOD_NOT_ALLOWED": {
        "en": "Use one of the methods named in the `Allow` response header.",
        "zh-CN": "改用响应头 `Allow` 中列出的方法之一。",
    },
    "problem.meaning.CONFLICT": {
        "en": "The change conflicts with data already stored (a uniqueness or reference rule of the database).",
        "zh-CN": "该变更与已存储的数据冲突（违反数据库的唯一性或引用约束）。",
    },
    "problem.remedy.CONFLICT": {
        "en": "Read the current data again and adjust the change; sent unchanged it fails again.",
        "zh-CN": "重新读取当前数据并调整变更内容；原样重发仍会失败。",
    },
    "problem.meaning.INVALID_TRANSITION": {
        "en": "The requested state change is not allowed from the resource's current state.",
        "zh-CN": "从资源的当前状态不允许变更为所请求的状态。",
    },
    "problem.remedy.INVALID_TRANSITION": {
        "en": "Pick one of the states listed in `allowed`; `current` is the state the resource is in now.",
        "zh-CN": "从 `allowed` 列出的状态中选择目标；`current` 为资源当前所处的状态。",
    },
    "problem.meaning.DUPLICATE": {
        "en": "A value that must be unique in the organization (a department's code, an employee's external_id) is "
        "already in use.",
        "zh-CN": "在组织内必须唯一的值（部门编码、员工的 external_id）已被使用。",
    },
    "problem.remedy.DUPLICATE": {
        "en": "Choose another value, or update the existing record instead of creating a new one.",
        "zh-CN": "改用其他值，或更新已有记录而不是新建。",
    },
    "problem.meaning.WOULD_CREATE_LOOP": {
        "en": "The new parent or manager would make the department tree, the goal tree or the management chain loop "
        "back on itself.",
        "zh-CN": "新的上级或主管会使部门树、目标树或汇报链形成循环。",
    },
    "problem.remedy.WOULD_CREATE_LOOP": {
        "en": "Choose a parent or manager that is not below this record.",
        "zh-CN": "选择一个不在该记录下级中的上级或主管。",
    },
    "problem.meaning.DEPARTMENT_NOT_EMPTY": {
        "en": "A department that still has sub-departments or employees cannot be deleted.",
        "zh-CN": "仍有下级部门或员工的部门不能删除。",
    },
    "problem.remedy.DEPARTMENT_NOT_EMPTY": {
        "en": "Move or delete its sub-departments and employees first, then delete it.",
        "zh-CN": "先移走或删除其下级部门和员工，再删除该部门。",
    },
    "problem.meaning.GOAL_IN_USE": {
        "en": "A goal that still has child goals or aligned KPRs cannot be deleted.",
        "zh-CN": "仍有子目标或对齐 KPR 的目标不能删除。",
    },
    "problem.remedy.GOAL_IN_USE": {
        "en": "Move or delete its child goals and realign or delete its KPRs first.",
        "zh-CN": "先移走或删除其子目标，并将其 KPR 重新对齐或删除。",
    },
    "problem.meaning.CYCLE_NOT_OPEN": {
        "en": "The cycle is not planning or active (or it is closed), so the plans, KPRs and check-ins in it cannot "
        "change.",
        "zh-CN": "周期不处于计划中或进行中（或已关闭），其中的计划、KPR 和打卡不能修改。",
    },
    "problem.remedy.CYCLE_NOT_OPEN": {
        "en": "Work in an open cycle, or have an HR admin move this cycle back to a state that allows the change.",
        "zh-CN": "在开放的周期中操作，或请 HR 管理员将该周期变更回允许修改的状态。",
    },
    "problem.meaning.CYCLE_CLOSED": {
        "en": "A closed cycle cannot be changed.",
        "zh-CN": "已关闭的周期不能修改。",
    },
    "problem.remedy.CYCLE_CLOSED": {
        "en": "Have an HR admin reopen the cycle (transition to calibration) first.",
        "zh-CN": "请 HR 管理员先重新开启该周期（变更为校准阶段）。",
    },
    "problem.meaning.CYCLE_BLOCKED": {
        "en": "The cycle cannot be closed while some of its evaluations are still in self or manager review.",
        "zh-CN": "周期中仍有处于自评或上级评估阶段的评估，无法关闭。",
    },
    "problem.remedy.CYCLE_BLOCKED": {
        "en": "Finish the evaluations listed in `blockers` (`blocker_count` counts them all) and move them to "
        "calibration, then close the cycle again.",
        "zh-CN": "完成 `blockers` 中列出的评估（总数见 `blocker_count`）并将其推进到校准阶段，然后再次关闭周期。",
    },
    "problem.meaning.PLAN_LOCKED": {
        "en": "The plan is submitted or approved, so KPRs cannot be added to it, changed or removed.",
        "zh-CN": "计划已提交或已批准，不能再添加、修改或删除其中的 KPR。",
    },
    "problem.remedy.PLAN_LOCKED": {
        "en": "Have the manager reject the plan back to draft; for an approved plan, change a KPR's definition "
        "through a revision.",
        "zh-CN": "请上级将计划驳回为草稿；已批准的计划请通过修订来修改 KPR 的定义。",
    },
    "problem.meaning.DEFINITION_LOCKED": {
        "en": "The KPR belongs to an approved plan: its measurable definition (baseline, target, threshold, stretch, "
        "weight, goal) changes only through an approved revision, and it cannot be deleted.",
        "zh-CN": "该 KPR 属于已批准的计划：其可衡量定义（基线、目标值、门槛值、挑战值、权重、对齐目标）只能通过已批准"
        "的修订来修改，且不能删除。",
    },
    "problem.remedy.DEFINITION_LOCKED": {
        "en": "Request the change with `POST /api/v1/kprs/{{kpr_id}}/revisions` and have a manager approve it.",
        "zh-CN": "通过 `POST /api/v1/kprs/{{kpr_id}}/revisions` 提交修订，并由上级批准。",
    },
    "problem.meaning.REVISION_NOT_NEEDED": {
        "en": "The revision would change nothing: every value it asks for is already the KPR's.",
        "zh-CN": "该修订不会带来任何变化：所请求的每个值都与 KPR 当前的值相同。",
    },
    "problem.remedy.REVISION_NOT_NEEDED": {
        "en": "Send only the fields whose values actually change.",
        "zh-CN": "只发送值确实发生变化的字段。",
    },
    "problem.meaning.EVALUATION_LOCKED": {
        "en": "The evaluation is finalized or acknowledged, and therefore frozen.",
        "zh-CN": "评估已定稿或已确认，因此已冻结。",
    },
    "problem.remedy.EVALUATION_LOCKED": {
        "en": "Have an HR admin reopen it (transition to calibration) before changing it.",
        "zh-CN": "修改前请 HR 管理员将其重新开启（变更为校准阶段）。",
    },
    "problem.meaning.INVALID_STATE": {
        "en": "The evaluation is not in the state this write needs (for example a self-review while it is in manager "
        "review).",
        "zh-CN": "评估不处于此写操作所需的状态（例如在上级评估阶段提交自评）。",
    },
    "problem.remedy.INVALID_STATE": {
        "en": "Compare `evaluation_status` with `expected_status`, and write when the evaluation reaches that stage.",
        "zh-CN": "对比 `evaluation_status` 与 `expected_status`，待评估进入该阶段后再写入。",
    },
    "problem.meaning.CYCLE_NOT_IN_CALIBRATION": {
        "en": "Calibrating or finalizing an evaluation needs its cycle to be in calibration.",
        "zh-CN": "校准或定稿评估要求其所属周期处于校准阶段。",
    },
    "problem.remedy.CYCLE_NOT_IN_CALIBRATION": {
        "en": "Have an HR admin move the cycle to calibration first (`cycle_status` is where it stands).",
        "zh-CN": "请 HR 管理员先将周期变更为校准阶段（当前状态见 `cycle_status`）。",
    },
    "problem.meaning.REVIEW_INCOMPLETE": {
        "en": "A review that the cycle's policy weighs is missing, so the evaluation cannot move on.",
        "zh-CN": "周期政策中计入权重的某项评估尚未填写，评估无法推进。",
    },
    "problem.remedy.REVIEW_INCOMPLETE": {
        "en": "Submit the missing review named in `component` first, or give it weight 0 in the cycle's policy.",
        "zh-CN": "先提交 `component` 所指的缺失评估，或在周期政策中将其权重设为 0。",
    },
    "problem.meaning.IDEMPOTENCY_NOT_REPLAYABLE": {
        "en": "The first request with this Idempotency-Key succeeded, but its response carried a secret that is shown "
        "only once and is not kept.",
        "zh-CN": "使用该 Idempotency-Key 的首次请求已成功，但其响应包含仅显示一次的密钥，不会被保存。",
    },
    "problem.remedy.IDEMPOTENCY_NOT_REPLAYABLE": {
        "en": "Do not retry with this key: the resource was created. Find it in its list, or revoke it and create "
        "another with a new key.",
        "zh-CN": "不要用该键重试：资源已创建。请在列表中找到它，或撤销后用新的键重新创建。",
    },
    "problem.meaning.IDEMPOTENCY_IN_PROGRESS": {
        "en": "A request with this Idempotency-Key is still being processed.",
        "zh-CN": "使用该 Idempotency-Key 的请求仍在处理中。",
    },
    "problem.remedy.IDEMPOTENCY_IN_PROGRESS": {
        "en": "Retry the same request with the same key shortly; it then replays the first response.",
        "zh-CN": "稍后用相同的键重试同一请求，届时将重放首次响应。",
    },
    "problem.meaning.PRECONDITION_FAILED": {
        "en": "The If-Match header does not match the resource's current ETag: it changed since you read it.",
        "zh-CN": "If-Match 请求头与资源当前的 ETag 不匹配：资源在您读取后已被修改。",
    },
    "problem.remedy.PRECONDITION_FAILED": {
        "en": "GET the resource again, apply your change to the fresh copy and send it with the new ETag in If-Match.",
        "zh-CN": "重新 GET 该资源，在最新数据上重新修改，并在 If-Match 中带上新的 ETag 发送。",
    },
    "problem.meaning.PAYLOAD_TOO_LARGE": {
        "en": "The request body is larger than 1 MiB (10 MiB for file imports).",
        "zh-CN": "请求体超过 1 MiB（文件导入为 10 MiB）。",
    },
    "problem.remedy.PAYLOAD_TOO_LARGE": {
        "en": "Send a smaller body; split bulk work into several requests.",
        "zh-CN": "缩小请求体；将批量操作拆分为多个请求。",
    },
    "problem.meaning.VALIDATION_FAILED": {
        "en": "The body, the path or the query parameters are not valid.",
        "zh-CN": "请求体、路径或查询参数无效。",
    },
    "problem.remedy.VALIDATION_FAILED": {
        "en": "Fix each entry of `errors` (`loc` says where, `msg` what is wrong) and send the request again.",
        "zh-CN": "逐条修正 `errors` 中的问题（`loc` 指出位置，`msg` 说明原因）后重新发送。",
    },
    "problem.meaning.WEIGHTS_MUST_TOTAL_100": {
        "en": "A plan is submitted only when the weights of its active KPRs total exactly 100.",
        "zh-CN": "只有当计划中有效 KPR 的权重合计恰好为 100 时才能提交。",
    },
    "problem.remedy.WEIGHTS_MUST_TOTAL_100": {
        "en": "Adjust the KPRs' weights (`weight_total` is their sum now) and submit again.",
        "zh-CN": "调整各 KPR 的权重（当前合计见 `weight_total`）后重新提交。",
    },
    "problem.meaning.SMART_CHECK_FAILED": {
        "en": "A plan is submitted only when none of its KPRs fails a SMART criterion.",
        "zh-CN": "只有当计划中没有任何 KPR 的 SMART 检查项不通过时才能提交。",
    },
    "problem.remedy.SMART_CHECK_FAILED": {
        "en": "Fix the KPRs listed in `kprs` (their failing criteria and messages are in `errors`) and submit again.",
        "zh-CN": "修正 `kprs` 中列出的 KPR（未通过的检查项及说明见 `errors`）后重新提交。",
    },
    "problem.meaning.IDEMPOTENCY_KEY_REUSED": {
        "en": "This Idempotency-Key was already used with a different request.",
        "zh-CN": "该 Idempotency-Key 已用于不同的请求。",
    },
    "problem.remedy.IDEMPOTENCY_KEY_REUSED": {
        "en": "Use a new key for a new request; reuse a key only to retry the very same request.",
        "zh-CN": "新请求请使用新的键；只有重试完全相同的请求时才复用键。",
    },
    "problem.meaning.INTERNAL_ERROR": {
        "en": "An unexpected error occurred in the service; nothing about it is exposed.",
        "zh-CN": "服务内部发生意外错误，具体信息不会对外暴露。",
    },
    "problem.remedy.INTERNAL_ERROR": {
        "en": "Retry later; if it persists, give the operators the `request_id`.",
        "zh-CN": "稍后重试；若问题持续，请将 `request_id` 提供给运维人员。",
    },
    "problem.meaning.SERVICE_UNAVAILABLE": {
        "en": "The database is unreachable or overloaded at the moment.",
        "zh-CN": "数据库暂时不可达或负载过高。",
    },
    "problem.remedy.SERVICE_UNAVAILABLE": {
        "en": "Retry after the seconds in `Retry-After`; a POST is safe to retry with the same Idempotency-Key.",
        "zh-CN": "在 `Retry-After` 指定的秒数后重试；POST 请求带上相同的 Idempotency-Key 即可安全重试。",
    },
    "problem.meaning.IMPORT_INVALID": {
        "en": "An imported CSV or XLSX file has problems: a row's value, a reference, a duplicate key, a loop in the "
        "tree, or the file itself. The import is all or nothing, so nothing of the file was written.",
        "zh-CN": "导入的 CSV 或 XLSX 文件有问题：某行的取值、引用、重复的键、树中的循环，或文件本身。"
        "导入要么全部成功要么全部不做，因此文件中的任何数据都未写入。",
    },
    "problem.remedy.IMPORT_INVALID": {
        "en": "Fix each entry of `errors` in the sheet (`row` is the row number Excel shows, the header being row 1; "
        "`field` the column) and send the whole file again; `?dry_run=true` checks it without writing.",
        "zh-CN": "按 `errors` 逐条修改表格（`row` 为 Excel 中显示的行号，表头为第 1 行；`field` 为列名）"
        "后重新发送整个文件；`?dry_run=true` 只检查不写入。",
    },
    "problem.meaning.UNSUPPORTED_MEDIA_TYPE": {
        "en": "The body's Content-Type is not one this operation reads.",
        "zh-CN": "请求体的 Content-Type 不是此操作可读取的类型。",
    },
    "problem.remedy.UNSUPPORTED_MEDIA_TYPE": {
        "en": "Send the body in a type the operation documents (for imports: text/csv, XLSX, or multipart/form-data "
        "with a `file` field).",
        "zh-CN": "以该操作文档所列的类型发送请求体（导入：text/csv、XLSX，或带 `file` 字段的 multipart/form-data）。",
    },
    # --- The pages of the error-code catalogue (GET /problems, GET /problems/{code}, docs/errors.md).
    "problems.index_title": {"en": "Error codes", "zh-CN": "错误码"},
    "problems.shape": {
        "en": "Every error is answered as RFC 9457 `application/problem+json` with a stable `code`; its `type` is a "
        "link to the code's page (`/problems/{{code}}`), in English or Chinese by `Accept-Language`.",
        "zh-CN": "所有错误均以 RFC 9457 `application/problem+json` 返回，并带有稳定的 `code`；其 `type` 链接到该错误码"
        "的说明页（`/problems/{{code}}`），按 `Accept-Language` 显示中文或英文。",
    },
    "problems.code": {"en": "Code", "zh-CN": "错误码"},
    "problems.status": {"en": "Status", "zh-CN": "状态码"},
    "problems.title": {"en": "Title", "zh-CN": "标题"},
    "problems.meaning": {"en": "What it means", "zh-CN": "含义"},
    "problems.remedy": {"en": "What to do", "zh-CN": "处理方法"},
    # --- Requests, authentication and access: problem details shared by every domain.
    "detail.not_found": {"en": "{resource} {id} was not found.", "zh-CN": "未找到{resource} {id}。"},
    "detail.route_not_found": {"en": "No such route.", "zh-CN": "不存在该路径。"},
    "detail.unauthenticated": {
        "en": "A valid bearer token or API key is required.",
        "zh-CN": "需要有效的 Bearer 令牌或 API 密钥。",
    },
    "detail.token_expired": {"en": "The token has expired.", "zh-CN": "令牌已过期。"},
    "detail.token_invalid": {"en": "The token is invalid: {reason}.", "zh-CN": "令牌无效：{reason}。"},
    "detail.api_key_invalid": {"en": "The API key is invalid.", "zh-CN": "API 密钥无效。"},
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
    "detail.rate_limited": {
        "en": "Too many requests under the '{policy}' rate limit; retry in {seconds} s.",
        "zh-CN": "已超出限流策略“{policy}”的配额，请在 {seconds} 秒后重试。",
    },
    "detail.validation": {"en": "The request is not valid; see errors.", "zh-CN": "请求内容无效，详见 errors。"},
    "validation.nul": {
        "en": "Text may not contain the NUL character (\\u0000).",
        "zh-CN": "文本不能包含空字符（\\u0000）。",
    },
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
    "detail.busy": {
        "en": "The service is busy: every request slot stayed taken for {seconds} s. Retry shortly.",
        "zh-CN": "服务繁忙：请求名额已持续占满 {seconds} 秒，请稍后重试。",
    },
    "detail.bad_request": {"en": "{reason}", "zh-CN": "{reason}"},
    "detail.loop": {"en": "This change would make a loop in the {tree}.", "zh-CN": "该变更会在{tree}中形成循环。"},
    "tree.department": {"en": "department tree", "zh-CN": "部门树"},
    "tree.manager": {"en": "management chain", "zh-CN": "汇报链"},
    "tree.goal": {"en": "goal tree", "zh-CN": "目标树"},
    # --- Resources named by NotFound(resource, id).
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
    "resource.problem_type": {"en": "Error code", "zh-CN": "错误码"},
    # --- Actions named by Forbidden(action=…), keyed by their English text (each domain's own are below).
    "action.do this": {"en": "do this", "zh-CN": "执行此操作"},
    "action.change this": {"en": "change this", "zh-CN": "修改此内容"},
    "action.use organization resources with a system token": {
        "en": "use organization resources with a system token",
        "zh-CN": "使用系统令牌访问组织内的资源",
    },
    "action.use organization resources without an organization": {
        "en": "use organization resources without an organization",
        "zh-CN": "在不属于任何组织的情况下访问组织资源",
    },
    # --- Organizations, departments, employees, API keys.
    "action.manage organizations": {"en": "manage organizations", "zh-CN": "管理组织"},
    "action.create organizations": {"en": "create organizations", "zh-CN": "创建组织"},
    "action.change the organization": {"en": "change the organization", "zh-CN": "修改该组织"},
    "action.manage this organization's settings": {
        "en": "manage this organization's settings",
        "zh-CN": "管理本组织的设置",
    },
    "action.manage departments": {"en": "manage departments", "zh-CN": "管理部门"},
    "detail.department_not_empty": {
        "en": "The department still has sub-departments or employees; move them first.",
        "zh-CN": "该部门仍有下级部门或员工，请先将其移出。",
    },
    "action.manage employees": {"en": "manage employees", "zh-CN": "管理员工"},
    "action.manage API keys": {"en": "manage API keys", "zh-CN": "管理 API 密钥"},
    # --- Audit trail.
    "action.read the audit trail": {"en": "read the audit trail", "zh-CN": "查看审计记录"},
    # --- Cycles.
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
    "action.manage cycles": {"en": "manage cycles", "zh-CN": "管理考核周期"},
    "action.change a cycle's state": {"en": "change a cycle's state", "zh-CN": "变更考核周期的状态"},
    # --- Goals.
    "detail.goal_in_use": {
        "en": "The goal still has {children} child goal(s) and {kprs} aligned KPR(s); move or delete them first.",
        "zh-CN": "该目标仍有 {children} 个子目标和 {kprs} 个对齐的 KPR，请先将其移走或删除。",
    },
    "goal.level_order": {
        "en": "A {level} goal cannot hang under a {parent_level} goal (company > department > team).",
        "zh-CN": "{level}级目标不能挂在{parent_level}级目标之下（公司 > 部门 > 团队）。",
    },
    "goal.child_level_order": {
        "en": "A {level} goal cannot carry its {child_level} child goals (company > department > team).",
        "zh-CN": "{level}级目标不能包含{child_level}级的子目标（公司 > 部门 > 团队）。",
    },
    "goal.department_required": {
        "en": "A {level} goal needs a department.",
        "zh-CN": "{level}级目标必须指定部门。",
    },
    "goal.department_forbidden": {
        "en": "A company goal has no department.",
        "zh-CN": "公司级目标不能指定部门。",
    },
    "goal.parent_cycle": {
        "en": "The parent goal belongs to another cycle; a parent must be long-term or of the same cycle.",
        "zh-CN": "父目标属于其他周期；父目标必须是长期目标或属于同一周期。",
    },
    "goal.long_term_under_cycle": {
        "en": "A long-term goal cannot hang under a goal of a cycle.",
        "zh-CN": "长期目标不能挂在某个周期的目标之下。",
    },
    "goal.children_cycle": {
        "en": "Some child goals belong to another cycle; only a long-term goal carries goals of several cycles.",
        "zh-CN": "部分子目标属于其他周期；只有长期目标可以包含多个周期的目标。",
    },
    "goal.kprs_cycle": {
        "en": "KPRs of another cycle are aligned to this goal; only a long-term goal carries KPRs of several cycles.",
        "zh-CN": "该目标已对齐其他周期的 KPR；只有长期目标可以对齐多个周期的 KPR。",
    },
    "action.write company goals": {"en": "write company goals", "zh-CN": "编辑公司级目标"},
    "action.write the goals of a department you do not head": {
        "en": "write the goals of a department you do not head",
        "zh-CN": "编辑非您负责部门的目标",
    },
    "level.company": {"en": "company", "zh-CN": "公司"},
    "level.department": {"en": "department", "zh-CN": "部门"},
    "level.team": {"en": "team", "zh-CN": "团队"},
    # --- Plans.
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
    "action.approve or reject this plan (a manager in the owner's chain or an admin may)": {
        "en": "approve or reject this plan (a manager in the owner's chain or an admin may)",
        "zh-CN": "审批此计划（仅其汇报链上的经理或管理员可以）",
    },
    "action.submit this plan": {"en": "submit this plan", "zh-CN": "提交此计划"},
    # --- KPRs, and the scoring engine's definition codes (engine.definition_errors) they are checked with.
    "detail.definition_locked": {
        "en": "The plan is approved: {fields} change only through a revision (POST /kprs/{{id}}/revisions).",
        "zh-CN": "计划已批准：{fields} 只能通过修订申请变更（POST /kprs/{{id}}/revisions）。",
    },
    "detail.delete_locked": {
        "en": "The plan is approved: cancel the KPR through a revision instead of deleting it.",
        "zh-CN": "计划已批准：请通过修订申请取消该 KPR，而不是删除。",
    },
    "field.goal_other_cycle": {"en": "the goal belongs to another cycle", "zh-CN": "该目标属于其他周期"},
    "field.owner_required": {
        "en": "owner_id is required when the caller is not an employee",
        "zh-CN": "调用方不是员工时必须提供 owner_id",
    },
    "field.employee_inactive": {"en": "the employee is not active", "zh-CN": "该员工已停用"},
    "action.draft KPRs for this employee": {"en": "draft KPRs for this employee", "zh-CN": "为该员工起草 KPR"},
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
    # --- Revisions.
    "detail.revision_not_needed": {
        "en": "The plan is not approved yet: edit the KPR directly.",
        "zh-CN": "计划尚未批准，请直接编辑该 KPR。",
    },
    "field.not_revisable": {
        "en": "not a revisable field (edit it directly)",
        "zh-CN": "该字段不能通过修订变更（请直接编辑）",
    },
    "action.decide your own revision": {"en": "decide your own revision", "zh-CN": "审批自己的修订申请"},
    "action.decide this revision (a manager in the owner's chain or an admin may)": {
        "en": "decide this revision (a manager in the owner's chain or an admin may)",
        "zh-CN": "审批此修订（仅其汇报链上的经理或管理员可以）",
    },
    # --- KPIs and check-ins.
    "field.target_equals_baseline": {"en": "target must differ from baseline", "zh-CN": "目标值必须不同于基线值"},
    "field.outside_cycle": {
        "en": "must fall within the cycle ({start} to {end})",
        "zh-CN": "必须在周期之内（{start} 至 {end}）",
    },
    "field.in_future": {"en": "must not be in the future", "zh-CN": "不能晚于当前时间"},
    # --- KPR templates.
    "detail.plans_locked": {
        "en": "These employees' plans for the cycle are already submitted or approved: {employees}.",
        "zh-CN": "以下员工本周期的计划已提交或已批准：{employees}。",
    },
    "detail.employees_not_found": {
        "en": "These employees were not found: {ids}.",
        "zh-CN": "未找到以下员工：{ids}。",
    },
    "detail.outside_chain": {
        "en": "You may only set KPRs for employees in your reporting chain; these are not: {ids}.",
        "zh-CN": "您只能为汇报线内的员工设定 KPR；以下员工不在其中：{ids}。",
    },
    "action.apply KPR templates": {"en": "apply KPR templates", "zh-CN": "应用 KPR 模板"},
    "template.employee_inactive": {"en": "Employee {id} is inactive.", "zh-CN": "员工 {id} 已停用。"},
    "template.goal_cycle": {
        "en": "The goal belongs to another cycle; choose a goal of this cycle or a long-term goal.",
        "zh-CN": "该目标属于其他周期；请选择本周期的目标或长期目标。",
    },
    "template.due_date": {
        "en": "The due date must fall inside the cycle ({start} to {end}).",
        "zh-CN": "截止日期必须在周期内（{start} 至 {end}）。",
    },
    "template.DIRECTION_MISMATCH": {
        "en": "The target does not lie in the template's direction ({direction}) from the baseline.",
        "zh-CN": "目标值相对基线值的方向与模板方向（{direction}）不一致。",
    },
    # --- Evaluations.
    "rollover.target_not_planning": {
        "en": "Goals and KPRs are rolled over into a cycle in planning; this one is {status}.",
        "zh-CN": "只能将目标和 KPR 结转到“规划中”的周期；该周期当前为“{status}”。",
    },
    "rollover.same_cycle": {
        "en": "A cycle cannot be rolled over into itself: name the previous cycle.",
        "zh-CN": "不能将周期结转到其自身：请指定上一个周期。",
    },
    "evaluation.comment_required": {
        "en": "A comment is required to move this evaluation to {to}: say why.",
        "zh-CN": "将此评估变更为“{to}”时必须填写说明理由的 comment。",
    },
    "evaluation.appeal_window_closed": {
        "en": "The appeal window of {days} days after finalization closed on {closed_at}.",
        "zh-CN": "定稿后 {days} 天的申诉期已于 {closed_at} 结束。",
    },
    "evaluation.locked": {
        "en": "Evaluation {id} is {status} and frozen; an admin must reopen it before it can change.",
        "zh-CN": "评估 {id} 已处于“{status}”状态并已冻结；须由管理员重新打开后才能修改。",
    },
    "evaluation.wrong_status": {
        "en": "This can only be done while the evaluation is in '{expected}'; it is in '{status}'.",
        "zh-CN": "仅当评估处于“{expected}”状态时才能执行此操作；当前状态为“{status}”。",
    },
    "evaluation.cycle_not_in_calibration": {
        "en": "This can only be done while the cycle is in 'calibration'; it is in '{status}'.",
        "zh-CN": "仅当周期处于“calibration”（校准）状态时才能执行此操作；当前状态为“{status}”。",
    },
    "evaluation.cycle_blocked": {
        "en": "The cycle cannot close: {total} evaluation(s) are still in self or manager review.",
        "zh-CN": "周期无法关闭：仍有 {total} 份评估处于自评或上级评估阶段。",
    },
    "evaluation.review_incomplete": {
        "en": "The {component} score is required before moving on, because it weighs {weight}% in the final score.",
        "zh-CN": "进入下一步前需要填写{component}评分，因为它在最终得分中占 {weight}%。",
    },
    "evaluation.component.self": {"en": "self-review", "zh-CN": "自评"},
    "evaluation.component.manager": {"en": "manager", "zh-CN": "上级"},
    "evaluation.unknown_rating": {
        "en": "'{rating}' is not a rating of this cycle's policy; use one of: {ratings}.",
        "zh-CN": "“{rating}”不是本周期评分政策中的等级；可选：{ratings}。",
    },
    "evaluation.score_above_cap": {
        "en": "The score may not exceed the policy's cap of {cap}.",
        "zh-CN": "评分不能超过评分政策的上限 {cap}。",
    },
    "evaluation.kpr_not_in_plan": {
        "en": "KPR {kpr_id} is not an active KPR of this evaluation's plan.",
        "zh-CN": "KPR {kpr_id} 不是该评估所属计划中的有效 KPR。",
    },
    "evaluation.duplicate_kpr": {"en": "KPR {kpr_id} is listed more than once.", "zh-CN": "KPR {kpr_id} 重复出现。"},
    "action.write this self-review": {"en": "write this self-review", "zh-CN": "填写该自评"},
    "action.write this manager review": {"en": "write this manager review", "zh-CN": "填写该上级评估"},
    "action.calibrate evaluations": {"en": "calibrate evaluations", "zh-CN": "校准评估"},
    "action.move this evaluation to '{target}'": {
        "en": "move this evaluation to '{target}'",
        "zh-CN": "将该评估变更为“{target}”",
    },
    "action.read the calibration report": {"en": "read the calibration report", "zh-CN": "查看校准报告"},
    "action.export the cycle's evaluations": {"en": "export the cycle's evaluations", "zh-CN": "导出该周期的评估"},
    "evaluation.violation.max": {
        "en": "{rating}: {share}% is above the guideline's maximum of {limit}%.",
        "zh-CN": "{rating}：占比 {share}% 超过指导上限 {limit}%。",
    },
    "evaluation.violation.min": {
        "en": "{rating}: {share}% is below the guideline's minimum of {limit}%.",
        "zh-CN": "{rating}：占比 {share}% 低于指导下限 {limit}%。",
    },
    # Column headers of the evaluation export (app/evaluations/reports.py EXPORT_COLUMNS).
    "evaluation.export.employee_id": {"en": "Employee ID", "zh-CN": "工号"},
    "evaluation.export.name": {"en": "Name", "zh-CN": "姓名"},
    "evaluation.export.department": {"en": "Department", "zh-CN": "部门"},
    "evaluation.export.manager": {"en": "Manager", "zh-CN": "上级"},
    "evaluation.export.status": {"en": "Status", "zh-CN": "状态"},
    "evaluation.export.results_score": {"en": "Results score", "zh-CN": "业绩得分"},
    "evaluation.export.self_score": {"en": "Self score", "zh-CN": "自评分"},
    "evaluation.export.manager_score": {"en": "Manager score", "zh-CN": "上级评分"},
    "evaluation.export.final_score": {"en": "Final score", "zh-CN": "最终得分"},
    "evaluation.export.rating": {"en": "Rating", "zh-CN": "评级"},
    "evaluation.export.calibrated_rating": {"en": "Calibrated rating", "zh-CN": "校准评级"},
    "evaluation.export.final_rating": {"en": "Final rating", "zh-CN": "最终评级"},
    # --- SMART check (app/smart/check.py): one message per finding, rendered from its code and parameters.
    "smart.specific.title_missing": {
        "en": "The title is missing: state the result you will achieve, e.g. “Grow Q3 sales revenue by 20%”.",
        "zh-CN": "缺少标题：请写明要达成的结果，例如“第三季度销售额增长 20%”。",
    },
    "smart.specific.title_too_short": {
        "en": "The title “{title}” has too little content to be specific: state the result you will achieve, "
        "e.g. “Grow Q3 sales revenue by 20%”.",
        "zh-CN": "标题“{title}”内容过少，不够具体：请写明要达成的结果，例如“第三季度销售额增长 20%”。",
    },
    "smart.specific.looks_like_kpi": {
        "en": "The title looks like a KPI (a process indicator: “{term}”) rather than a result; rewrite it as the "
        "measurable result this activity should produce, and attach this as a KPI under it.",
        "zh-CN": "该标题看起来像 KPI（过程指标：“{term}”），而不是结果；"
        "请改写为可衡量的结果，并把它作为 KPI 挂在结果之下。",
    },
    "smart.specific.vague": {
        "en": "The title uses a vague verb (“{verb}”) with no number, and no target is set: say how much, "
        "e.g. “Raise customer satisfaction from 82% to 90%”.",
        "zh-CN": "标题使用了笼统的动词（“{verb}”），既没有数字，也没有设定目标值：请写明幅度，"
        "例如“客户满意度从 82% 提升到 90%”。",
    },
    "smart.measurable.unit_missing": {
        "en": "The unit is missing: say what the result is measured in, e.g. %, CNY 10k, days.",
        "zh-CN": "缺少计量单位（unit）：请写明结果的计量单位，例如 %、万元、天。",
    },
    "smart.measurable.direction_missing": {
        "en": "The direction is missing: choose increase, decrease or maintain.",
        "zh-CN": "缺少方向（direction）：请选择 increase（提升）、decrease（降低）或 maintain（保持）。",
    },
    "smart.measurable.direction_invalid": {
        "en": "The direction “{direction}” is not valid: choose increase, decrease or maintain.",
        "zh-CN": "方向“{direction}”无效：请选择 increase（提升）、decrease（降低）或 maintain（保持）。",
    },
    "smart.measurable.baseline_missing": {
        "en": "The baseline is missing: record the current value so progress can be measured from it.",
        "zh-CN": "缺少基线值（baseline）：请填写当前水平，以便据此衡量进展。",
    },
    "smart.measurable.target_missing": {
        "en": "The target is missing: set the value that counts as achieving this result.",
        "zh-CN": "缺少目标值（target）：请设定达成该结果的数值。",
    },
    "smart.measurable.not_finite": {
        "en": "The {field} must be a finite number.",
        "zh-CN": "{field}必须是有限的数值。",
    },
    "smart.measurable.target_equals_baseline": {
        "en": "The target equals the baseline ({value}): a result to {direction} needs a target different from "
        "where it starts (use “maintain” to hold a level).",
        "zh-CN": "目标值与基线值相同（{value}）：方向为{direction}的结果，目标值必须不同于起点"
        "（如需保持现有水平，请选择 maintain）。",
    },
    "smart.measurable.direction_mismatch": {
        "en": "The direction is {direction} but the target ({target}) is {relation} the baseline ({baseline}): "
        "fix the direction or the target.",
        "zh-CN": "方向为{direction}，但目标值（{target}）{relation}基线值（{baseline}）：请修正方向或目标值。",
    },
    "smart.attainable.too_high": {
        "en": "The target is a {percent}% change from the baseline, above the {limit}% the policy allows: it is "
        "probably too ambitious to be attainable.",
        "zh-CN": "目标值较基线变化 {percent}%，超过政策上限 {limit}%：目标可能过高，难以达成。",
    },
    "smart.attainable.too_low": {
        "en": "The target is only a {percent}% change from the baseline, at or below the {limit}% the policy "
        "expects: it is too low to be a stretch.",
        "zh-CN": "目标值较基线仅变化 {percent}%，未超过政策下限 {limit}%：目标过低，缺乏挑战性。",
    },
    "smart.attainable.zero_baseline": {
        "en": "The baseline is 0, so the change cannot be expressed as a percentage: check the target against "
        "past results or peers.",
        "zh-CN": "基线值为 0，无法按百分比衡量变化幅度：请参照历史数据或同类岗位确认目标是否合理。",
    },
    "smart.relevant.goal_missing": {
        "en": "The KPR is not aligned to a goal of your organization: choose the goal it contributes to.",
        "zh-CN": "该 KPR 未对齐到本组织的任何目标：请选择它所支撑的目标。",
    },
    "smart.relevant.goal_cycle_mismatch": {
        "en": "The aligned goal belongs to another cycle: choose a goal of this cycle or a long-term goal.",
        "zh-CN": "所对齐的目标属于其他考核周期：请选择本周期的目标或长期目标。",
    },
    "smart.relevant.no_company_goal": {
        "en": "The aligned goal's chain never reaches a company goal: link it, through its parents, to the "
        "company strategy.",
        "zh-CN": "所对齐目标的上级链条没有连接到任何公司级目标：请通过上级目标将其关联到公司战略。",
    },
    "smart.time_bound.due_date_missing": {
        "en": "The due date is missing: set when the result must be achieved.",
        "zh-CN": "缺少截止日期（due_date）：请设定结果的达成期限。",
    },
    "smart.time_bound.before_cycle": {
        "en": "The due date {due_date} is before the cycle starts ({cycle_start}): choose a date inside the cycle.",
        "zh-CN": "截止日期 {due_date} 早于考核周期开始日期（{cycle_start}）：请选择周期内的日期。",
    },
    "smart.time_bound.after_cycle": {
        "en": "The due date {due_date} is after the cycle ends ({cycle_end}): choose a date inside the cycle.",
        "zh-CN": "截止日期 {due_date} 晚于考核周期结束日期（{cycle_end}）：请选择周期内的日期。",
    },
    # Terms the SMART messages above name: the English text keeps the API's own word, the Chinese one translates it.
    "smart.field.baseline": {"en": "baseline", "zh-CN": "基线值（baseline）"},
    "smart.field.target": {"en": "target", "zh-CN": "目标值（target）"},
    "smart.direction.increase": {"en": "increase", "zh-CN": "提升"},
    "smart.direction.decrease": {"en": "decrease", "zh-CN": "降低"},
    "smart.relation.below": {"en": "below", "zh-CN": "低于"},
    "smart.relation.above": {"en": "above", "zh-CN": "高于"},
    # --- Webhooks (events out, DESIGN §13).
    "resource.webhook": {"en": "Webhook", "zh-CN": "Webhook"},
    "resource.webhook_delivery": {"en": "Webhook delivery", "zh-CN": "Webhook 投递记录"},
    "action.manage webhooks": {"en": "manage webhooks", "zh-CN": "管理 Webhook"},
    "webhook.test_message": {
        "en": "A test event from the KPR service: this webhook receives events.",
        "zh-CN": "来自 KPR 服务的测试事件：此 Webhook 可以接收事件。",
    },
    "field.webhook_url_invalid": {
        "en": "must be an absolute URL such as https://example.com/hooks/kpr",
        "zh-CN": "必须是完整的 URL，例如 https://example.com/hooks/kpr",
    },
    "field.webhook_url_too_long": {
        "en": "must be at most {limit} characters long",
        "zh-CN": "长度不能超过 {limit} 个字符",
    },
    "field.webhook_url_scheme": {
        "en": "must start with https:// (http:// only for a host listed in KPR_WEBHOOK_ALLOWED_HOSTS)",
        "zh-CN": "必须以 https:// 开头（只有 KPR_WEBHOOK_ALLOWED_HOSTS 中列出的主机才可使用 http://）",
    },
    "field.webhook_url_credentials": {
        "en": "must not contain a user name or password",
        "zh-CN": "不能包含用户名或密码",
    },
    "field.webhook_url_port": {
        "en": "must use the default port {port} (other ports only for a host listed in KPR_WEBHOOK_ALLOWED_HOSTS)",
        "zh-CN": "必须使用默认端口 {port}（只有 KPR_WEBHOOK_ALLOWED_HOSTS 中列出的主机才可使用其他端口）",
    },
    "field.webhook_url_address": {
        "en": "must not point to the non-public address {address} (loopback, private, link-local, reserved…), "
        "unless it is listed in KPR_WEBHOOK_ALLOWED_HOSTS",
        "zh-CN": "不能指向非公网地址 {address}（回环、私有、链路本地、保留地址等），"
        "除非它已列入 KPR_WEBHOOK_ALLOWED_HOSTS",
    },
    "field.webhook_url_local_name": {
        "en": "must not name the local host {host}, unless it is listed in KPR_WEBHOOK_ALLOWED_HOSTS",
        "zh-CN": "不能使用本地主机名 {host}，除非它已列入 KPR_WEBHOOK_ALLOWED_HOSTS",
    },
    "webhook.resolved_private": {
        "en": "{host} resolves to the non-public address {address}; only public addresses are called",
        "zh-CN": "{host} 解析到非公网地址 {address}；只会调用公网地址",
    },
    "webhook.unresolvable": {
        "en": "{host} could not be resolved: {reason}",
        "zh-CN": "无法解析 {host}：{reason}",
    },
    # --- SCIM (app/scim): the detail of a SCIM error.
    "action.provision through SCIM": {"en": "provision through SCIM", "zh-CN": "通过 SCIM 同步人员与部门"},
    "scim.filter_unsupported": {
        "en": "Filters compare {supported} with eq, joined by and; {what} is not supported.",
        "zh-CN": "过滤条件只支持用 eq 比较 {supported}，并以 and 连接；不支持 {what}。",
    },
    "scim.unknown_department": {
        "en": "No department has the code '{code}'.",
        "zh-CN": "没有编码为“{code}”的部门。",
    },
    "scim.unknown_manager": {
        "en": "No user has the id or userName '{value}'.",
        "zh-CN": "没有 id 或 userName 为“{value}”的用户。",
    },
    "scim.code_required": {
        "en": "externalId (the department's code) is required when displayName is longer than {limit} characters.",
        "zh-CN": "displayName 超过 {limit} 个字符时必须提供 externalId（部门编码）。",
    },
    "scim.code_cannot_be_removed": {
        "en": "externalId is the department's code and cannot be removed.",
        "zh-CN": "externalId 是部门编码，不能删除。",
    },
    # --- Imports (sync in, DESIGN §14): the problem's detail, and one message per row error code.
    "action.import departments and employees": {
        "en": "import departments and employees",
        "zh-CN": "导入部门和员工",
    },
    "detail.import_invalid": {
        "en": "The file has {count} problem(s); nothing was imported. See errors.",
        "zh-CN": "文件中有 {count} 处问题，未导入任何数据，详见 errors。",
    },
    "detail.unsupported_media_type": {
        "en": "Content-Type '{media_type}' is not read here; send text/csv, {xlsx}, or multipart/form-data with a "
        "`file` field.",
        "zh-CN": "此处不读取 Content-Type“{media_type}”；请发送 text/csv、{xlsx}，"
        "或带 `file` 字段的 multipart/form-data。",
    },
    "import.missing_file": {
        "en": "The multipart body has no `file` field holding the file.",
        "zh-CN": "multipart 请求体中没有存放文件的 `file` 字段。",
    },
    "import.unreadable_file": {
        "en": "The file is not a readable XLSX workbook; save it again from Excel as .xlsx, or as CSV.",
        "zh-CN": "该文件不是可读取的 XLSX 工作簿；请在 Excel 中重新另存为 .xlsx 或 CSV。",
    },
    "import.xls_unsupported": {
        "en": "Excel 97-2003 (.xls) files are not read; save the sheet as .xlsx or CSV.",
        "zh-CN": "不支持 Excel 97-2003（.xls）文件；请将表格另存为 .xlsx 或 CSV。",
    },
    "import.too_large_unpacked": {
        "en": "The workbook unpacks to more than {limit} MiB; import fewer rows at a time.",
        "zh-CN": "该工作簿解压后超过 {limit} MiB；请分批导入。",
    },
    "import.unsupported_encoding": {
        "en": 'The CSV file is neither UTF-8 nor GBK text; save it as "CSV UTF-8".',
        "zh-CN": "该 CSV 文件既不是 UTF-8 也不是 GBK 编码；请另存为“CSV UTF-8”。",
    },
    "import.malformed_csv": {
        "en": "This row cannot be read as CSV: a cell holds more than 131,072 characters.",
        "zh-CN": "该行无法按 CSV 读取：某个单元格超过 131,072 个字符。",
    },
    "import.no_header": {
        "en": "Row 1 must hold the column headers; it is empty.",
        "zh-CN": "第 1 行必须是列标题，但该行为空。",
    },
    "import.too_many_rows": {
        "en": "The file has more than {limit} rows; split it into several files.",
        "zh-CN": "文件超过 {limit} 行；请拆分为多个文件。",
    },
    "import.unknown_column": {
        "en": "Unknown column '{header}'; the columns are {columns}.",
        "zh-CN": "未知的列“{header}”；可用的列为 {columns}。",
    },
    "import.duplicate_column": {
        "en": "The column {column} appears twice ('{first}' and '{second}').",
        "zh-CN": "列 {column} 出现了两次（“{first}”和“{second}”）。",
    },
    "import.missing_column": {
        "en": "The column {column} ({alias}) is required.",
        "zh-CN": "缺少必需的列 {column}（{alias}）。",
    },
    "import.required": {
        "en": "{header} is required.",
        "zh-CN": "{header}不能为空。",
    },
    "import.too_long": {
        "en": "{header} is longer than {limit} characters.",
        "zh-CN": "{header}超过 {limit} 个字符。",
    },
    "import.invalid_text": {
        "en": "{header} contains the NUL character (\\u0000).",
        "zh-CN": "{header}包含空字符（\\u0000）。",
    },
    "import.invalid_email": {
        "en": "'{value}' is not an email address.",
        "zh-CN": "“{value}”不是有效的邮箱地址。",
    },
    "import.invalid_boolean": {
        "en": "'{value}' is not a yes or no; write true/false, 1/0, yes/no, 是/否 or 在职/离职.",
        "zh-CN": "“{value}”不是“是”或“否”；请填写 true/false、1/0、yes/no、是/否 或 在职/离职。",
    },
    "import.duplicate_key": {
        "en": "{header} '{value}' already appears on row {first}.",
        "zh-CN": "{header}“{value}”已出现在第 {first} 行。",
    },
    "import.unknown_department": {
        "en": "No department has the code '{value}'.",
        "zh-CN": "不存在编码为“{value}”的部门。",
    },
    "import.unknown_parent": {
        "en": "No department has the code '{value}', in this file or in the organization.",
        "zh-CN": "本文件和本组织中都不存在编码为“{value}”的部门。",
    },
    "import.unknown_employee": {
        "en": "No employee has the external id '{value}'.",
        "zh-CN": "不存在工号为“{value}”的员工。",
    },
    "import.unknown_manager": {
        "en": "No employee has the external id '{value}', in this file or in the organization.",
        "zh-CN": "本文件和本组织中都不存在工号为“{value}”的员工。",
    },
    "import.loop": {
        "en": "This row makes a loop in the {tree}: {path}.",
        "zh-CN": "该行会在{tree}中形成循环：{path}。",
    },
    # --- Reward runs (app/rewards, DESIGN §11).
    "resource.reward_run": {"en": "Reward run", "zh-CN": "奖金核算"},
    "action.manage reward runs": {"en": "manage reward runs", "zh-CN": "管理奖金核算"},
    "detail.cycle_not_closed": {
        "en": "The cycle is '{status}'; reward runs are made and approved only once it is closed.",
        "zh-CN": "周期当前为“{status}”；仅在周期关闭后才能创建和批准奖金核算。",
    },
    "reward.lines_refused": {
        "en": "{count} line(s) of base are refused; see errors.",
        "zh-CN": "base 中有 {count} 行被拒绝，详见 errors。",
    },
    "field.reward_employee_repeated": {
        "en": "this employee is already listed in base (one line per employee)",
        "zh-CN": "该员工已在 base 中列出（每名员工一行）",
    },
    "field.reward_employee_unknown": {
        "en": "no employee with this id in the organization",
        "zh-CN": "本组织中没有此 ID 的员工",
    },
    # Codes of the reward arithmetic (app/scoring/rewards.py RewardInputError).
    "reward.input.BUDGET_NOT_POSITIVE": {"en": "the budget must be greater than 0", "zh-CN": "预算必须大于 0"},
    "reward.input.BUDGET_NOT_CENTS": {
        "en": "the budget must be a whole number of cents (at most 2 decimal places)",
        "zh-CN": "预算必须精确到分（最多 2 位小数）",
    },
    "reward.input.NOTHING_TO_SHARE": {
        "en": "no one can receive this budget: every priced base × coefficient is 0 (no base was priced, or every "
        "rating's coefficient is 0); send no budget, or check the bases and the cycle",
        "zh-CN": "无人可分配该预算：所有已定价的 基数 × 系数 均为 0（没有可定价的基数，或所有评级的系数均为 0）；"
        "请不设预算，或检查基数与周期",
    },
    "reward.input.BASE_NEGATIVE": {"en": "a base must not be negative", "zh-CN": "基数不能为负数"},
    "reward.input.COEFFICIENT_NEGATIVE": {"en": "a coefficient must not be negative", "zh-CN": "系数不能为负数"},
    # Why a base was skipped, as the export writes it (RewardSkipReason).
    "reward.skipped.NO_FINAL_RATING": {
        "en": "No final rating (no finalized or acknowledged evaluation in this cycle)",
        "zh-CN": "无最终评级（本周期没有已定稿或已确认的评估）",
    },
    "reward.skipped.NO_COEFFICIENT": {
        "en": "No coefficient for this rating in the evaluation's policy",
        "zh-CN": "评估所用策略中没有该评级的系数",
    },
    # Column headers of the reward run export (app/rewards/export.py COLUMNS), and its sheet.
    "reward.export.employee_id": {"en": "Employee ID", "zh-CN": "工号"},
    "reward.export.name": {"en": "Name", "zh-CN": "姓名"},
    "reward.export.final_rating": {"en": "Final rating", "zh-CN": "最终评级"},
    "reward.export.coefficient": {"en": "Coefficient", "zh-CN": "系数"},
    "reward.export.base": {"en": "Base ({currency})", "zh-CN": "基数（{currency}）"},
    "reward.export.amount": {"en": "Amount ({currency})", "zh-CN": "金额（{currency}）"},
    "reward.export.skipped_reason": {"en": "Skipped because", "zh-CN": "跳过原因"},
    "reward.export.sheet": {"en": "{cycle} rewards", "zh-CN": "{cycle}奖金"},
    # --- Working together (DESIGN §12): comments, mentions and tasks.
    "MENTION_NOT_ALLOWED": {"en": "Mention not allowed", "zh-CN": "不能提及该人员"},
    "problem.meaning.MENTION_NOT_ALLOWED": {
        "en": "A comment mentions someone who may not see what it is about (for a KPR or an evaluation: anyone but "
        "its employee and the managers above them), or who is not an active employee of the organization.",
        "zh-CN": "评论提及的人员无权查看评论所针对的内容（对 KPR 或评估而言，只有其员工本人及其上级可以查看），"
        "或不是本组织的在职员工。",
    },
    "problem.remedy.MENTION_NOT_ALLOWED": {
        "en": "Leave those people out (see `refused_ids`), or discuss it where they may read it.",
        "zh-CN": "请去掉这些人员（见 `refused_ids`），或在他们可以查看的地方讨论。",
    },
    "detail.mention_not_allowed": {
        "en": "{count} of the people mentioned may not see this, or are not active employees of the organization.",
        "zh-CN": "所提及的人员中有 {count} 人无权查看此内容，或不是本组织的在职员工。",
    },
    "field.mention_not_allowed": {
        "en": "may not see what the comment is about, or is not an active employee of the organization",
        "zh-CN": "无权查看评论所针对的内容，或不是本组织的在职员工",
    },
    "detail.comment_deleted": {
        "en": "The comment was deleted; a deleted comment cannot be edited.",
        "zh-CN": "该评论已删除，已删除的评论不能编辑。",
    },
    "resource.comment": {"en": "Comment", "zh-CN": "评论"},
    "resource.task": {"en": "Task", "zh-CN": "待办"},
    "action.change this comment": {"en": "change this comment", "zh-CN": "修改此评论"},
    "action.delete this comment": {"en": "delete this comment", "zh-CN": "删除此评论"},
    "action.write comments": {"en": "write comments", "zh-CN": "发表评论"},
    "task.title.submit_plan": {
        "en": "Submit your plan for {cycle}",
        "zh-CN": "提交{cycle}的绩效计划",
    },
    "task.title.approve_plan": {
        "en": "Approve {person}'s plan for {cycle}",
        "zh-CN": "审批{person}的{cycle}绩效计划",
    },
    "task.title.decide_revision": {
        "en": "Decide {person}'s revision of “{kpr}”",
        "zh-CN": "审批{person}对“{kpr}”的修订申请",
    },
    "task.title.check_in": {"en": "Check in on “{kpr}”", "zh-CN": "更新“{kpr}”的进展"},
    "task.title.self_review": {
        "en": "Write your self-review for {cycle}",
        "zh-CN": "填写{cycle}的自评",
    },
    "task.title.manager_review": {
        "en": "Review {person} for {cycle}",
        "zh-CN": "完成对{person}的{cycle}上级评价",
    },
    "task.title.feedback": {
        "en": "Give feedback on {person} for {cycle}",
        "zh-CN": "为{person}提供{cycle}的反馈",
    },
    "task.title.acknowledge": {
        "en": "Acknowledge your result for {cycle}",
        "zh-CN": "确认{cycle}的绩效结果",
    },
    "task.title.mention": {"en": "{person} mentioned you: {text}", "zh-CN": "{person}在评论中提到了你：{text}"},
    # --- Metric push (sync in, DESIGN §14).
    "resource.metric_key": {"en": "Metric key", "zh-CN": "指标键"},
    "action.push check-ins in bulk": {"en": "push check-ins in bulk", "zh-CN": "批量推送打卡记录"},
    "detail.metric_key_untracked": {
        "en": "No active KPR or KPI of an active cycle tracks the metric key {metric_key}.",
        "zh-CN": "没有处于进行中周期的有效 KPR 或 KPI 使用指标键 {metric_key}。",
    },
    # --- Feedback and result conversations (DESIGN §10).
    "resource.feedback_request": {"en": "Feedback request", "zh-CN": "反馈请求"},
    "resource.conversation": {"en": "Conversation", "zh-CN": "绩效面谈"},
    "feedback.evaluation_not_in_review": {
        "en": "Feedback is asked for and given only while the evaluation is in self_review or manager_review; it is "
        "in '{status}'.",
        "zh-CN": "仅当评估处于自评（self_review）或上级评估（manager_review）阶段时才能请求和提交反馈；"
        "当前状态为“{status}”。",
    },
    "feedback.reviewer_not_active": {
        "en": "{reviewer_id} is not an active employee of this organization.",
        "zh-CN": "{reviewer_id} 不是本组织的在职员工。",
    },
    "feedback.reviewer_is_evaluated": {
        "en": "{reviewer_id} is the evaluated employee, who cannot give feedback on their own evaluation.",
        "zh-CN": "{reviewer_id} 是被评估的员工本人，不能为自己的评估提供反馈。",
    },
    "feedback.already_requested": {
        "en": "These reviewers already have a live (requested or submitted) feedback request on this evaluation: "
        "{reviewers}.",
        "zh-CN": "以下评价人在此评估上已有进行中（已请求或已提交）的反馈请求：{reviewers}。",
    },
    "action.ask for feedback on this evaluation": {
        "en": "ask for feedback on this evaluation",
        "zh-CN": "为该评估请求反馈",
    },
    "action.respond to this feedback request": {"en": "respond to this feedback request", "zh-CN": "回复该反馈请求"},
    "action.move this feedback request to '{target}'": {
        "en": "move this feedback request to '{target}'",
        "zh-CN": "将该反馈请求变更为“{target}”",
    },
    "action.record a conversation on this evaluation": {
        "en": "record a conversation on this evaluation",
        "zh-CN": "为该评估记录绩效面谈",
    },
    "action.comment on this conversation (its employee may)": {
        "en": "comment on this conversation (its employee may)",
        "zh-CN": "对该绩效面谈发表意见（仅被评估员工本人可以）",
    },
    "action.edit this conversation (its author may)": {
        "en": "edit this conversation (its author may)",
        "zh-CN": "修改该绩效面谈记录（仅记录人可以）",
    },
}
