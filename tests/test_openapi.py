"""The OpenAPI document is the contract: the committed openapi.json must match the app, and be complete."""

import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.core.openapi import schemas_in_and_out, sends_resource

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}
# SCIM (DESIGN §14) answers in its own standard's form: application/scim+json, errors as SCIM errors.
SCIM_PREFIX = "/scim/v2/"
SCIM_ERROR = {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ScimError"}}}


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
        if path.startswith(SCIM_PREFIX):
            # SCIM answers what it cannot read with 400 and a scimType (RFC 7644 §3.12), never 422.
            assert "422" not in responses, f"{method} {path}"
            for status in ("400", "401", "4XX", "500"):
                assert responses[status]["content"] == SCIM_ERROR, f"{method} {path} {status}"
            continue
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


# Invariants of the contract as clients' own tools read it (scripts/client_contract.sh runs the tools themselves).


def _schemas_in(node: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    """Every schema object under ``node`` (with where it is), however deeply nested."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append((where, node))
        for key, value in node.items():
            found += _schemas_in(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _schemas_in(value, f"{where}/{index}")
    return found


def test_every_schema_has_a_title_of_its_own(document: dict[str, Any]) -> None:
    # Generators name models by title: two schemas with one title (FastAPI's X-Input / X-Output) lose one of them.
    schemas = document["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
    assert not [name for name in schemas if name.endswith(("-Input", "-Output"))]


def test_every_string_array_and_integer_declares_its_limits(document: dict[str, Any]) -> None:
    # Bodies, responses, parameters and headers alike: what the OWASP rules (and DESIGN §7) ask of a contract.
    unbounded = []
    for where, schema in _schemas_in({"paths": document["paths"], "components": document["components"]}, "#"):
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if "string" in types and not {"maxLength", "enum", "const"} & set(schema):
            unbounded.append(f"{where}: string without maxLength")
        if "array" in types and "maxItems" not in schema:
            unbounded.append(f"{where}: array without maxItems")
        if "integer" in types and not {"minimum", "maximum", "format"} <= set(schema):
            unbounded.append(f"{where}: integer without minimum, maximum and format")
    assert not unbounded, "\n".join(unbounded)


def test_page_size_is_bounded_yet_larger_is_cut(document: dict[str, Any]) -> None:
    limit = next(p for p in document["paths"]["/api/v1/cycles"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1
    assert limit["schema"]["maximum"] == 2**31 - 1
    assert "cut to 200" in limit["description"]


def test_precondition_failed_is_documented_exactly_where_if_match_is_read(document: dict[str, Any]) -> None:
    readers = 0
    for method, path, operation in _operations(document):
        reads = any(p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", []))
        assert ("412" in operation["responses"]) == reads, f"{method} {path}"
        readers += reads
    assert readers >= 16


def test_routes_that_send_an_etag_say_so(app: FastAPI) -> None:
    # The document declares ETag (and Location on a 201) from the return annotation; a route that answers with
    # resource_response must carry it, or its ETag would go undeclared.
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema]
    for route in routes:
        calls = "resource_response(" in inspect.getsource(route.endpoint)
        assert calls == sends_resource(route), f"{route.path}: annotate `-> ResourceResponse` exactly when it is one"
    assert sum(sends_resource(r) for r in routes) >= 30


def test_response_headers_are_declared_where_they_are_sent(document: dict[str, Any], app: FastAPI) -> None:
    resources = {
        (method.lower(), route.path_format)
        for route in app.routes
        if isinstance(route, APIRoute) and route.include_in_schema and sends_resource(route)
        for method in route.methods
    }
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            headers = set(response.get("headers", {}))
            assert "X-Request-ID" in headers, f"{method} {path} {status}"
            if status[0] in "24":
                assert {"RateLimit", "RateLimit-Policy"} <= headers, f"{method} {path} {status}"
            if status == "401":
                assert "WWW-Authenticate" in headers
            if status == "429":
                assert "Retry-After" in headers
            if status[0] == "2":
                assert ("ETag" in headers) == ((method.lower(), path) in resources), f"{method} {path} {status}"
                assert ("Location" in headers) == ("ETag" in headers and status == "201"), f"{method} {path}"
    declared = document["components"]["headers"]
    assert declared["ETag"]["required"] is True
    assert declared["X-Request-ID"]["required"] is True


def test_every_operation_documents_429_and_500_as_problems(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        if path.startswith(SCIM_PREFIX):
            continue  # not rate limited (the limiter counts /api/v1), and 500 is a SCIM error (above)
        for status in ("429", "500"):
            content = operation["responses"][status]["content"]
            assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, (
                f"{method} {path} {status}"
            )


def test_tags_are_declared_described_and_make_module_names(document: dict[str, Any]) -> None:
    declared = {tag["name"]: tag.get("description") for tag in document["tags"]}
    used = {tag for _, _, operation in _operations(document) for tag in operation.get("tags", [])}
    assert used == set(declared)
    for name, description in declared.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name), name
        assert description, name
    assert {"kprs", "kpis", "check-ins", "api-keys"} <= set(declared)


def test_the_document_names_its_servers_contact_and_license(document: dict[str, Any]) -> None:
    assert document["info"]["contact"]["name"]
    assert document["info"]["license"]["name"]
    server = document["servers"][0]
    assert server["url"] == "/"
    assert "x-internal" in server
    assert re.search("production", server["description"])


def test_request_fields_with_a_default_are_optional(document: dict[str, Any]) -> None:
    # A request field the service fills in is optional, and carries no `default` keyword (openapi-typescript would
    # type it as always present); a response writes every field, so there every field is required.
    inputs, outputs = schemas_in_and_out(document)
    schemas = document["components"]["schemas"]
    for name in inputs - outputs:
        for field, schema in schemas[name].get("properties", {}).items():
            assert "default" not in schema, f"{name}.{field}"
            if "Default: `" in schema.get("description", ""):
                assert field not in schemas[name].get("required", []), f"{name}.{field}"
    kpr = schemas["KprCreate"]
    assert "goal_weight" not in kpr["required"]
    assert "Default: `1`" in kpr["properties"]["goal_weight"]["description"]
    for name in outputs - inputs:
        schema = schemas[name]
        # A SCIM resource or message leaves unassigned attributes out (RFC 7643 §2.5), as its standard says.
        if name.startswith("Scim"):
            continue
        if name != "Problem" and schema.get("type") == "object" and "properties" in schema:
            assert set(schema["properties"]) == set(schema.get("required", [])), name


def test_scim_operations_speak_scim_json(document: dict[str, Any]) -> None:
    scim = [
        (method, path, operation) for method, path, operation in _operations(document) if path.startswith(SCIM_PREFIX)
    ]
    assert len(scim) == 15
    for method, path, operation in scim:
        assert operation["tags"] == ["scim"], f"{method} {path}"
        body = operation.get("requestBody")
        if body is not None:
            assert set(body["content"]) == {"application/scim+json"}, f"{method} {path}"
        for status, response in operation["responses"].items():
            assert set(response.get("content", {})) <= {"application/scim+json"}, f"{method} {path} {status}"
