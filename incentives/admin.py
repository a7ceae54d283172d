"""Admin for what the policy offers companies, researchers and students."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, ServiceAdminMixin

from .choices import Applicant, IncentiveScope, Province
from .models import Incentive


class IncentiveAdminForm(forms.ModelForm):  # type: ignore[type-arg]  # django-stubs types it by its model
    """The JSON lists as checkboxes of their fixed choices; a regional incentive names where it applies."""

    provinces = forms.MultipleChoiceField(
        label=_("provinces"),
        choices=Province.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A regional incentive applies in every hub of these provinces, and in the hubs named."),
    )
    applicants = forms.MultipleChoiceField(
        label=_("organisation types that may apply"),
        choices=Applicant.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty when who may apply is not published."),
    )

    class Meta:
        model = Incentive
        # The admin's fieldsets choose what the page shows; these are the ones the form may edit.
        fields = [
            *("name", "slug", "kind", "status", "pillar", "summary", "administered_by", "eligibility"),
            *("scope", "provinces", "hubs", "applicants"),
            *("apply_to", "apply_url", "apply_address", "announced_on", "opens_on", "closes_on"),
            *("planned_launch_on", "planned_launch_basis", "launched_on"),
            *("budget_amount", "budget_currency", "budget_note"),
            *("confidence", "disputed", "dispute_note", "sources"),
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("scope") == IncentiveScope.REGIONAL and not data.get("provinces") and not data.get("hubs"):
            self.add_error("scope", _("A regional incentive names at least one province or hub."))
        return data


@admin.register(Incentive)
class IncentiveAdmin(ServiceAdminMixin, HistoryAdmin[Incentive]):
    """Incentives are plain records (no indicators depend on them), saved by `core.records.record_save`."""

    form = IncentiveAdminForm
    list_display = ["name", "kind", "status", "scope", "pillar", "opens_on", "closes_on", "budget", "confidence"]
    list_filter = ["kind", "status", "scope", "pillar", "confidence"]
    list_select_related = ["pillar"]
    search_fields = ["name", "slug", "summary", "administered_by", "apply_to"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["pillar", "hubs", "sources"]
    date_hierarchy = "planned_launch_on"
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "status", "pillar", "summary", "administered_by", "eligibility"]}),
        (_("Where and who"), {"fields": ["scope", "provinces", "hubs", "applicants"]}),
        (
            _("How and when to apply"),
            {
                "fields": ["apply_to", "apply_url", "apply_address", "announced_on", "opens_on", "closes_on"],
                "description": _("Leave a date empty when it is not published: the portal then says so."),
            },
        ),
        (_("Launch"), {"fields": ["planned_launch_on", "planned_launch_basis", "launched_on"]}),
        (_("Budget"), {"fields": ["budget_amount", "budget_currency", "budget_note"]}),
        (_("Sources"), {"fields": ["confidence", "disputed", "dispute_note", "sources"]}),
    ]

    @admin.display(description=_("budget"), ordering="budget_amount")
    def budget(self, obj: Incentive) -> str | None:
        if obj.budget_amount is None:
            return None
        return f"{obj.budget_amount:,.0f} {obj.budget_currency}".strip()
