from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filters import TextFilter

from .choices import HubStatus, HubTier
from .models import Hub


class HubFilterSet(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """Filters of the hub list: province, tier, status."""

    province = TextFilter(field_name="province", lookup_expr="iexact", label=_("Province"))
    tier = filters.MultipleChoiceFilter(choices=HubTier.choices, label=_("Tier"))
    status = filters.MultipleChoiceFilter(choices=HubStatus.choices, label=_("Status"))

    class Meta:
        model = Hub
        fields: list[str] = []
