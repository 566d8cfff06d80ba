"""The served OpenAPI document against the `/v1` contract (docs/api/openapi.yaml).

Every served operation is the contract's operation: same method, path, operationId, parameters,
request body and 200 body (field names, nesting and required marks). Operations of the contract
that are not served yet are listed here by name, so the list shrinks as slices land.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
import yaml

from evwatch.config import ApiSettings
from evwatch.domain.bounds import Bounds
from serving.app import build_app

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "docs" / "api" / "openapi.yaml"
# The product owner's copy, next to the repository in the development workspace.
UPSTREAM = ROOT.parent / "shared" / "api" / "openapi.yaml"
METHODS = ("get", "post", "put", "patch", "delete")

EXTENSION_TAGS = {"Admin", "Issues", "Webhook Deliveries"}
NOT_YET_SERVED = {
    "submit_batch",
    "get_batch_status",
    "list_models",
    "start_fine_tune",
    "get_fine_tune_status",
    "get_model_detail",
}

Doc = dict[str, Any]


def _served() -> Doc:
    app = build_app(lambda: nullcontext(None), ApiSettings(), Bounds())  # type: ignore[arg-type, return-value]
    return app.openapi_schema.to_schema()


@pytest.fixture(scope="module")
def served() -> Doc:
    return _served()


@pytest.fixture(scope="module")
def contract() -> Doc:
    loaded: Doc = yaml.safe_load(CONTRACT.read_text())
    return loaded


def _resolve(doc: Doc, node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = doc["components"][section][name]
    return node


def _shape(doc: Doc, node: Any, depth: int = 0) -> Any:
    """Field names, nesting and required marks of a schema; scalar types and nullability left out."""
    node = _resolve(doc, node)
    if not isinstance(node, dict) or depth > 8:
        return None
    if "allOf" in node:
        parts = [_shape(doc, part, depth + 1) for part in node["allOf"]]
        objects = [p for p in parts if isinstance(p, dict)]
        return {
            "required": sorted({r for p in objects for r in p["required"]}),
            "props": {k: v for p in objects for k, v in p["props"].items()},
        }
    for key in ("oneOf", "anyOf"):
        if key in node:
            options = [_shape(doc, option, depth + 1) for option in node[key]]
            options = [o for o in options if o not in (None, "scalar")]
            return options[0] if len(options) == 1 else "scalar"
    if node.get("properties"):
        return {
            "required": sorted(node.get("required", [])),
            "props": {k: _shape(doc, v, depth + 1) for k, v in node["properties"].items()},
        }
    kind = node.get("type")
    if kind == "array" or (isinstance(kind, list) and "array" in kind):
        return ["array", _shape(doc, node.get("items", {}), depth + 1)]
    if kind == "object" or (isinstance(kind, list) and "object" in kind):
        return "object"
    return "scalar"


def _operations(doc: Doc) -> dict[tuple[str, str], Doc]:
    out = {}
    for path, item in doc["paths"].items():
        for method in METHODS:
            # `Admin`, `Issues` and `Webhook Deliveries` operations are evwatch's extensions beside the contract
            if method in item and path.startswith("/v1") and not EXTENSION_TAGS & set(item[method].get("tags", [])):
                operation = dict(item[method])
                operation["parameters"] = [*item.get("parameters", []), *operation.get("parameters", [])]
                out[(method, path)] = operation
    return out


def _parameters(doc: Doc, operation: Doc) -> dict[tuple[str, str], bool]:
    params = [_resolve(doc, p) for p in operation["parameters"]]
    return {(p["in"], p["name"]): bool(p.get("required", False)) for p in params}


def _json_schema(doc: Doc, holder: Doc | None) -> Any:
    if not holder or "content" not in holder:
        return None
    return _shape(doc, holder["content"]["application/json"]["schema"])


def test_every_served_operation_is_the_contracts_and_the_rest_are_listed(served: Doc, contract: Doc) -> None:
    ours, theirs = _operations(served), _operations(contract)
    assert set(ours) <= set(theirs), sorted(set(ours) - set(theirs))
    for key, operation in ours.items():
        assert operation["operationId"] == theirs[key]["operationId"], key
        assert operation["summary"] == theirs[key]["summary"], key
        assert operation["tags"] == theirs[key]["tags"], key
    missing = {op["operationId"] for key, op in theirs.items() if key not in ours}
    assert missing == NOT_YET_SERVED


def test_parameters_match(served: Doc, contract: Doc) -> None:
    theirs = _operations(contract)
    for key, operation in _operations(served).items():
        assert _parameters(served, operation) == _parameters(contract, theirs[key]), key


def test_every_request_body_is_documented_as_in_the_contract(served: Doc, contract: Doc) -> None:
    theirs = _operations(contract)
    for key, operation in _operations(served).items():
        expected = theirs[key].get("requestBody")
        body = operation.get("requestBody")
        assert bool(body) == bool(expected), key
        if expected:
            assert body["required"] == expected["required"], key
            assert _json_schema(served, body) == _json_schema(contract, expected), key


def test_every_answer_has_the_contracts_shape(served: Doc, contract: Doc) -> None:
    theirs = _operations(contract)
    for key, operation in _operations(served).items():
        expected = _json_schema(contract, theirs[key]["responses"]["200"])
        assert _json_schema(served, operation["responses"]["200"]) == expected, key


def test_errors_are_documented_with_the_error_schema(served: Doc, contract: Doc) -> None:
    error = _shape(contract, {"$ref": "#/components/schemas/Error"})
    for key, operation in _operations(served).items():
        for status in ("400", "401", "404", "422"):
            assert _json_schema(served, operation["responses"].get(status)) == error, (key, status)


@pytest.mark.skipif(not UPSTREAM.exists(), reason="the product owner's contract is only in the development workspace")
def test_the_vendored_contract_is_the_product_owners() -> None:
    assert CONTRACT.read_text() == UPSTREAM.read_text()


def test_the_admin_extension_is_documented_with_its_exact_shape(served: Doc) -> None:
    tenants = served["paths"]["/v1/admin/tenants"]
    create, listing = tenants["post"], tenants["get"]
    assert create["tags"] == listing["tags"] == ["Admin"]
    assert _json_schema(served, create["requestBody"]) == {"required": ["name"], "props": {"name": "scalar"}}
    created = {"tenantId": "scalar", "name": "scalar", "apiKey": "scalar", "createdAt": "scalar"}
    assert _json_schema(served, create["responses"]["201"]) == {"required": sorted(created), "props": created}
    assert _parameters(served, {"parameters": listing["parameters"]}) == {
        ("query", "page"): False,
        ("query", "pageSize"): False,
    }
    assert "403" in create["responses"] and "403" in listing["responses"]


def test_the_webhook_deliveries_extension_is_documented_beside_the_contract(served: Doc) -> None:
    listing = served["paths"]["/v1/webhooks/{webhook_id}/deliveries"]["get"]
    assert "Webhook Deliveries" in listing["tags"]
    page = _json_schema(served, listing["responses"]["200"])
    delivery = page["props"]["content"][1]
    assert set(delivery["props"]) == {
        "id",
        "eventType",
        "status",
        "httpStatus",
        "attemptCount",
        "createdAt",
        "completedAt",
        "attempts",
    }
    attempt = delivery["props"]["attempts"][1]
    assert set(attempt["props"]) == {"attempt", "at", "httpStatus", "latencyMs", "responseBody", "error"}
    assert ("query", "page") in _parameters(served, listing)
