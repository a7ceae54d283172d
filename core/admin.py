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
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import Revisioned
from .records import record_delete, record_save

if TYPE_CHECKING:
    # django-simple-history ships no types: its admin is checked as the ModelAdmin it extends.
    HistoryAdmin = admin.ModelAdmin
else:
    from simple_history.admin import SimpleHistoryAdmin as HistoryAdmin

__all__ = ["HistoryAdmin", "NoRevertAdminMixin", "ReadOnlyAdminMixin", "ServiceAdminMixin", "StaleCopyAdminMixin"]


class ReadOnlyAdminMixin:
    """Anyone with the view permission may look; nobody may add, change or delete here."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StaleCopyForm:
    """Mixed into a record's admin form: carries the revision the editor opened, and refuses a stale save.

    When someone else saved the record after this form was opened, the form
    is shown again with an error that lists, field by field, the saved
    version beside the editor's own; saving again then keeps the editor's
    version on purpose (the hidden revision is moved to the saved one). The
    service checks the revision again under a row lock (`claim_revision`).
    """

    FIELD = "opened_revision"

    if TYPE_CHECKING:
        instance: Any
        fields: dict[str, forms.Field]
        data: Any
        cleaned_data: dict[str, Any]

        def add_prefix(self, field_name: str) -> str: ...
        def add_error(self, field: str | None, error: Any) -> None: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.FIELD] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=getattr(self.instance, "revision", None)
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        opened = cleaned.get(self.FIELD)
        instance = self.instance
        if instance.pk is None or opened is None:
            return cleaned
        stored = type(instance)._default_manager.filter(pk=instance.pk).first()
        if stored is None:
            return cleaned
        instance.revision = opened  # what the service compares with the stored revision, under its row lock
        if stored.revision == opened:
            return cleaned
        self.add_error(None, self._stale_message(stored, opened))
        self.data = self.data.copy()
        self.data[self.add_prefix(self.FIELD)] = stored.revision
        return cleaned

    def _stale_message(self, stored: models.Model, opened: int) -> str:
        rows = []
        for name, field in self.fields.items():
            if name == self.FIELD or name not in self.cleaned_data:
                continue
            try:
                model_field = stored._meta.get_field(name)
            except Exception:
                continue  # a form-only field (a reason, an evidence document)
            saved = getattr(stored, name).all() if model_field.many_to_many else getattr(stored, name)
            yours = self.cleaned_data[name]
            if model_field.many_to_many:
                saved, yours = sorted(map(str, saved)), sorted(map(str, yours or []))
            if saved != yours:
                rows.append(
                    _("%(field)s: saved “%(saved)s”, yours “%(yours)s”")
                    % {"field": field.label or name, "saved": _shown(saved), "yours": _shown(yours)}
                )
        message = _(
            "This %(item)s was changed by someone else since you opened it (revision %(opened)s then, %(stored)s now)."
        ) % {"item": stored._meta.verbose_name, "opened": opened, "stored": getattr(stored, "revision", "?")}
        if rows:
            message += " " + _("The saved version and yours differ in:") + " " + "; ".join(rows) + "."
        return (
            message
            + " "
            + _("Save again to keep your version over theirs, or reload the page to start from the saved one.")
        )


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return str(value)


class StaleCopyAdminMixin:
    """Gives a `Revisioned` model's admin form the stale-copy check (`StaleCopyForm`)."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        model: type[models.Model] = getattr(self, "model")  # noqa: B009  # the ModelAdmin's, declared there
        if issubclass(model, Revisioned) and not issubclass(form, StaleCopyForm):
            form = type(form.__name__, (StaleCopyForm, form), {})
        return form


class NoRevertAdminMixin:
    """A history admin whose past versions are shown but never saved back ("revert to this version").

    django-simple-history's revert form saves through `save_model`, which an
    admin that leaves its save to the services in `save_related` leaves empty:
    a revert said "changed successfully" and saved nothing (and its
    many-to-many links went round the services). An editor restores an
    earlier value by editing the record, with the reason and evidence the
    services ask for; the version page shows what to restore.
    """

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method == "POST":
            raise PermissionDenied(
                "Earlier versions are shown, not restored: edit the record to restore a value, with a reason."
            )
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


class ServiceAdminMixin(StaleCopyAdminMixin, NoRevertAdminMixin):
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
