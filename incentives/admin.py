"""Admin for what the policy offers companies, researchers and students."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, ServiceAdminMixin

from .models import Incentive


@admin.register(Incentive)
class IncentiveAdmin(ServiceAdminMixin, HistoryAdmin[Incentive]):
    """Incentives are plain records (no indicators depend on them), saved by `core.records.record_save`."""

    list_display = ["name", "kind", "status", "pillar", "planned_launch_on", "launched_on", "budget", "confidence"]
    list_filter = ["kind", "status", "pillar", "confidence"]
    list_select_related = ["pillar"]
    search_fields = ["name", "slug", "summary", "administered_by"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["pillar", "hubs", "sources"]
    date_hierarchy = "planned_launch_on"
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "status", "pillar", "summary", "administered_by", "eligibility"]}),
        (_("Launch"), {"fields": ["planned_launch_on", "planned_launch_basis", "launched_on"]}),
        (_("Budget"), {"fields": ["budget_amount", "budget_currency", "budget_note"]}),
        (_("Sources"), {"fields": ["confidence", "disputed", "dispute_note", "hubs", "sources"]}),
    ]

    @admin.display(description=_("budget"), ordering="budget_amount")
    def budget(self, obj: Incentive) -> str | None:
        if obj.budget_amount is None:
            return None
        return f"{obj.budget_amount:,.0f} {obj.budget_currency}".strip()
