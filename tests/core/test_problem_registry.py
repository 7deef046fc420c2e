"""The error-code registry (app/core/problems.py) is complete and exact: every code the sources can answer with is in
it with the status it is answered with, and nothing else is.

mypy already refuses a code that is not a ``ProblemCode``; these tests read the sources so that a code smuggled in
another way (a string, a subclass, a status that disagrees with the registry) fails too.
"""

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import app.main  # noqa: F401 — imports every domain, so every AppError subclass is defined
from app.core import errors
from app.core.errors import AppError, problem_response
from app.core.messages import LOCALES, MESSAGES
from app.core.problems import STATUS, ProblemCode, catalogue, lookup, slug, type_url

APP = Path(__file__).resolve().parents[2] / "app"
REGISTRY = APP / "core" / "problems.py"
# Functions that take (request, status, code, …) and answer a problem.
RESPONDERS = {"problem_response": (1, 2), "_problem": (1, 2)}


@cache
def _modules() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple((path, ast.parse(path.read_text("utf-8"))) for path in sorted(APP.rglob("*.py")))


def _subclasses(cls: type[AppError]) -> Iterator[type[AppError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _code_constants(tree: ast.Module) -> dict[str, str]:
    """A module's ``NAME = ProblemCode.X`` assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            member = _member(node.value, {})
            if member is not None:
                found[node.targets[0].id] = member
    return found


def _member(node: ast.expr, constants: dict[str, str]) -> str | None:
    """The ProblemCode member an expression names: ``ProblemCode.X``, or a module constant bound to one."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ProblemCode":
        return node.attr
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _written(node: ast.expr, constants: dict[str, str]) -> str | None:
    """The code an expression names (a member, or a string as written, quotes and all); None when it forwards a
    variable (``exc.code``: typed ProblemCode, checked by mypy)."""
    member = _member(node, constants)
    if member is not None:
        return member
    if isinstance(node, ast.Constant):
        return repr(node.value)
    return None


def _raised_codes() -> list[tuple[str, str, str, int | None]]:
    """Every code the sources give an error or a problem response: (where, code as written, callee, status if known).

    A code is given as ``code=…`` to an error class, as a class's ``code = …``, or as a responder's code argument.
    """
    found: list[tuple[str, str, str, int | None]] = []
    error_classes = {cls.__name__: cls for cls in [AppError, *_subclasses(AppError)]}
    for path, tree in _modules():
        if path == REGISTRY:
            continue
        constants = _code_constants(tree)
        for node in ast.walk(tree):
            where = f"{path.relative_to(APP.parent)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "code" for t in statement.targets
                    ):
                        written = _written(statement.value, constants)
                        if written is not None:
                            found.append((where, written, "class", None))
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            for keyword in node.keywords:
                if keyword.arg == "code":
                    written = _written(keyword.value, constants)
                    cls = error_classes.get(name)
                    if written is not None:
                        found.append((where, written, name, cls.status if cls is not None else None))
            if name in RESPONDERS:
                status_at, code_at = RESPONDERS[name]
                if len(node.args) > code_at:
                    status = node.args[status_at]
                    written = _written(node.args[code_at], constants)
                    known = status.value if isinstance(status, ast.Constant) and isinstance(status.value, int) else None
                    if written is not None:
                        found.append((where, written, name, known))
    return found


def test_the_scan_finds_the_codes_it_should() -> None:
    written = {code for _, code, _, _ in _raised_codes()}
    assert {"PLAN_LOCKED", "EVALUATION_LOCKED", "IDEMPOTENCY_KEY_REUSED", "PAYLOAD_TOO_LARGE", "CONFLICT"} <= written


def test_every_code_the_sources_raise_is_registered_with_its_status() -> None:
    unregistered = [(where, code) for where, code, _, _ in _raised_codes() if code not in ProblemCode.__members__]
    wrong_status = [
        (where, code, status, int(STATUS[ProblemCode[code]]))
        for where, code, _, status in _raised_codes()
        if code in ProblemCode.__members__ and status is not None and status != STATUS[ProblemCode[code]]
    ]

    assert unregistered == [], "codes must be ProblemCode members (app/core/problems.py)"
    assert wrong_status == [], "answered with another status than the registry says"


def test_every_error_class_carries_a_registered_code_and_its_status() -> None:
    classes = [AppError, *_subclasses(AppError)]
    assert errors.InvalidTransition in classes
    for cls in classes:
        assert isinstance(cls.code, ProblemCode), cls
        assert cls.status == STATUS[cls.code], cls


def test_every_registered_code_is_raised_somewhere() -> None:
    # The registry is exactly what the service can answer: a code nobody raises is a stale entry.
    written = {code for _, code, _, _ in _raised_codes()}
    assert sorted(set(ProblemCode.__members__) - written) == []


def test_every_code_has_a_status_and_its_texts_in_both_languages() -> None:
    assert set(STATUS) == set(ProblemCode)
    for code in ProblemCode:
        assert code.value == code.name
        assert 400 <= STATUS[code] <= 599
        for key in (code, f"problem.meaning.{code}", f"problem.remedy.{code}"):
            assert set(MESSAGES[key]) == set(LOCALES), key


def test_slugs_name_their_code_both_ways() -> None:
    assert len({slug(code) for code in ProblemCode}) == len(ProblemCode)
    for code in ProblemCode:
        assert lookup(slug(code)) is code
        assert lookup(code) is code
    assert lookup("no-such-code") is None
    assert type_url("http://127.0.0.1:8000/", ProblemCode.NOT_FOUND) == "http://127.0.0.1:8000/problems/not-found"
    assert type_url("", ProblemCode.NOT_FOUND) == "/problems/not-found"


def test_the_catalogue_is_ordered_by_status() -> None:
    statuses = [problem.status for problem in catalogue("en")]
    assert statuses == sorted(statuses)
    assert len(statuses) == len(ProblemCode)


def test_an_unregistered_code_cannot_be_answered() -> None:
    with pytest.raises(ValueError, match="NOT_A_CODE"):
        problem_response(None, 400, "NOT_A_CODE", "x")  # type: ignore[arg-type]
