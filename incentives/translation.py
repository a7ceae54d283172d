"""What an incentive offers and who may apply, in English (the default, which prevails) and Urdu."""

from modeltranslation.translator import TranslationOptions, register, translator

from .models import Incentive


@register(Incentive)
class IncentiveTranslation(TranslationOptions):
    fields = ("name", "summary", "eligibility", "budget_note", "dispute_note", "apply_address")


# The audit trail (django-simple-history) keeps both languages of every version: the history models get the same
# columns, so that a version records the Urdu text beside the English one.
translator.register(Incentive.history.model, IncentiveTranslation)
