"""The "Can I apply?" form: an organisation type and a city (a hub), read from the query string."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.translation import english
from hubs.models import Hub

from .choices import Applicant


class HubChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # django-stubs types it by its model
    """Hubs listed by their name in the reader's language."""

    def label_from_instance(self, obj: Hub) -> str:
        return obj.localized_name


class FinderForm(forms.Form):
    """Both fields may be left empty (the page then asks for them); a value that is not a choice is a 400."""

    who = forms.ChoiceField(
        label=_("Your organisation"), choices=[("", _("choose…")), *Applicant.choices], required=False
    )
    hub = HubChoiceField(
        label=_("Your city"),
        queryset=Hub.objects.order_by(english("name")),
        to_field_name="slug",
        empty_label=_("choose…"),
        required=False,
    )
