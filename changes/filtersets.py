"""The filters of the public record of changes, shared by `/changes/` and `/api/v1/changes/`.

The record is a UNION over several tables (`changes.selectors`), not one
queryset, so the FilterSet only validates the query string (and gives the
page its form and the API its schema); `wanted()` hands the selectors what
it asks for.
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.asof import AsOf
from core.filters import DateFilter
from pillars.models import Pillar

from .choices import ChangeKind
from .selectors import ChangeFilter


class ChangeFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("“To” comes before “From”."))
        return data


class IdFilter(filters.NumberFilter):  # type: ignore[misc]  # django-filter ships no types
    """A primary key: a whole number (`?target=1.5` is a 400, not target 1)."""

    field_class = forms.IntegerField


class ChangeFilterSet(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """kind (one or more), pillar (slug), since and until (dates, inclusive), one target, milestone or incentive."""

    kind = filters.MultipleChoiceFilter(choices=ChangeKind.choices, label=_("Kind of change"), method="_keep")
    pillar = filters.ModelChoiceFilter(
        queryset=Pillar.objects.order_by("number"), to_field_name="slug", label=_("Pillar"), method="_keep"
    )
    since = DateFilter(label=_("From"), method="_keep")
    until = DateFilter(label=_("To"), method="_keep")
    target = IdFilter(label=_("Target (id)"), method="_keep", min_value=1, max_value=2**63 - 1)
    milestone = IdFilter(label=_("Milestone (id)"), method="_keep", min_value=1, max_value=2**63 - 1)
    incentive = IdFilter(label=_("Incentive (id)"), method="_keep", min_value=1, max_value=2**63 - 1)

    def _keep(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset  # read by `wanted()`, not applied here

    class Meta:
        form = ChangeFilterForm

    def wanted(self, view: AsOf) -> ChangeFilter:
        """What the query string asks for, on the basis of `view`; on a past as-of date, the record as it stood."""
        data = self.form.cleaned_data
        until = data.get("until")
        if view.explicit and (until is None or until > view.date):
            until = view.date

        def pk(name: str) -> int | None:
            value = data.get(name)
            return int(value) if value is not None else None

        return ChangeFilter(
            kinds=frozenset(data.get("kind") or ()),
            pillar=data.get("pillar"),
            since=data.get("since"),
            until=until,
            basis=view.basis,
            target_id=pk("target"),
            milestone_id=pk("milestone"),
            incentive_id=pk("incentive"),
        )
