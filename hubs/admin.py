"""Admin for the cities that host Centres of Excellence and other hubs."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, ServiceAdminMixin

from .models import Hub


@admin.register(Hub)
class HubAdmin(ServiceAdminMixin, HistoryAdmin[Hub]):
    """Coordinates are checked by `Hub.clean`, so a latitude of 95 is refused with a message."""

    list_display = ["name", "province", "tier", "status", "planned_launch_on", "launched_on", "confidence"]
    list_filter = ["tier", "status", "province", "confidence"]
    search_fields = ["name", "name_ur", "province", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]
    fieldsets = [
        (None, {"fields": ["name", "name_ur", "slug", "province", "tier", "role"]}),
        (_("Location"), {"fields": ["latitude", "longitude", "coordinates_confidence"]}),
        (_("Launch"), {"fields": ["status", "planned_launch_on", "planned_launch_basis", "launched_on"]}),
        (_("Sources"), {"fields": ["confidence", "sources"]}),
    ]
