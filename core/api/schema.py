"""What the OpenAPI schema says of every endpoint: the as-of parameter, 304 and the error answers."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, OpenApiParameter
from rest_framework import permissions, serializers

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
