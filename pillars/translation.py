"""The reader-facing texts of the policy's records, in English (the default, which prevails) and Urdu."""

from modeltranslation.translator import TranslationOptions, register, translator

from .models import Measurement, Milestone, MilestoneEvidence, Pillar, Policy, Risk, Target


@register(Policy)
class PolicyTranslation(TranslationOptions):
    fields = ("name", "summary")


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("name", "summary", "description")


@register(Risk)
class RiskTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Target)
class TargetTranslation(TranslationOptions):
    fields = ("title", "description", "unit", "basis_note")


@register(Milestone)
class MilestoneTranslation(TranslationOptions):
    fields = ("title", "description", "basis_note")


@register(MilestoneEvidence)
class MilestoneEvidenceTranslation(TranslationOptions):
    fields = ("summary",)


@register(Measurement)
class MeasurementTranslation(TranslationOptions):
    # The note says what a figure is, the "ILLUSTRATIVE: made up ..." label of a made-up one included.
    fields = ("note",)


# The audit trail (django-simple-history) keeps both languages of every version: the history models get the same
# columns, so that a version records the Urdu text beside the English one.
translator.register(Pillar.history.model, PillarTranslation)
translator.register(Target.history.model, TargetTranslation)
translator.register(Milestone.history.model, MilestoneTranslation)
translator.register(MilestoneEvidence.history.model, MilestoneEvidenceTranslation)
translator.register(Measurement.history.model, MeasurementTranslation)
