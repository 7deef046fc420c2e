"""The one message catalogue: every key speaks both languages, and every key the code names is in it.

``translate`` shows an unknown key as it is, so a typo in a key or a text missing in one language would reach users
silently; these tests read the catalogue and the sources of ``app/`` instead.
"""

import ast
import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from app.core.enums import EventType, RewardSkipReason, TaskKind
from app.core.messages import LOCALES, MESSAGES
from app.core.problems import ProblemCode
from app.cycles.reports import EXPORT_COLUMNS
from app.goals.service import LEVEL_RANK
from app.rewards.export import COLUMNS as REWARD_EXPORT_COLUMNS
from app.scoring.rewards import INPUT_CODES as REWARD_INPUT_CODES

APP = Path(__file__).resolve().parents[2] / "app"
CATALOGUE = APP / "core" / "messages.py"
# Namespaces of keys that are plain identifiers (``action.*`` keys are English prose, checked through Forbidden).
NAMESPACES = sorted({key.split(".")[0] for key in MESSAGES if "." in key} - {"action"})
DOTTED_KEY = re.compile(rf"^(?:{'|'.join(NAMESPACES)})\.[A-Za-z_][A-Za-z0-9_.]*(?<!\.)$")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_has_a_text_in_both_languages_with_the_same_placeholders(key: str) -> None:
    texts = MESSAGES[key]

    assert set(texts) == set(LOCALES)
    for locale in LOCALES:
        assert texts[locale].strip(), locale
    assert _placeholders(texts["en"]) == _placeholders(texts["zh-CN"])


# --- what the sources name ------------------------------------------------------------------------------------------


@cache
def _modules() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple((path, ast.parse(path.read_text("utf-8"))) for path in sorted(APP.rglob("*.py")) if path != CATALOGUE)


def _constants(tree: ast.Module) -> dict[str, object]:
    """A module's top-level ``NAME = <literal>`` assignments."""
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def _strings(node: ast.expr, constants: dict[str, object]) -> list[str] | None:
    """The strings an argument can be, when the source says so: a literal, a module constant, either branch of
    ``a if c else b``, any value of a constant dict indexed (``ACTIONS[side]``); None when it is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and isinstance(constants.get(node.id), str):
        return [str(constants[node.id])]
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = constants.get(node.value.id)
        if isinstance(table, dict) and all(isinstance(value, str) for value in table.values()):
            return [str(value) for value in table.values()]
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body, constants), _strings(node.orelse, constants)
        return None if body is None or orelse is None else body + orelse
    return None


def _calls(name: str) -> Iterator[tuple[ast.Call, dict[str, object]]]:
    """Every call of ``name(...)`` or ``something.name(...)`` in app/, with its module's constants."""
    for _, tree in _modules():
        constants = _constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called == name:
                    yield node, constants


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    if position is not None and len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return next((item.value for item in call.keywords if item.arg == keyword), None)


def _named(calls: list[tuple[str, int | None, str]]) -> set[str]:
    found: set[str] = set()
    for name, position, keyword in calls:
        for call, constants in _calls(name):
            argument = _argument(call, position, keyword)
            if argument is not None and (values := _strings(argument, constants)) is not None:
                found.update(values)
    return found


def _actions() -> set[str]:
    """What Forbidden(action=…), Actor.require_admin(action) and the role dependencies (admin_only, system_only,
    whole_cycle) are given, and require_admin's default."""
    actions = _named(
        [
            ("Forbidden", None, "action"),
            ("require_admin", 0, "action"),
            ("admin_only", 0, "action"),
            ("system_only", 0, "action"),
            ("whole_cycle", 0, "action"),
        ]
    )
    for _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "require_admin":
                actions.update(
                    str(default.value) for default in node.args.defaults if isinstance(default, ast.Constant)
                )
    return actions


def _resources() -> set[str]:
    return _named(
        [("NotFound", 0, "resource"), ("get_in_org", 4, "resource"), ("authorize_employee_data", None, "resource")]
    )


def _definition_codes() -> set[str]:
    """The codes app.scoring.engine.definition_errors returns."""
    tree = ast.parse((APP / "scoring" / "engine.py").read_text("utf-8"))
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "definition_errors")
    return {
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch("[A-Z_]+", node.value)
    }


# Keys built at run time, f"{prefix}{code}": every code each prefix is built with. A new dynamic key must be listed.
def _dynamic_codes() -> dict[str, set[str]]:
    return {
        "action.": _actions(),
        "resource.": _resources(),
        "definition.": _definition_codes(),
        "level.": set(LEVEL_RANK),
        "evaluation.component.": {"self", "manager"},  # the reviews a policy weighs (Policy.components)
        "evaluation.export.": set(EXPORT_COLUMNS),
        "smart.field.": {"baseline", "target"},
        "smart.direction.": {"increase", "decrease"},  # a target equal to or across the baseline needs a direction
        "problem.meaning.": set(ProblemCode),
        "problem.remedy.": set(ProblemCode),
        "reward.input.": set(REWARD_INPUT_CODES),
        "reward.skipped.": set(RewardSkipReason),
        "reward.export.": set(REWARD_EXPORT_COLUMNS),
        "task.title.": set(TaskKind),  # every kind of task is titled (app.tasks.derivation)
    }


def _translated_keys() -> tuple[set[str], set[str]]:
    """Keys given to translate() and Message() as text, and the prefixes of those given as f-strings."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for name in ("translate", "Message"):
        for call, constants in _calls(name):
            pending = call.args[:1]
            while pending:
                key = pending.pop()
                if isinstance(key, ast.IfExp):
                    pending += [key.body, key.orelse]
                elif isinstance(key, ast.JoinedStr):
                    head = key.values[0]
                    assert isinstance(head, ast.Constant), ast.unparse(key)
                    assert len(key.values) == 2, f"{ast.unparse(key)}: one {{code}}, at the end, so it can be checked"
                    prefixes.add(str(head.value))
                elif (values := _strings(key, constants)) is not None:
                    literal.update(values)
    return literal, prefixes


def test_every_key_given_to_translate_or_message_is_in_the_catalogue() -> None:
    literal, _ = _translated_keys()

    assert literal, "the scan found no translate() calls"
    assert sorted(key for key in literal if key not in MESSAGES) == []


def test_every_key_named_anywhere_in_app_is_in_the_catalogue() -> None:
    # Keys also travel through variables (``detail_key = "detail.cursor"``, a helper's ``key`` argument).
    named = {
        node.value
        for _, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED_KEY.match(node.value)
    } - {event.value for event in EventType}  # event names (goal.updated, …) share the dotted shape, not the catalogue

    # Event types (goal.created, evaluation.transitioned, …) are names on the wire, not messages, though alike.
    wire_names = {event_type.value for event_type in EventType}

    assert "detail.cursor" in named
    assert sorted(key for key in named - wire_names if key not in MESSAGES) == []


def test_every_key_built_at_run_time_is_in_the_catalogue_for_each_known_code() -> None:
    _, prefixes = _translated_keys()
    known = _dynamic_codes()

    assert sorted(prefixes - set(known)) == [], "list the codes of this new dynamic key in _dynamic_codes"
    for prefix in sorted(prefixes):
        assert known[prefix], prefix
        assert sorted(prefix + code for code in known[prefix] if prefix + code not in MESSAGES) == []


def test_every_action_and_resource_has_a_text() -> None:
    # Forbidden shows an uncatalogued action only in English and a generic sentence in Chinese: catalogue them all.
    assert {"read the audit trail", "manage cycles", "read the calibration report"} <= _actions()
    assert "move this evaluation to '{target}'" in _actions()
    assert {"cycle", "kpr", "template"} <= _resources()


def test_every_error_code_has_a_title() -> None:
    # Which codes the sources raise is tests/core/test_problem_registry.py's concern; each registered one has a title.
    assert sorted(code for code in ProblemCode if code not in MESSAGES) == []
