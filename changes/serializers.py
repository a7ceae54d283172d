"""The public record of changes as JSON: api.md's fields, and what a reader needs to follow a change to its page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .choices import ChangeKind, ObjectType, Role
from .selectors import Change


class ChangeObjectSerializer(serializers.Serializer[dict[str, Any]]):
    type = serializers.ChoiceField(choices=ObjectType.choices)
    id = serializers.IntegerField()


class ChangeFigureSerializer(serializers.Serializer[dict[str, Any]]):
    date = serializers.DateField()
    value = serializers.FloatField()


class ChangeItemSerializer(serializers.Serializer[Any]):
    """The target, milestone or incentive whose page shows the change."""

    type = serializers.ChoiceField(choices=[ObjectType.TARGET, ObjectType.MILESTONE, ObjectType.INCENTIVE])
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="The target's or milestone's code; an incentive's slug.")
    title = serializers.CharField()


@extend_schema_field(OpenApiTypes.ANY)
class AnyValue(serializers.Field[Any, Any, Any, Any]):
    """A value as it is in JSON: a number, an ISO date, a boolean, text, an object (a re-baseline) or null."""

    def to_representation(self, value: Any) -> Any:
        return value


class ChangeSerializer(serializers.Serializer[Change]):
    """One change to published data: what changed, from what to what, why, on what evidence, by which role."""

    id = serializers.CharField(help_text="Stable: the table and the row of the record (`measurement-12`).")
    at = serializers.DateTimeField(help_text="When the change was recorded.")
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    object = ChangeObjectSerializer(help_text="The record changed: a figure (measurement), target, milestone, ...")
    field = serializers.CharField(help_text="The field the change is about (`value`, `forecast_due_date`, ...).")
    old = AnyValue(help_text="The earlier value; null for a new figure.")
    new = AnyValue(help_text="The new value; null for a deletion.")
    reason = serializers.CharField(help_text="Why, as the editor gave it (a withdrawal's reason, ...).")
    evidence = serializers.CharField(help_text="The address of the source or evidence; empty when none was given.")
    role = serializers.ChoiceField(choices=Role.choices, help_text="Who made it, as a role: names are not public.")
    item = ChangeItemSerializer(allow_null=True)
    figure = ChangeFigureSerializer(
        allow_null=True,
        help_text="For a change to a figure: its date and value (the value withdrawn, for a withdrawal).",
    )
    pillar = serializers.CharField(allow_null=True, help_text="The pillar's slug, or null for a policy-wide item.")
    illustrative = serializers.BooleanField(help_text="A change to a figure made up for a demonstration.")
    unit = serializers.CharField(help_text="The unit of a figure's or a target's values.")
