"""Admin plumbing for every app: saving and deleting through the services, never directly.

Django's admin saves a model, then its many-to-many links and inlines, each
on its own. `ServiceAdminMixin` hands the whole posted record to one service
call instead (`save_service`, by default `core.records.record_save`), so the
admin gets the validation, the history's who and why and the after-commit
work that every other way in gets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import models, transaction
from django.http import HttpRequest

from .records import record_delete, record_save


class ServiceAdminMixin:
    """Save the form's record with its many-to-many links through one service call; delete through one too."""

    save_service: Callable[..., Any] = staticmethod(record_save)
    delete_service: Callable[..., Any] = staticmethod(record_delete)

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool) -> None:
        """Deferred to `save_related`, where the service writes the record with its links."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list[Any], change: bool) -> None:
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
