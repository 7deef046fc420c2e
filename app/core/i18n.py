"""The caller's language (``Accept-Language``, default en) and ``translate``, which renders the catalogue in it.

The texts themselves live in ``app.core.messages``.
"""

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

from app.core.messages import MESSAGES, Locale

__all__ = ["Locale", "Message", "current_locale", "negotiate", "translate"]

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


@dataclass(frozen=True)
class Message:
    """A message not yet rendered: its catalogue key and parameters, so it can be kept and shown in any language.

    A parameter that is itself a ``Message`` (a translated term) is rendered in the same language.
    """

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, locale: Locale | None = None) -> str:
        return translate(self.code, locale, **self.params)


def translate(key: str, locale: Locale | None = None, **params: object) -> str:
    """The catalogue's text for ``key`` in ``locale`` (default: the request's), its placeholders filled in.

    An unknown key is shown as it is, and a text whose placeholders do not match ``params`` is shown unfilled, so a
    wrong message never turns into a 500.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    lang = locale or current_locale.get()
    text = entry.get(lang) or entry["en"]
    values = {name: value.render(lang) if isinstance(value, Message) else value for name, value in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError):
        return text
