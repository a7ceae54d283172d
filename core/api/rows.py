"""Fast rows: a serializer's declared representation, from a plan compiled once from its fields.

DRF represents an object field by field through a generic path (look the
attribute up, check for None, call the field's `to_representation`, build the
dict), which costs most of a rendered 100-row page. A serializer that mixes in
`FastRepresentationMixin` keeps its fields declared once, the DRF way
(`Meta.fields`, nested serializers, method fields); the mixin compiles, per
serializer instance, one step per readable field:

* fields whose representation is a plain conversion (text, numbers,
  booleans, ISO dates, choices) read the attribute with DRF's own
  `get_attribute` and convert it directly;
* nested serializers that use the mixin too are represented by their own plan;
* every other field (relations, files, datetimes, custom fields) takes DRF's
  own path for that field, unchanged.

The result is the same dict DRF builds (`declared_representation`), which
tests/core/api/test_rows.py holds every serializer using the mixin to.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.db.models.manager import BaseManager
from rest_framework import fields, serializers
from rest_framework.fields import SkipField, get_attribute
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

Step = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _iso_date(value: Any) -> Any:
    return value if isinstance(value, str) else value.isoformat()


def _converter(field: fields.Field[Any, Any, Any, Any]) -> Step | None:
    """A direct conversion equal to `field.to_representation` for a non-None value, if there is one."""
    kind = type(field)
    if kind in (fields.CharField, fields.SlugField, fields.URLField, fields.EmailField):
        return str
    if kind is fields.IntegerField:
        return int
    if kind is fields.FloatField:
        return float
    if kind is fields.ReadOnlyField:
        return _identity
    if kind is fields.BooleanField:
        slow = field.to_representation
        return lambda value: value if value is True or value is False else slow(value)
    if kind is fields.DateField and str(getattr(field, "format", api_settings.DATE_FORMAT)).lower() == "iso-8601":
        return lambda value: _iso_date(value) if value else None
    if kind is fields.ChoiceField:
        choices = field.choice_strings_to_values  # type: ignore[attr-defined]
        return lambda value: value if value == "" else choices.get(str(value), value)
    if kind is fields.DictField:
        child = _converter(field.child)  # type: ignore[attr-defined]
        if child is None:
            return None
        return lambda value: {str(k): None if v is None else child(v) for k, v in value.items()}
    if isinstance(field, serializers.ListSerializer) and isinstance(field.child, FastRepresentationMixin):
        represent = field.child.to_representation
        return lambda value: [represent(item) for item in (value.all() if isinstance(value, BaseManager) else value)]
    if isinstance(field, FastRepresentationMixin):
        return field.to_representation
    return None


def _slow_step(field: fields.Field[Any, Any, Any, Any]) -> Step:
    """DRF's own path for one field (`Serializer.to_representation`'s loop body)."""

    def step(instance: Any) -> Any:
        attribute = field.get_attribute(instance)
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return step


_MAPPING_TYPES: dict[type[Any], bool] = {}


def _is_mapping(kind: type[Any]) -> bool:
    # `isinstance(x, Mapping)` goes through the ABC machinery: remembered per type, it costs a dict lookup.
    found = _MAPPING_TYPES.get(kind)
    if found is None:
        found = _MAPPING_TYPES[kind] = issubclass(kind, Mapping)
    return found


def _reader(attrs: list[str]) -> Step:
    """`rest_framework.fields.get_attribute(instance, attrs)`, with a short path for one plain attribute."""
    if len(attrs) != 1:
        return lambda instance: get_attribute(instance, attrs)
    (name,) = attrs

    def read(instance: Any) -> Any:
        if _is_mapping(type(instance)):
            return get_attribute(instance, attrs)
        value = getattr(instance, name)
        # DRF calls what is "simply callable" (a method, a function); a plain value is returned as it is.
        return get_attribute(instance, attrs) if callable(value) else value

    return read


def _step(field: fields.Field[Any, Any, Any, Any]) -> Step:
    if type(field) is serializers.SerializerMethodField:
        # DRF passes the instance itself (source "*") to the parent's `get_<name>` method.
        method: Step = getattr(field.parent, field.method_name)
        return method
    convert = _converter(field)
    if convert is None or field.source == "*":
        return _slow_step(field)
    read = _reader(field.source_attrs)

    def step(instance: Any) -> Any:
        try:
            value = read(instance)
        except (KeyError, AttributeError):
            value = field.get_attribute(instance)  # DRF's handling: default, null, skip or a clear error
        return None if value is None else convert(value)

    return step


class FastRepresentationMixin:
    """`to_representation` through a plan compiled from the serializer's declared fields (see the module)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan: list[tuple[str, Step]] | None = self.__dict__.get("_fast_plan")
        if plan is None:
            readable = self._readable_fields  # type: ignore[attr-defined]
            plan = self.__dict__["_fast_plan"] = [(field.field_name, _step(field)) for field in readable]
        row: dict[str, Any] = {}
        for name, step in plan:
            try:
                row[name] = step(instance)
            except SkipField:
                continue
        return row

    def declared_representation(self, instance: Any) -> dict[str, Any]:
        """DRF's own representation of the declared fields: what `to_representation` equals."""
        return dict(super().to_representation(instance))  # type: ignore[misc]


def represent(
    serializer_class: type[serializers.BaseSerializer[Any]], items: Collection[Any], context: Mapping[str, Any]
) -> list[Any]:
    """What `serializer_class(items, many=True, context=context).data` gives, as a plain list.

    One serializer for the whole list and no ListSerializer (which, with its
    child, would hold the rows in a reference cycle until the garbage collector's
    next pass); none at all for no items.
    """
    if not items:
        return []
    serializer = serializer_class(context=dict(context))
    return [serializer.to_representation(item) for item in items]


class RepresentedRows:
    """A sliceable list (a queryset, a `Listing`) whose slices come out represented by `represent`.

    Handed to a paginator, it leaves the paginator (and so the view, which
    DRF keeps in a reference cycle until the garbage collector runs) holding
    only the rows sent, never the model instances they were read from.
    """

    def __init__(self, rows: Any, represent: Callable[[list[Any]], list[Any]]) -> None:
        self._rows = rows
        self._represent = represent

    def count(self) -> int:
        if isinstance(self._rows, list | tuple):
            return len(self._rows)
        counted: int = self._rows.count()
        return counted

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        return self._represent(list(self._rows[index]))
