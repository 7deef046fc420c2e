"""The OpenAPI document is the contract: the committed openapi.json must match the app, and be complete."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    # Through JSON, as `kpr openapi` writes it, so tuples and lists compare equal.
    generated: dict[str, Any] = json.loads(json.dumps(app.openapi(), ensure_ascii=False))
    return generated


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_committed_document_matches_the_app(document: dict[str, Any]) -> None:
    assert COMMITTED.exists(), "openapi.json is missing; run `kpr openapi > openapi.json`"
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    if committed != document:
        changed = sorted(
            set(committed.get("paths", {})) ^ set(document["paths"])
            | {
                p
                for p in set(committed.get("paths", {})) & set(document["paths"])
                if committed["paths"][p] != document["paths"][p]
            }
        )
        pytest.fail(
            "openapi.json differs from the app's OpenAPI document; run `kpr openapi > openapi.json` and commit it"
            + (f" (paths changed: {', '.join(changed)})" if changed else " (components or info changed)")
        )


def test_every_operation_has_a_unique_operation_id_and_a_summary(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert operations
    ids = [operation.get("operationId") for _, _, operation in operations]
    for method, path, operation in operations:
        assert operation.get("operationId"), f"{method} {path} has no operationId"
        assert operation.get("summary"), f"{method} {path} has no summary"
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_every_operation_documents_its_errors_as_problems(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        for status in ("401", "422"):
            assert status in responses, f"{method} {path} does not document {status}"
            content = responses[status]["content"]
            assert set(content) == {"application/problem+json"}, f"{method} {path} {status}: {set(content)}"
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_foundation_operation_ids_are_stable(document: dict[str, Any]) -> None:
    ids = {(method, path): operation["operationId"] for method, path, operation in _operations(document)}
    expected = {
        ("GET", "/api/v1/organizations"): "list_organizations",
        ("POST", "/api/v1/organizations"): "create_organization",
        ("GET", "/api/v1/organizations/{organization_id}"): "get_organization",
        ("PATCH", "/api/v1/organizations/{organization_id}"): "update_organization",
        ("GET", "/api/v1/me"): "get_me",
        ("GET", "/api/v1/departments"): "list_departments",
        ("POST", "/api/v1/departments"): "create_department",
        ("GET", "/api/v1/departments/{department_id}"): "get_department",
        ("PATCH", "/api/v1/departments/{department_id}"): "update_department",
        ("DELETE", "/api/v1/departments/{department_id}"): "delete_department",
        ("GET", "/api/v1/employees"): "list_employees",
        ("POST", "/api/v1/employees"): "create_employee",
        ("GET", "/api/v1/employees/{employee_id}"): "get_employee",
        ("PATCH", "/api/v1/employees/{employee_id}"): "update_employee",
        ("DELETE", "/api/v1/employees/{employee_id}"): "delete_employee",
        ("GET", "/api/v1/api-keys"): "list_api_keys",
        ("POST", "/api/v1/api-keys"): "create_api_key",
        ("DELETE", "/api/v1/api-keys/{api_key_id}"): "delete_api_key",
    }
    assert {key: ids.get(key) for key in expected} == expected


def test_writes_document_conflicts_and_preconditions(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path, method in [
        ("/api/v1/departments/{department_id}", "patch"),
        ("/api/v1/departments/{department_id}", "delete"),
        ("/api/v1/employees/{employee_id}", "patch"),
        ("/api/v1/organizations/{organization_id}", "patch"),
    ]:
        assert {"409", "412"} <= set(paths[path][method]["responses"]), f"{method} {path}"
    assert "201" in paths["/api/v1/departments"]["post"]["responses"]
    assert "204" in paths["/api/v1/departments/{department_id}"]["delete"]["responses"]


def test_request_bodies_carry_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("OrganizationCreate", "DepartmentCreate", "EmployeeCreate", "ApiKeyCreate", "Problem"):
        assert schemas[name].get("examples"), f"{name} has no example"


def test_every_post_documents_idempotency_key(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        if method != "POST":
            continue
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert len(headers) == 1, f"POST {path} does not document Idempotency-Key"
        assert headers[0]["required"] is False
        assert headers[0]["schema"]["maxLength"] == 255


def test_ops_endpoints_are_not_in_the_contract(document: dict[str, Any]) -> None:
    assert not {"/healthz", "/readyz", "/metrics", "/docs", "/redoc"} & set(document["paths"])


def test_patch_schemas_allow_null_exactly_where_the_server_does() -> None:
    from app.core.schemas import PatchModel

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub, *subclasses(sub)]
        return found

    models = subclasses(PatchModel)
    assert len(models) >= 7
    for model in models:
        schema = model.model_json_schema()
        for name in model.non_nullable:  # type: ignore[attr-defined]
            field = schema["properties"][name]
            variants = field.get("anyOf", [field])
            assert all(v.get("type") != "null" for v in variants), (model.__name__, name)
            # and the server refuses what the schema refuses
            with pytest.raises(ValueError, match="null"):
                model.model_validate({name: None})
        assert "null" in schema["description"]
