"""Model fields every app shares."""

from __future__ import annotations

from typing import Any

from django.db import models

from .validators import validate_uri


class URIField(models.URLField):  # type: ignore[type-arg]  # django-stubs types URLField by its values
    """A web address Django's URLValidator accepts and RFC 3986 allows (`core.validators.validate_uri`).

    Every write goes through the model's validation (the admin's forms, the
    API's serializers, which copy model validators, and `full_clean()` in the
    services and the loader), so an address the API's schema would call
    invalid (`format: uri`) is refused wherever it comes from.
    """

    default_validators = [*models.URLField.default_validators, validate_uri]

    def deconstruct(self) -> Any:
        # To migrations it is a URLField: the rule lives in code, the column is the same.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs
