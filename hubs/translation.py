"""A hub's city name and role in English (the default, which prevails) and Urdu: `name_ur` is the Urdu name."""

from modeltranslation.translator import TranslationOptions, register, translator

from .models import Hub


@register(Hub)
class HubTranslation(TranslationOptions):
    fields = ("name", "role")


# The audit trail (django-simple-history) keeps both languages of every version: the history models get the same
# columns, so that a version records the Urdu text beside the English one.
translator.register(Hub.history.model, HubTranslation)
