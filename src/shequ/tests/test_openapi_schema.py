"""The schema at ``/api/openapi.json`` is one a client generator can trust
(issue 16): one meaning per component name, every status an operation can
answer documented, fixed choices documented as enums."""

import enum
import inspect
import json
import typing
from collections import defaultdict

import pytest
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from shequ.api import api

UNSAFE = {"post", "put", "patch", "delete"}

# Writes that cannot meet a state that forbids them (nothing else changes
# what they touch).
CANNOT_CONFLICT = {
    "POST /api/notifications/{notification_id}/read": "标为已读：重复标记无妨",
    "POST /api/notifications/read-all": "全部标为已读：重复标记无妨",
}

# Parameters and body fields that take one of a fixed set of values, by name.
CHOICE_NAMES = {
    "status", "level", "role", "rating", "category", "kind", "standing", "relation",
    "partner_kind", "reason", "decision", "channel", "urgency", "choice", "action",
    "location_kind", "proposer_kind", "tag", "figure", "appeal_kind", "appeal_category",
}  # fmt: skip
# ... and the ones of those names whose values are not fixed, with the reason.
FREE_TEXT = {
    ("GET /api/deliberation/topics", "category"): "门类来自各区自己的协商目录",
    ("GET /api/deliberation/outcomes", "category"): "门类来自各区自己的协商目录",
    ("GET /api/party/transfers", "kind"): "可用逗号连写多个类别（in,within）",
    ("POST /api/services/cases/{case_id}/actions/{action}", "reason"): "操作字段在 data 中",
    ("POST /api/whistles/whistles/{whistle_id}/actions", "reason"): "退回理由（文字）",
    ("POST /api/deliberation/topics/{topic_id}/reject", "reason"): "不予受理的理由（文字）",
    ("POST /api/party/transfers/{transfer_id}/{action}", "reason"): "退回原因（文字）",
}


def _schema() -> dict:
    return api.get_openapi_schema()


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", method, path, operation


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _body_properties(schema: dict, operation: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema")
    return _resolve(schema, body).get("properties", {}) if body else {}


def _has_enum(schema: dict, node: dict) -> bool:
    node = _resolve(schema, node)
    if "enum" in node or "const" in node:
        return True
    return any(_has_enum(schema, option) for option in node.get("anyOf", []))


# -- one meaning per component name -----------------------------------------------------------


def _models(annotation, seen: set) -> typing.Iterator[type]:
    """The pydantic models and enums an annotation is made of, nested ones too."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        if annotation in seen:
            return
        seen.add(annotation)
        yield annotation
        if issubclass(annotation, BaseModel):
            for field in annotation.model_fields.values():
                yield from _models(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        yield from _models(arg, seen)


def _operation_models() -> typing.Iterator[tuple[str, type]]:
    # ninja's bound routers hold the operations as the schema is built from them.
    seen: set = set()
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                wrappers = [*op.models, *(m for m in op.response_models.values() if m)]
                for wrapper in wrappers:
                    if not isinstance(wrapper, type) or not issubclass(wrapper, BaseModel):
                        continue
                    for field in wrapper.model_fields.values():
                        for model in _models(field.annotation, seen):
                            yield f"{router.prefix}{path}", model


def _definition(model: type) -> str:
    if issubclass(model, enum.Enum):
        return json.dumps(sorted(str(m.value) for m in model))
    return json.dumps(model.model_json_schema(mode="serialization"), sort_keys=True)


def test_no_two_schemas_share_a_component_name():
    by_name: dict[str, dict[str, str]] = defaultdict(dict)
    for path, model in _operation_models():
        # ninja makes one Paged<Item> class per paginated operation: the same
        # definition under the same name is one component, not a collision.
        by_name[model.__name__].setdefault(_definition(model), f"{model.__module__} ({path})")
    clashes = {name: sorted(where.values()) for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}
    assert len(by_name) > 100


def test_the_built_schema_writes_each_component_once(monkeypatch):
    # ninja merges each operation's definitions into one dict: a second,
    # different definition under a name silently replaces the first.
    written: dict[str, str] = {}
    replaced: set[str] = set()
    merge = OpenAPISchema.add_schema_definitions

    def watching(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            text = json.dumps(definition, sort_keys=True)
            if written.setdefault(name, text) != text:
                replaced.add(name)
        merge(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", watching)
    schema = _schema()
    assert replaced == set()
    assert set(written) <= set(schema["components"]["schemas"])


# -- every status documented --------------------------------------------------------------------


def _takes_an_id(schema: dict, operation: dict) -> bool:
    names = [p["name"] for p in operation.get("parameters", [])]
    names += list(_body_properties(schema, operation))
    return any(name == "id" or name.endswith("_id") or name.endswith("_ids") for name in names)


def _view(operation: dict):
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                if api.get_openapi_operation_id(op) == operation["operationId"]:
                    return op.view_func
    raise LookupError(operation["operationId"])


def expected_statuses(schema: dict, label: str, method: str, operation: dict) -> set[int]:
    """What an operation can answer besides its success: every operation is
    authenticated (401), checks a permission or a session's CSRF token (403)
    and validates its input (422); a JSON body can be unparsable (400); an id
    can be unknown or out of scope (404); a write can meet a state that
    forbids it (409); a throttled operation refuses with 429."""
    statuses = {401, 403, 422}
    if "requestBody" in operation:
        statuses.add(400)
    if _takes_an_id(schema, operation):
        statuses.add(404)
    if method in UNSAFE and label not in CANNOT_CONFLICT:
        statuses.add(409)
    if "throttle" in inspect.getsource(_view(operation)):
        statuses.add(429)
    return statuses


def test_every_operation_documents_every_status_it_can_answer():
    schema = _schema()
    missing = {}
    for label, method, _path, operation in _operations(schema):
        documented = {int(code) for code in operation["responses"]}
        if not any(200 <= code < 300 for code in documented):
            missing[label] = "no 2xx"
            continue
        lacking = expected_statuses(schema, label, method, operation) - documented
        if lacking:
            missing[label] = sorted(lacking)
    assert missing == {}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_refusals_are_documented_with_the_error_body(status):
    schema = _schema()
    for label, _method, _path, operation in _operations(schema):
        response = operation["responses"].get(str(status))
        if response is None:
            continue
        body = response["content"]["application/json"]["schema"]
        assert _resolve(schema, body)["title"] == "ErrorOut", label
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"]


# -- fixed choices as enums -----------------------------------------------------------------------


def test_fixed_choices_are_documented_as_enums():
    schema = _schema()
    plain, seen = [], 0
    for label, _method, _path, operation in _operations(schema):
        fields = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
        fields.update(_body_properties(schema, operation))
        for name, node in fields.items():
            if name not in CHOICE_NAMES or (label, name) in FREE_TEXT:
                continue
            seen += 1
            if not _has_enum(schema, node):
                plain.append(f"{label} {name}")
    assert plain == []
    assert seen > 40


def test_a_value_outside_a_choice_is_refused_with_its_own_message(client, people):
    client.force_login(people.worker)
    cases = "/api/services/cases"
    refused = [client.get(cases, query) for query in ({"status": "lost"}, {"rating": "7"})]
    assert [(r.status_code, r.json()) for r in refused] == [
        (422, {"detail": "未知的办件状态。", "field": "status"}),
        (422, {"detail": "评价等级应为1到5。", "field": "rating"}),
    ]
    for query in ({"status": ""}, {"status": "open"}, {"rating": "3"}, {"level": "warned"}):
        assert client.get(cases, query).status_code == 200, query
    parameters = {
        p["name"]: p["schema"]
        for p in _schema()["paths"]["/api/services/cases"]["get"]["parameters"]
    }
    assert sorted(parameters["rating"]["anyOf"][0]["enum"]) == [1, 2, 3, 4, 5]
    assert "done" in parameters["status"]["anyOf"][0]["enum"]
