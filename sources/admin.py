"""Admin for the sources every figure, date and event cites."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.admin import ServiceAdminMixin

from .models import Source


@admin.register(Source)
class SourceAdmin(ServiceAdminMixin, admin.ModelAdmin[Source]):
    """Sources are searched by the autocomplete of every other admin, so search covers address, title and outlet."""

    list_display = ["title", "outlet", "published_on", "confidence_column", "url"]
    list_filter = ["confidence", "disputed", "outlet"]
    search_fields = ["title", "outlet", "url"]
    date_hierarchy = "published_on"
    # Addresses typed without a scheme are read as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["url", "title", "outlet", "published_on"]}),
        (_("Confidence"), {"fields": ["confidence", "disputed", "note"]}),
    ]

    @admin.display(description=_("confidence"), ordering="confidence")
    def confidence_column(self, obj: Source) -> str:
        return obj.confidence_mark
