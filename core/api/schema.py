"""What the OpenAPI schema says of every endpoint: the as-of parameter, 304 and the error answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.module_loading import import_string
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, OpenApiParameter
from rest_framework import permissions, serializers

from core.api import tables
from core.api.descriptions import FIELDS, OPERATIONS, PARAMETERS
from core.api.permissions import IsEditorOrReadOnly
from core.asof import DATE_PATTERN

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    pattern=DATE_PATTERN,
    description="The indicators as they stood on this date (YYYY-MM-DD, 2000-01-01 to 2100-12-31). "
    "Default (the parameter left out): today in Asia/Karachi.",
)
BASIS = OpenApiParameter(
    "basis",
    OpenApiTypes.STR,
    enum=["reported", "illustrative"],
    description="`reported` (the default): reported figures only. `illustrative`: figures made up for a "
    "demonstration count too, and every indicator and roll-up says `basis: illustrative`.",
)

# Every GET: the language of the records' texts (core/api/negotiation.py).
LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=["en", "ur"],
    description="The language of the records' texts (titles, descriptions, notes, units, ...), in the same fields: "
    "`ur` gives the portal's Urdu translation where there is one and the English text otherwise (the English "
    "prevails); `en` gives English. Left out: the `Accept-Language` header decides, else English.",
)


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of a 401, 403, 404, 415 or 429: what went wrong, in words."""

    detail = serializers.CharField()


# The body of a 400.
VALIDATION_ERROR = {
    "type": "object",
    "description": "A list of messages per field or query parameter (e.g. `as_of`); `detail` for an unreadable body.",
    "additionalProperties": {},
}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the responses api.md promises on every endpoint: 304 and the errors.

    Clients (and schemathesis) can then rely on the documented status codes and bodies.
    """

    def get_auth(self) -> list[dict[str, list[str]]]:
        """Reads are public (`IsEditorOrReadOnly`): a GET lists "no credentials" beside the token and the session.

        drf-spectacular recognises only DRF's own read-only permissions, so every read was documented as
        needing a login (a lock in Swagger UI, and clients generated to demand credentials).
        """
        auths: list[dict[str, list[str]]] = super().get_auth()
        public = any(isinstance(p, IsEditorOrReadOnly) for p in self.view.get_permissions())
        if self.method in permissions.SAFE_METHODS and public and {} not in auths:
            auths.append({})
        return auths

    def get_override_parameters(self) -> list[Any]:
        """`lang` on every GET; `table` on every GET that answers CSV or XLSX and has related tables: their names."""
        parameters: list[Any] = list(super().get_override_parameters())
        if self.method == "GET":
            parameters.append(LANG)
        if self.method != "GET" or not any(getattr(r, "tabular", False) for r in self.view.get_renderers()):
            return parameters
        layout = tables.view_layout(self.view)
        names = [tables.relative_name(layout, table) for table in layout.walk()][1:] if layout is not None else []
        if names:
            parameters.append(
                OpenApiParameter(
                    tables.TABLE_PARAM,
                    OpenApiTypes.STR,
                    enum=names,
                    description=TABLE_DESCRIPTION % {"main": layout.name if layout is not None else ""},
                )
            )
        return parameters

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        extra: dict[str, Any] = {"400": VALIDATION_ERROR, "401": ErrorSerializer, "404": ErrorSerializer}
        if self.method in ("GET", "HEAD"):
            responses.setdefault("304", {"description": "Not modified: the `If-None-Match` ETag still matches."})
        else:
            extra |= {"403": ErrorSerializer, "415": ErrorSerializer}
        extra["429"] = ErrorSerializer
        # Answered by gunicorn before the portal reads the request (`limit_request_line` in gunicorn.conf.py).
        responses.setdefault("414", {"description": "The address is longer than 8,190 bytes (no JSON body)."})
        for code, body in extra.items():
            if code not in responses:
                # drf-spectacular leaves `_get_response_for_code` unannotated.
                responses[code] = self._get_response_for_code(body, code, direction=direction)  # type: ignore[no-untyped-call]
        return responses


def closed_request_bodies(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Every request body is closed (`additionalProperties: false`): the write serializers refuse unknown fields.

    A drf-spectacular post-processing hook (`SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`). Without it the
    schema allowed any extra property, which the API answers with a 400 naming it.
    """
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


def enum_varnames(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Every named enum carries `x-enum-varnames`: the choices' own member names (`A_PLUS` for `A+`).

    A drf-spectacular post-processing hook, after its enum hook. Client generators name enum members from
    the values unless told otherwise, and `A+` and `A` of `ConfidenceEnum` both became `A`
    (openapi-python-client stopped on the duplicate); `x-enum-varnames` (honoured by openapi-python-client
    and openapi-generator) gives each value the name the code uses.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for name, dotted in spectacular_settings.ENUM_NAME_OVERRIDES.items():
        component = schemas.get(name)
        if component is None or "enum" not in component:
            continue
        choices = import_string(dotted)
        names = {str(choice.value): choice.name for choice in choices}
        if all(str(value) in names for value in component["enum"]):
            component["x-enum-varnames"] = [names[str(value)] for value in component["enum"]]
    return result


# Examples of the main answers (`examples.json`: real answers for the bundled data, as of 2026-06-30), by operationId.
EXAMPLES: dict[str, dict[str, Any]] = {
    operation_id: {
        "example": {"summary": example["summary"], "description": example["request"], "value": example["value"]}
    }
    for operation_id, example in json.loads((Path(__file__).parent / "examples.json").read_text("utf-8")).items()
}

CSV_SCHEMA = {
    "type": "string",
    "description": "One table of the JSON, as CSV in UTF-8 with a byte order mark and CRLF line ends, one scalar per "
    "cell: a nested object becomes dotted columns (`indicators.slip_days`, empty when it is null); a list (sources, "
    "trajectory, evidence, re-baselines, hub slugs) is a related table, one row per item, keyed by its parent "
    "(`target_id`, `pillar_slug`) and `position` (from 1, in the JSON's order); counts per status are a related "
    "table of `status` and `count`; a value of any type (a change's `old` and `new`) is JSON text. Without `table` "
    'this is the main table; the `Link` header (rel="related") gives the address of each related one. An empty '
    "cell is null (empty text in a column that is never null); text a spreadsheet would run as a formula "
    "(`=`, `+`, `-`, `@`) starts with an apostrophe.",
}
SPREADSHEET_MEDIA_PREFIX = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XLSX_SCHEMA = {
    "type": "string",
    "format": "binary",
    "description": "Every table of the CSV answer in one XLSX workbook: the main table in the first sheet, then one "
    "sheet per related table (named as `table` names it), the same columns; dates are dates, numbers numbers.",
}
TABLE_DESCRIPTION = (
    "With `format=csv`: the related table to answer instead of the main one (`%(main)s`), e.g. `sources`; the "
    "`Link` header of any CSV answer lists them all. Another name, or the parameter given twice, is a 400."
)
FORMATS = {
    "json": "`json` (the default, also chosen by an `Accept` header)",
    "csv": "`csv` (UTF-8 with a byte order mark)",
    "xlsx": "`xlsx` (a workbook)",
    "api": "`api` (the browsable page)",
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The `ETag` of your copy: the answer is 304 with no body while it still matches.",
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The `ETag` of the copy you changed: 412 if the record was saved since (`*` or none: no check).",
}
PRECONDITION_FAILED = {
    "description": "Precondition failed: the record changed since the copy whose ETag `If-Match` names; nothing "
    "was changed.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
TOO_LARGE = {
    "description": "The request body is larger than 2.5 MB (`DATA_UPLOAD_MAX_MEMORY_SIZE`); nothing was read.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _describe_schema(name: str, component: dict[str, Any]) -> None:
    for field, prop in component.get("properties", {}).items():
        if "description" not in prop:
            text = FIELDS.get(f"{name}.{field}", FIELDS.get(field))
            if text is None:
                continue
            if "$ref" in prop:
                # A description beside a $ref is ignored in OpenAPI 3.0: wrap the reference.
                component["properties"][field] = prop = {"allOf": [{"$ref": prop.pop("$ref")}], **prop}
            prop["description"] = text
        if prop.get("nullable") and "type" not in prop and "allOf" in prop:
            prop["type"] = "object"  # `nullable` needs a `type` beside it (OpenAPI 3.0)


def describe(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Summaries, descriptions, CSV and conditional-request details: what drf-spectacular cannot infer.

    A drf-spectacular post-processing hook. The words come from `core.api.descriptions`. Also: the CSV answer
    is a string (not the JSON schema), GETs take `If-None-Match`, PATCHes take `If-Match` and may answer 412,
    writes may answer 413; every `nullable` reference says its type.
    """
    for name, component in result.get("components", {}).get("schemas", {}).items():
        _describe_schema(name, component)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            operation_id = operation.get("operationId", "")
            summary, description = OPERATIONS.get(operation_id, ("", ""))
            if summary:
                operation["summary"] = summary
            if description:
                operation["description"] = description
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "format" and parameter["in"] == "query":
                    names = [FORMATS.get(value, f"`{value}`") for value in parameter["schema"].get("enum", [])]
                    parameter["description"] = (
                        f"The representation: {', '.join(names)}. Any other value, or an empty one, is a 400."
                    )
                text = PARAMETERS.get(f"{operation_id}:{parameter['name']}", PARAMETERS.get(parameter["name"]))
                if text and not parameter.get("description"):
                    parameter["description"] = text
            responses = operation.get("responses", {})
            for response in responses.values():
                content = response.get("content", {})
                if "text/csv" in content:
                    content["text/csv"] = {"schema": dict(CSV_SCHEMA)}
                for media_type in [m for m in content if m.startswith(SPREADSHEET_MEDIA_PREFIX)]:
                    content[media_type] = {"schema": dict(XLSX_SCHEMA)}
            parameters = operation.setdefault("parameters", [])
            if method == "get":
                parameters.append(dict(IF_NONE_MATCH))
            if method == "patch":
                parameters.append(dict(IF_MATCH))
                responses.setdefault("412", PRECONDITION_FAILED)
            if method in ("post", "patch"):
                responses.setdefault("413", TOO_LARGE)
            example = EXAMPLES.get(operation_id)
            if example is not None and "application/json" in responses.get("200", {}).get("content", {}):
                responses["200"]["content"]["application/json"]["examples"] = example
    return result
