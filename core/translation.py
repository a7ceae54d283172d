"""Names of the columns django-modeltranslation adds (`name_en`, `name_ur`, ...), for querysets."""

from __future__ import annotations

from django.conf import settings


def english(field: str) -> str:
    """The English column of a translated field (`english("name")` is `name_en`): an order that is the same in
    every language, since the Urdu column may be empty. A call, not a literal: the type checker runs without
    modeltranslation (policy_portal/settings/typecheck.py) and would not know the column."""
    return f"{field}_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}"
