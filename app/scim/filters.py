"""``?filter=`` as SQL: what identity providers ask before they create (``userName eq "…"``, ``displayName eq "…"``,
``externalId eq "…"``), joined by ``and``. scim2-models parses the filter against the resource; anything else — other
operators, ``or``, ``not``, attributes the service does not search by — is refused with ``invalidFilter``.

Strings compare as RFC 7643 says their attribute does: case-insensitively, unless the attribute is case-exact
(``externalId``).
"""

from dataclasses import dataclass
from typing import Any

from scim2_models import ScimFilter
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from sqlalchemy import ColumnElement, and_, false, func

from app.core.i18n import translate
from app.scim.errors import ScimProblem
from app.scim.schemas import ScimType


@dataclass(frozen=True)
class Searchable:
    """An attribute a filter may compare, and the column it is kept in."""

    name: str
    column: Any
    case_exact: bool = False
    boolean: bool = False


def _key(path: AttrPath) -> tuple[str, str | None]:
    return path.attr.casefold(), path.sub_attr.casefold() if path.sub_attr else None


class _ToSql(FilterVisitor[ColumnElement[bool]]):
    def __init__(self, attributes: dict[tuple[str, str | None], Searchable]) -> None:
        self.attributes = attributes

    def _refuse(self, what: str) -> ScimProblem:
        supported = ", ".join(sorted(searchable.name for searchable in self.attributes.values()))
        detail = translate("scim.filter_unsupported", what=what, supported=supported)
        return ScimProblem(400, ScimType.INVALID_FILTER, detail)

    def visit_comparison(self, node: Comparison) -> ColumnElement[bool]:
        searchable = self.attributes.get(_key(node.attr_path))
        if searchable is None:
            raise self._refuse(".".join(part for part in _key(node.attr_path) if part))
        if node.op != CompareOperator.eq:
            raise self._refuse(str(node.op))
        value = node.value
        if searchable.boolean:
            if not isinstance(value, bool):
                raise self._refuse(repr(value))
            clause: ColumnElement[bool] = searchable.column.is_(value)
            return clause
        if not isinstance(value, str):
            # A string attribute never equals a number, a boolean or null.
            return false()
        if searchable.case_exact:
            exact: ColumnElement[bool] = searchable.column == value
            return exact
        return func.lower(searchable.column) == value.lower()

    def visit_logical_expr(self, node: LogicalExpr) -> ColumnElement[bool]:
        if node.op != LogicalOperator.and_:
            raise self._refuse(str(node.op))
        return and_(*(self.visit(term) for term in node.terms))

    def visit_not(self, node: Not) -> ColumnElement[bool]:
        raise self._refuse("not")

    def visit_present(self, node: Present) -> ColumnElement[bool]:
        raise self._refuse("pr")

    def visit_value_path(self, node: ValuePath) -> ColumnElement[bool]:
        raise self._refuse("[…]")


def searchable(*attributes: Searchable) -> dict[tuple[str, str | None], Searchable]:
    """What a resource's filters may compare, by attribute path (``emails.value``)."""
    found = {}
    for attribute in attributes:
        attr, _, sub_attr = attribute.name.casefold().partition(".")
        found[attr, sub_attr or None] = attribute
    return found


def to_sql(
    resource: type[Any], expression: str, attributes: dict[tuple[str, str | None], Searchable]
) -> ColumnElement[bool]:
    """The WHERE clause of ``expression`` over ``attributes``; ``invalidFilter`` (400) when it says what the service
    does not search by, or is not a filter."""
    # Parsed against the resource: syntax errors and attributes of the wrong type are scim2-models' invalidFilter.
    parsed = ScimFilter[resource](expression)  # type: ignore[valid-type]
    return _ToSql(attributes).visit(parsed.ast)
