"""Admin plumbing for every app: saving and deleting through the services, never directly.

Django's admin saves a model, then its many-to-many links and inlines, each
on its own. `ServiceAdminMixin` hands the whole posted record to one service
call instead (`save_service`, by default `core.records.record_save`), so the
admin gets the validation, the history's who and why and the after-commit
work that every other way in gets. `ReadOnlyAdminMixin` is for what only the
portal itself writes (the stored indicators, the re-baselining record).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from .records import record_delete, record_save

if TYPE_CHECKING:
    # django-simple-history ships no types: its admin is checked as the ModelAdmin it extends.
    HistoryAdmin = admin.ModelAdmin
else:
    from simple_history.admin import SimpleHistoryAdmin as HistoryAdmin

__all__ = ["HistoryAdmin", "ReadOnlyAdminMixin", "ServiceAdminMixin"]


class ReadOnlyAdminMixin:
    """Anyone with the view permission may look; nobody may add, change or delete here."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceAdminMixin:
    """Save the form's record with its many-to-many links through one service call; delete through one too."""

    save_service: Callable[..., Any] = staticmethod(record_save)
    delete_service: Callable[..., Any] = staticmethod(record_delete)

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm[Any], change: bool) -> None:
        """Deferred to `save_related`, where the service writes the record with its links."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm[Any], formsets: list[Any], change: bool) -> None:
        instance = form.instance
        m2m = {
            field.name: form.cleaned_data[field.name]
            for field in instance._meta.many_to_many
            if field.name in form.cleaned_data
        }
        self.save_service(instance=instance, m2m=m2m, user=request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)  # type: ignore[attr-defined]

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.delete_service(instance=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():  # all or nothing, and one after-commit batch
            for obj in queryset:
                self.delete_model(request, obj)
