"""The error-code catalogue as people read it: the pages behind every problem's ``type`` link, and docs/errors.md.

The registry itself (codes, statuses, texts) is ``app.core.problems``; this module only renders it: JSON for programs,
HTML for browsers (chosen by ``Accept``), Markdown for the repository.
"""

import html
import re
from typing import Any

from app.core.i18n import translate
from app.core.messages import LOCALES, Locale
from app.core.problems import PROBLEMS_PATH, ProblemType, catalogue, type_url

_CODE_SPAN = re.compile(r"`([^`]+)`")
_COLON: dict[Locale, str] = {"en": ": ", "zh-CN": "："}


def as_json(problem: ProblemType, base_url: str) -> dict[str, Any]:
    return {
        "code": problem.code,
        "type": type_url(base_url, problem.code),
        "status": problem.status,
        "title": problem.title,
        "meaning": problem.meaning,
        "remedy": problem.remedy,
    }


def prefers_html(accept: str | None) -> bool:
    """Whether ``Accept`` ranks text/html above JSON: browsers do; curl (``*/*``) and API clients get JSON."""
    html_q = json_q = 0.0
    for part in (accept or "*/*").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in ("text/html", "text/*", "*/*"):
            html_q = max(html_q, quality if media == "text/html" else quality - 0.001)
        if media in ("application/json", "application/*", "*/*"):
            json_q = max(json_q, quality)
    return html_q > json_q


def _inline(text: str) -> str:
    """Escaped text with its `code spans` as <code>."""
    return _CODE_SPAN.sub(r"<code>\1</code>", html.escape(text))


def _page(locale: Locale, title: str, body: str) -> str:
    lang = "zh-CN" if locale == "zh-CN" else "en"
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
code {{ background: #f2f2f2; padding: 0 .2em; border-radius: 3px; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }}
.status {{ color: #666; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def problem_html(problem: ProblemType, locale: Locale, base_url: str) -> str:
    index = f"{base_url.rstrip('/')}{PROBLEMS_PATH}"
    body = f"""<p><a href="{html.escape(index)}">{html.escape(translate("problems.index_title", locale))}</a></p>
<h1>{html.escape(problem.title)}</h1>
<p class="status"><code>{problem.code}</code> · HTTP {problem.status}</p>
<h2>{html.escape(translate("problems.meaning", locale))}</h2>
<p>{_inline(problem.meaning)}</p>
<h2>{html.escape(translate("problems.remedy", locale))}</h2>
<p>{_inline(problem.remedy)}</p>
<p>{_inline(translate("problems.shape", locale))}</p>"""
    return _page(locale, f"{problem.code} — {problem.title}", body)


def index_html(locale: Locale, base_url: str) -> str:
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(type_url(base_url, p.code))}"><code>{p.code}</code></a></td>'
        f'<td class="status">{p.status}</td><td>{html.escape(p.title)}</td><td>{_inline(p.meaning)}</td></tr>'
        for p in catalogue(locale)
    )
    heads = "".join(
        f"<th>{html.escape(translate(key, locale))}</th>"
        for key in ("problems.code", "problems.status", "problems.title", "problems.meaning")
    )
    body = f"""<h1>{html.escape(translate("problems.index_title", locale))}</h1>
<p>{_inline(translate("problems.shape", locale))}</p>
<table>
<thead><tr>{heads}</tr></thead>
<tbody>
{rows}
</tbody>
</table>"""
    return _page(locale, translate("problems.index_title", locale), body)


def markdown() -> str:
    """docs/errors.md: every code with its status, and its texts in each language (``kpr errors`` prints it)."""
    en: Locale = "en"
    lines = [
        "<!-- Generated from app/core/problems.py and app/core/messages.py by `kpr errors`; do not edit by hand. -->",
        "",
        f"# {translate('problems.index_title', en)} / {translate('problems.index_title', 'zh-CN')}",
        "",
        translate("problems.shape", en),
        "",
        translate("problems.shape", "zh-CN"),
        "",
        f"| {translate('problems.code', en)} | {translate('problems.status', en)} | "
        + " | ".join(translate("problems.title", locale) for locale in LOCALES)
        + " |",
        "|---|---|" + "---|" * len(LOCALES),
    ]
    described = {locale: catalogue(locale) for locale in LOCALES}
    for problems in zip(*described.values(), strict=True):
        first = problems[0]
        titles = " | ".join(problem.title for problem in problems)
        lines.append(f"| [`{first.code}`](#{first.slug}) | {first.status} | {titles} |")
    for problems in zip(*described.values(), strict=True):
        first = problems[0]
        lines += ["", f'<a id="{first.slug}"></a>', "", f"## `{first.code}` — {first.status}", ""]
        for locale, problem in zip(LOCALES, problems, strict=True):
            lines += [
                f"**{problem.title}** ({locale})",
                "",
                f"- {translate('problems.meaning', locale)}{_COLON[locale]}{problem.meaning}",
                f"- {translate('problems.remedy', locale)}{_COLON[locale]}{problem.remedy}",
                "",
            ]
        lines.pop()
    lines.append("")
    return "\n".join(lines)
