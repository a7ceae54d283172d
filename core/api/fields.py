"""Serializer fields every app's API shares."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# What drf-spectacular writes for a SlugField (its validator's pattern included).
SLUG_SCHEMA = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}


@extend_schema_field(SLUG_SCHEMA)
class SlugRelated(serializers.SlugRelatedField[Any]):
    """A related object shown by its slug, documented as a slug in the schema.

    drf-spectacular cannot follow a relation read from a prefetched list
    (`source="hub_list"`); this tells it what the value is.
    """
