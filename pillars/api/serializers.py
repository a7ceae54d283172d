"""Serializers of the JSON API (field names fixed by shared/docs/api.md; add fields, rename nothing).

Reading serializers present what the selectors loaded, declared once the DRF
way and represented through `core.api.rows` (the same output, faster);
writing serializers check the shape of the input and hand it to the
services, which validate the rules and save.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import SlugRelated
from core.api.rows import FastRepresentationMixin
from hubs.models import Hub
from indicators import selectors as indicator_selectors
from indicators.choices import Basis
from indicators.serializers import (
    MilestoneIndicatorsSerializer,
    RollupInContextMixin,
    RollupSerializer,
    TargetIndicatorsSerializer,
)
from sources.serializers import SourceSerializer

from ..models import Measurement, Milestone, MilestoneEvidence, Pillar, Policy, Rebaseline, Target


class RejectUnknownFieldsMixin:
    """A write naming a field the resource does not have gets a 400, not silence."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}  # type: ignore[attr-defined]
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not known or cannot be written."] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class PointSerializer(FastRepresentationMixin, serializers.Serializer[Any]):
    """A dated value of a target's planned curve."""

    date = serializers.DateField()
    value = serializers.FloatField()


class PillarSerializer(RollupInContextMixin, FastRepresentationMixin, serializers.ModelSerializer[Pillar]):
    """One of the policy's six pillars, with its roll-up as of `as_of`."""

    rollup_scope = "pillar"
    aliases = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Other names the pillar goes by."
    )
    sources = SourceSerializer(many=True, read_only=True)
    rollup = serializers.SerializerMethodField()

    class Meta:
        model = Pillar
        fields = ["slug", "number", "name", "summary", "description", "lead_body", "aliases", "sources", "rollup"]


class TargetRebaselineSerializer(FastRepresentationMixin, serializers.ModelSerializer[Rebaseline]):
    """A re-baseline of a target: the baseline and deadline in force before and after, when and why."""

    source = SourceSerializer(read_only=True, allow_null=True)  # type: ignore[assignment]  # not Field.source
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Rebaseline
        fields = [
            "decided_on",
            "recorded_at",
            "reason",
            "source",
            "old_baseline_value",
            "old_baseline_date",
            "old_target_value",
            "old_target_date",
            "new_baseline_value",
            "new_baseline_date",
            "new_target_value",
            "new_target_date",
        ]


class MilestoneRebaselineSerializer(FastRepresentationMixin, serializers.ModelSerializer[Rebaseline]):
    """A re-baseline of a milestone: the due date in force before and after, when and why."""

    source = SourceSerializer(read_only=True, allow_null=True)  # type: ignore[assignment]  # not Field.source
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Rebaseline
        fields = ["decided_on", "recorded_at", "reason", "source", "old_due_date", "new_due_date"]


class TargetSerializer(FastRepresentationMixin, serializers.ModelSerializer[Target]):
    """A target with its planned curve, sources and indicators as of the requested date.

    `baseline_*`, `target_*` and `indicators` keep the original promise; after a
    re-baseline, `current_*` and `current_baseline_indicators` show the one in
    force, and `rebaselines` lists every change, oldest first. The relations
    are the lists `pillars.selectors.target_relations` prefetches.
    """

    pillar = serializers.SlugRelatedField[Pillar](slug_field="slug", read_only=True, allow_null=True)
    hubs = SlugRelated(slug_field="slug", many=True, read_only=True, source="hub_list")
    sources = SourceSerializer(many=True, read_only=True, source="source_list")
    trajectory = PointSerializer(many=True, read_only=True, source="point_list")
    direction = serializers.IntegerField(read_only=True)
    indicators = TargetIndicatorsSerializer(read_only=True, allow_null=True)
    current_baseline_value = serializers.FloatField(read_only=True)
    current_baseline_date = serializers.DateField(read_only=True)
    current_target_value = serializers.FloatField(read_only=True)
    current_target_date = serializers.DateField(read_only=True)
    rebaselines = TargetRebaselineSerializer(many=True, read_only=True, source="rebaseline_list")
    current_baseline_indicators = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "pillar",
            "description",
            "responsible_body",
            "unit",
            "baseline_value",
            "baseline_date",
            "baseline_basis",
            "target_value",
            "target_date",
            "deadline_basis",
            "basis_note",
            "rate_per_year",
            "direction",
            "trajectory",
            "reporting_interval_days",
            "confidence",
            "disputed",
            "hubs",
            "sources",
            "indicators",
            "published_on",
            "current_baseline_value",
            "current_baseline_date",
            "current_target_value",
            "current_target_date",
            "current_baseline_indicators",
            "rebaselines",
        ]

    @extend_schema_field(TargetIndicatorsSerializer(allow_null=True))
    def get_current_baseline_indicators(self, target: Target) -> dict[str, Any] | None:
        result = indicator_selectors.target_indicators_against_current_baseline(target)
        return None if result is None else self.fields["indicators"].to_representation(result)


class TargetWriteSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer[Target]):
    """What an editor may send to create or change a target; the service validates the rules."""

    pillar = serializers.SlugRelatedField(slug_field="slug", queryset=Pillar.objects.all(), allow_null=True)
    hubs = serializers.SlugRelatedField(slug_field="slug", queryset=Hub.objects.all(), many=True, required=False)
    trajectory = PointSerializer(many=True, required=False)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=2000)

    class Meta:
        model = Target
        fields = [
            "code",
            "title",
            "kind",
            "pillar",
            "description",
            "responsible_body",
            "unit",
            "value_can_be_negative",
            "baseline_value",
            "baseline_date",
            "baseline_basis",
            "target_value",
            "target_date",
            "deadline_basis",
            "basis_note",
            "rate_per_year",
            "reporting_interval_days",
            "confidence",
            "disputed",
            "hubs",
            "trajectory",
            "reason",
        ]
        # The service checks the rules (and uniqueness) with the messages editors know from the admin.
        validators: list[Any] = []

    def validate_trajectory(self, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # A PATCH is partial all the way down: DRF would let a point without its date or value through.
        if any("date" not in point or "value" not in point for point in points):
            raise serializers.ValidationError("Every point needs a date and a value.")
        return points


class MeasurementSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer[Measurement]):
    target = serializers.PrimaryKeyRelatedField(queryset=Target.objects.all())
    confirm = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="true to record a figure out of line with the target's others (explain it in `note`).",
    )
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why a stored figure's value or date changes (required then): readers see the earlier value.",
    )
    withdraw = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="true (PATCH, with `withdrawal_reason` and nothing else) to withdraw the figure: it stops "
        "counting from today and stays in public with the reason.",
    )

    class Meta:
        model = Measurement
        fields = [
            "id",
            "target",
            "date",
            "value",
            "source_url",
            "note",
            "illustrative",
            "withdrawn_on",
            "withdrawal_reason",
            "created_at",
            "confirm",
            "reason",
            "withdraw",
        ]
        read_only_fields = ["id", "withdrawn_on", "created_at"]
        validators: list[Any] = []


class EvidenceSerializer(FastRepresentationMixin, serializers.ModelSerializer[MilestoneEvidence]):
    """A dated, cited fact about a milestone's progress."""

    source = SourceSerializer(read_only=True, allow_null=True)  # type: ignore[assignment]  # not Field.source
    document = serializers.FileField(read_only=True, use_url=True)

    class Meta:
        model = MilestoneEvidence
        fields = ["date", "kind", "summary", "source", "document"]


class MilestoneSerializer(FastRepresentationMixin, serializers.ModelSerializer[Milestone]):
    """A milestone with its evidence and indicators; the relations are `pillars.selectors.milestone_relations`."""

    pillar = serializers.SlugRelatedField[Pillar](slug_field="slug", read_only=True, allow_null=True)
    target = serializers.PrimaryKeyRelatedField[Target](read_only=True, allow_null=True)
    hubs = SlugRelated(slug_field="slug", many=True, read_only=True, source="hub_list")
    sources = SourceSerializer(many=True, read_only=True, source="source_list")
    evidence = EvidenceSerializer(many=True, read_only=True, source="evidence_list")
    indicators = MilestoneIndicatorsSerializer(read_only=True, allow_null=True)
    current_baseline_due_date = serializers.DateField(read_only=True)
    current_slip_days = serializers.SerializerMethodField(
        help_text="expected_date - current_baseline_due_date: the slip since the last re-baseline."
    )
    rebaselines = MilestoneRebaselineSerializer(many=True, read_only=True, source="rebaseline_list")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "code",
            "title",
            "pillar",
            "target",
            "description",
            "responsible_body",
            "announced_on",
            "baseline_due_date",
            "due_basis",
            "basis_note",
            "forecast_due_date",
            "completed_on",
            "cancelled",
            "cancelled_on",
            "confidence",
            "hubs",
            "sources",
            "evidence",
            "indicators",
            "published_on",
            "current_baseline_due_date",
            "current_slip_days",
            "rebaselines",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_slip_days(self, milestone: Milestone) -> int | None:
        return indicator_selectors.milestone_slip_against_current_baseline(milestone)


class MilestoneWriteSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer[Milestone]):
    pillar = serializers.SlugRelatedField(
        slug_field="slug", queryset=Pillar.objects.all(), allow_null=True, required=False
    )
    target = serializers.PrimaryKeyRelatedField(queryset=Target.objects.all(), allow_null=True, required=False)
    hubs = serializers.SlugRelatedField(slug_field="slug", queryset=Hub.objects.all(), many=True, required=False)
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why: required when the forecast moves later or before the baseline, on completion and cancellation.",
    )
    evidence_url = serializers.URLField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="The address of the evidence: needed when the forecast moves later, on completion and cancellation.",
    )

    class Meta:
        model = Milestone
        fields = [
            "code",
            "title",
            "pillar",
            "target",
            "description",
            "responsible_body",
            "announced_on",
            "baseline_due_date",
            "due_basis",
            "basis_note",
            "forecast_due_date",
            "completed_on",
            "cancelled",
            "cancelled_on",
            "confidence",
            "hubs",
            "reason",
            "evidence_url",
        ]
        validators: list[Any] = []


class TargetSnapshotSerializer(TargetIndicatorsSerializer):
    """A stored snapshot of a target's indicators (every indicator, as of its report date)."""


class MilestoneSnapshotSerializer(MilestoneIndicatorsSerializer):
    """A stored snapshot of a milestone's indicators, with the forecast editors had set that day."""

    forecast_due_date = serializers.DateField(allow_null=True, help_text="What editors forecast on that date.")


class HistoryMeasurementSerializer(serializers.ModelSerializer[Measurement]):
    class Meta:
        model = Measurement
        fields = ["id", "date", "value", "illustrative", "source_url", "note", "withdrawn_on", "withdrawal_reason"]


class TargetHistorySerializer(serializers.Serializer[Any]):
    """Everything a chart of one target needs, on one basis."""

    target = serializers.IntegerField()
    code = serializers.CharField()
    unit = serializers.CharField()
    basis = serializers.ChoiceField(choices=Basis.choices, help_text="What the figures and snapshots rest on.")
    planned = PointSerializer(many=True, help_text="The planned curve: baseline, interim points, deadline.")
    measurements = HistoryMeasurementSerializer(many=True)
    snapshots = TargetSnapshotSerializer(many=True)


class MilestoneHistorySerializer(serializers.Serializer[Any]):
    """The milestone trend analysis: forecast date against report date."""

    milestone = serializers.IntegerField()
    code = serializers.CharField()
    baseline_due_date = serializers.DateField()
    basis = serializers.ChoiceField(choices=Basis.choices, help_text="The basis asked for.")
    snapshots = MilestoneSnapshotSerializer(many=True)


class PillarRollupSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    rollup = RollupSerializer()


class SummarySerializer(serializers.Serializer[Any]):
    """`dashboard/summary`: the policy-wide roll-up and one per pillar."""

    as_of = serializers.DateField()
    due_from = serializers.DateField(allow_null=True)
    due_to = serializers.DateField(allow_null=True)
    policy = serializers.CharField()
    rollup = RollupSerializer()
    pillars = PillarRollupSerializer(many=True)


class PolicySerializer(serializers.ModelSerializer[Policy]):
    class Meta:
        model = Policy
        fields = ["slug", "name", "country", "approved_on", "time_zone"]
