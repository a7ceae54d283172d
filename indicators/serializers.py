"""The API's representation of the indicators and roll-ups, derived from the pure module's dataclasses.

`TargetIndicatorsSerializer`, `MilestoneIndicatorsSerializer` and
`RollupSerializer` have one field per dataclass field, of the type its
annotation says (a date, a number, a status, counts per status; nullable
where it may be None). An indicator added to `indicators.compute` appears in
the API, the CSV and the OpenAPI schema without being named here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.rows import FastRepresentationMixin

from . import compute
from .choices import Basis, MilestoneStatus, TargetStatus

# The enumerations of the pure module, with the model choices (and labels) derived from them.
_STATUS_CHOICES: dict[type[StrEnum], Any] = {
    compute.TargetStatus: TargetStatus.choices,
    compute.MilestoneStatus: MilestoneStatus.choices,
    compute.Basis: Basis.choices,
}


def _field(annotation: Any) -> serializers.Field[Any, Any, Any, Any]:
    """A serializer field for a dataclass field's type (`X | None` is a nullable X)."""
    arguments = typing.get_args(annotation)
    nullable = (typing.get_origin(annotation) in (types.UnionType, typing.Union)) and type(None) in arguments
    if nullable:
        (annotation,) = [a for a in arguments if a is not type(None)]
    options: dict[str, Any] = {"allow_null": True} if nullable else {}
    if annotation in _STATUS_CHOICES:
        return serializers.ChoiceField(choices=_STATUS_CHOICES[annotation], **options)
    if typing.get_origin(annotation) is dict:
        return serializers.DictField(child=_field(typing.get_args(annotation)[1]), **options)
    simple: Mapping[Any, type[serializers.Field[Any, Any, Any, Any]]] = {
        dt.date: serializers.DateField,
        bool: serializers.BooleanField,
        int: serializers.IntegerField,
        float: serializers.FloatField,
        str: serializers.CharField,
    }
    return simple[annotation](**options)


def dataclass_serializer(cls: type[Any], *, doc: str) -> type[serializers.Serializer[Any]]:
    """A read-only serializer with one field per field of the dataclass `cls`, in order."""
    hints = typing.get_type_hints(cls)
    declared: dict[str, Any] = {f.name: _field(hints[f.name]) for f in dataclasses.fields(cls)}
    name = f"{cls.__name__}Serializer"
    serializer: type[serializers.Serializer[Any]] = type(
        name, (FastRepresentationMixin, serializers.Serializer), {**declared, "__doc__": doc, "__module__": __name__}
    )
    return serializer


if TYPE_CHECKING:
    # What `dataclass_serializer` builds, declared as classes so that the checker lets other serializers extend them.
    class TargetIndicatorsSerializer(FastRepresentationMixin, serializers.Serializer[Any]): ...

    class MilestoneIndicatorsSerializer(FastRepresentationMixin, serializers.Serializer[Any]): ...

    class RollupSerializer(FastRepresentationMixin, serializers.Serializer[Any]): ...

else:
    TargetIndicatorsSerializer = dataclass_serializer(
        compute.TargetIndicators,
        doc="The indicators of shared/docs/indicators.md for one target; undefined values are null.",
    )
    MilestoneIndicatorsSerializer = dataclass_serializer(
        compute.MilestoneIndicators, doc="The indicators of one milestone as of a date."
    )
    RollupSerializer = dataclass_serializer(
        compute.Rollup,
        doc="api.md's `rollup`: counts per status, median and maximum slip, on-schedule share, as of a date.",
    )


class RollupInContextMixin:
    """A `rollup` method field for pillars and hubs: their roll-up from `context["rollups"]` (see `rollups_on`)."""

    rollup_scope: str  # "pillar" or "hub": the first half of the roll-ups' keys

    @extend_schema_field(RollupSerializer)
    def get_rollup(self, obj: Any) -> dict[str, Any] | None:
        context: Mapping[str, Any] = self.context  # type: ignore[attr-defined]
        rollup = context.get("rollups", {}).get((self.rollup_scope, obj.slug))
        if rollup is None:
            return None
        shared: dict[str, Any] = self.__dict__
        if "_rollup_serializer" not in shared:  # one for every row of a list
            shared["_rollup_serializer"] = RollupSerializer()
        representation: dict[str, Any] = shared["_rollup_serializer"].to_representation(rollup)
        return representation
