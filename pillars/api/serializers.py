"""Serializers of the JSON API (field names fixed by shared/docs/api.md; add fields, rename nothing).

Reading serializers only present what selectors loaded; writing serializers
check the shape of the input and hand it to the services, which validate the
rules and save.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hubs.models import Hub
from sources.models import Source

from .. import indicators, selectors
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


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def represent_each(serializer_class: Any, items: Collection[Any], context: dict[str, Any]) -> list[Any]:
    """What `serializer_class(items, many=True, context=context).data` gives, as a plain list.

    One child serializer and no ListSerializer: the two would form a reference
    cycle that keeps the rows alive until the garbage collector's next pass.
    No serializer at all for no items (a page has two such lists per row).
    """
    if not items:
        return []
    child = serializer_class(context=context)
    return [child.to_representation(item) for item in items]


class SourceSerializer(serializers.ModelSerializer[Source]):
    confidence_mark = serializers.CharField(read_only=True)

    class Meta:
        model = Source
        fields = ["url", "title", "outlet", "published_on", "confidence", "disputed", "confidence_mark"]

    def to_representation(self, source: Source) -> dict[str, Any]:
        # Field by field, the same as ModelSerializer's output; a list page shows hundreds of sources.
        return {
            "url": source.url,
            "title": source.title,
            "outlet": source.outlet,
            "published_on": _iso(source.published_on),
            "confidence": source.confidence,
            "disputed": source.disputed,
            "confidence_mark": source.confidence_mark,
        }


class RollupSerializer(serializers.Serializer[indicators.Rollup]):
    """api.md's `rollup`: counts per status, median and maximum slip, on-schedule share, as of a date."""

    as_of = serializers.DateField()
    targets = serializers.DictField(child=serializers.IntegerField())
    milestones = serializers.DictField(child=serializers.IntegerField())
    median_slip_days = serializers.FloatField(allow_null=True)
    max_slip_days = serializers.IntegerField(allow_null=True)
    on_schedule_share = serializers.FloatField(allow_null=True)

    def to_representation(self, rollup: indicators.Rollup) -> dict[str, Any]:
        """The declared fields, built directly: a list of hubs or pillars makes one of these per row, and
        DRF would copy the six fields for each (tests/pillars/test_api.py compares the two)."""
        return {
            "as_of": rollup.as_of.isoformat(),
            "targets": {str(status): int(count) for status, count in rollup.targets.items()},
            "milestones": {str(status): int(count) for status, count in rollup.milestones.items()},
            "median_slip_days": _float(rollup.median_slip_days),
            "max_slip_days": None if rollup.max_slip_days is None else int(rollup.max_slip_days),
            "on_schedule_share": _float(rollup.on_schedule_share),
        }

    def declared_representation(self, rollup: indicators.Rollup) -> dict[str, Any]:
        return dict(super().to_representation(rollup))


class TargetIndicatorsSerializer(serializers.Serializer[indicators.TargetIndicators]):
    """The indicators of shared/docs/indicators.md for one target; undefined values are null."""

    as_of = serializers.DateField()
    status = serializers.ChoiceField(choices=[s.value for s in indicators.TargetStatus])
    progress = serializers.FloatField(allow_null=True)
    planned_progress = serializers.FloatField(allow_null=True)
    actual_value = serializers.FloatField(allow_null=True)
    evaluation_date = serializers.DateField(allow_null=True)
    earned_schedule = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True)
    spi = serializers.FloatField(allow_null=True)
    forecast_completion = serializers.DateField(allow_null=True)
    forecast_slip_days = serializers.IntegerField(allow_null=True)
    required_rate = serializers.FloatField(allow_null=True)
    required_rate_per_year = serializers.FloatField(allow_null=True)
    staleness_days = serializers.IntegerField(allow_null=True)
    stale = serializers.BooleanField()


class MilestoneIndicatorsSerializer(serializers.Serializer[indicators.MilestoneIndicators]):
    as_of = serializers.DateField()
    status = serializers.ChoiceField(choices=[s.value for s in indicators.MilestoneStatus])
    expected_date = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True)


class PointSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    value = serializers.FloatField()


class PillarSerializer(serializers.ModelSerializer[Pillar]):
    sources = SourceSerializer(many=True, read_only=True)
    rollup = serializers.SerializerMethodField()

    class Meta:
        model = Pillar
        fields = ["slug", "number", "name", "summary", "description", "lead_body", "aliases", "sources", "rollup"]

    @extend_schema_field(RollupSerializer)
    def get_rollup(self, pillar: Pillar) -> dict[str, Any] | None:
        rollups = self.context.get("rollups", {})
        rollup = rollups.get(("pillar", pillar.slug))
        return RollupSerializer(rollup).data if rollup is not None else None


class TargetRebaselineSerializer(serializers.ModelSerializer[Rebaseline]):
    """A re-baseline of a target: the baseline and deadline in force before and after, when and why."""

    source = SourceSerializer(read_only=True)
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


class MilestoneRebaselineSerializer(serializers.ModelSerializer[Rebaseline]):
    """A re-baseline of a milestone: the due date in force before and after, when and why."""

    source = SourceSerializer(read_only=True)
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Rebaseline
        fields = ["decided_on", "recorded_at", "reason", "source", "old_due_date", "new_due_date"]


class TargetSerializer(serializers.ModelSerializer[Target]):
    """A target with its planned curve, sources and indicators as of the requested date.

    `baseline_*`, `target_*` and `indicators` keep the original promise; after a
    re-baseline, `current_*` and `current_baseline_indicators` show the one in
    force, and `rebaselines` lists every change, oldest first.
    """

    pillar = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    # hubs, sources, trajectory and rebaselines read the lists `selectors.attach_target_relations` attaches
    # (`hub_slugs`, `source_list`, `point_list`, `rebaseline_list`).
    hubs = serializers.SerializerMethodField()
    sources = SourceSerializer(many=True, read_only=True, source="source_list")
    trajectory = serializers.SerializerMethodField()
    direction = serializers.IntegerField(read_only=True)
    indicators = serializers.SerializerMethodField()
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

    @extend_schema_field(PointSerializer(many=True))
    def get_trajectory(self, target: Target) -> list[dict[str, Any]]:
        return [{"date": p.date, "value": p.value} for p in target.point_list]  # type: ignore[attr-defined]

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_hubs(self, target: Target) -> list[str]:
        return list(target.hub_slugs)  # type: ignore[attr-defined]

    @extend_schema_field(TargetIndicatorsSerializer(allow_null=True))
    def get_indicators(self, target: Target) -> dict[str, Any] | None:
        result = getattr(target, "indicators", None)
        return result.as_dict() if result is not None else None  # same JSON, no serializer per row

    @extend_schema_field(TargetIndicatorsSerializer(allow_null=True))
    def get_current_baseline_indicators(self, target: Target) -> dict[str, Any] | None:
        result = selectors.target_indicators_against_current_baseline(target)
        return result.as_dict() if result is not None else None  # same JSON, no serializer per row

    def to_representation(self, target: Target) -> dict[str, Any]:
        """The declared fields, built directly: DRF's field-by-field path costs most of a 100-row page.

        tests/pillars/test_api.py compares this with the declared serializer's output, field by field.
        """
        row: Any = target
        rebaselines = row.rebaseline_list
        attached = getattr(target, "indicators", None)
        shown = attached.as_dict() if attached is not None else None
        current = selectors.target_indicators_against_current_baseline(target)
        return {
            "id": target.pk,
            "code": target.code,
            "title": target.title,
            "kind": target.kind,
            "pillar": row.pillar_slug,  # annotated by the viewset's queryset
            "description": target.description,
            "responsible_body": target.responsible_body,
            "unit": target.unit,
            "baseline_value": _float(target.baseline_value),
            "baseline_date": _iso(target.baseline_date),
            "baseline_basis": target.baseline_basis,
            "target_value": _float(target.target_value),
            "target_date": _iso(target.target_date),
            "deadline_basis": target.deadline_basis,
            "basis_note": target.basis_note,
            "rate_per_year": _float(target.rate_per_year),
            "direction": target.direction,
            "trajectory": self.get_trajectory(target),
            "reporting_interval_days": target.reporting_interval_days,
            "confidence": target.confidence,
            "disputed": target.disputed,
            "hubs": self.get_hubs(target),
            "sources": [SourceSerializer.to_representation(None, source) for source in row.source_list],  # type: ignore[arg-type]
            "indicators": shown,
            "published_on": _iso(target.published_on),
            "current_baseline_value": _float(target.current_baseline_value),
            "current_baseline_date": _iso(target.current_baseline_date),
            "current_target_value": _float(target.current_target_value),
            "current_target_date": _iso(target.current_target_date),
            # Never re-baselined: the same indicators (the same dict, written twice).
            "current_baseline_indicators": shown if current is attached else current and current.as_dict(),
            "rebaselines": represent_each(TargetRebaselineSerializer, rebaselines, self.context),
        }

    def declared_representation(self, target: Target) -> dict[str, Any]:
        """DRF's own rendering of the declared fields: what `to_representation` must equal."""
        return dict(super().to_representation(target))


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
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=2000)

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
            "created_at",
            "confirm",
            "reason",
        ]
        read_only_fields = ["id", "created_at"]
        validators: list[Any] = []


class EvidenceSerializer(serializers.ModelSerializer[MilestoneEvidence]):
    source = SourceSerializer(read_only=True)
    document = serializers.FileField(read_only=True, use_url=True)

    class Meta:
        model = MilestoneEvidence
        fields = ["date", "kind", "summary", "source", "document"]


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    pillar = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    target = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # The lists `selectors.attach_milestone_relations` attaches (see TargetSerializer).
    hubs = serializers.SerializerMethodField()
    sources = SourceSerializer(many=True, read_only=True, source="source_list")
    evidence = EvidenceSerializer(many=True, read_only=True, source="evidence_list")
    indicators = serializers.SerializerMethodField()
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

    def to_representation(self, milestone: Milestone) -> dict[str, Any]:
        """The declared fields, built directly (see `TargetSerializer.to_representation`).

        tests/pillars/test_api.py compares this with the declared serializer's output, field by field.
        """
        row: Any = milestone
        attached = getattr(milestone, "indicators", None)
        return {
            "id": milestone.pk,
            "code": milestone.code,
            "title": milestone.title,
            "pillar": row.pillar_slug,  # annotated by the viewset's queryset
            "target": milestone.target_id,
            "description": milestone.description,
            "responsible_body": milestone.responsible_body,
            "announced_on": _iso(milestone.announced_on),
            "baseline_due_date": _iso(milestone.baseline_due_date),
            "due_basis": milestone.due_basis,
            "basis_note": milestone.basis_note,
            "forecast_due_date": _iso(milestone.forecast_due_date),
            "completed_on": _iso(milestone.completed_on),
            "cancelled": milestone.cancelled,
            "cancelled_on": _iso(milestone.cancelled_on),
            "confidence": milestone.confidence,
            "hubs": list(row.hub_slugs),
            "sources": [SourceSerializer.to_representation(None, source) for source in row.source_list],  # type: ignore[arg-type]
            "evidence": represent_each(EvidenceSerializer, row.evidence_list, self.context),
            "indicators": attached.as_dict() if attached is not None else None,
            "published_on": _iso(milestone.published_on),
            "current_baseline_due_date": _iso(milestone.current_baseline_due_date),
            "current_slip_days": selectors.milestone_slip_against_current_baseline(milestone),
            "rebaselines": represent_each(MilestoneRebaselineSerializer, row.rebaseline_list, self.context),
        }

    def declared_representation(self, milestone: Milestone) -> dict[str, Any]:
        """DRF's own rendering of the declared fields: what `to_representation` must equal."""
        return dict(super().to_representation(milestone))

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_hubs(self, milestone: Milestone) -> list[str]:
        return list(milestone.hub_slugs)  # type: ignore[attr-defined]

    @extend_schema_field(MilestoneIndicatorsSerializer(allow_null=True))
    def get_indicators(self, milestone: Milestone) -> dict[str, Any] | None:
        result = getattr(milestone, "indicators", None)
        return result.as_dict() if result is not None else None  # same JSON, no serializer per row

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_slip_days(self, milestone: Milestone) -> int | None:
        return selectors.milestone_slip_against_current_baseline(milestone)


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


class TargetSnapshotSerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField()
    status = serializers.CharField()
    progress = serializers.FloatField(allow_null=True)
    planned_progress = serializers.FloatField(allow_null=True)
    actual_value = serializers.FloatField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True)
    spi = serializers.FloatField(allow_null=True)
    forecast_completion = serializers.DateField(allow_null=True)
    forecast_slip_days = serializers.IntegerField(allow_null=True)
    stale = serializers.BooleanField()


class HistoryMeasurementSerializer(serializers.ModelSerializer[Measurement]):
    class Meta:
        model = Measurement
        fields = ["id", "date", "value", "illustrative", "source_url", "note"]


class TargetHistorySerializer(serializers.Serializer[Any]):
    """Everything a chart of one target needs."""

    target = serializers.IntegerField()
    code = serializers.CharField()
    unit = serializers.CharField()
    planned = PointSerializer(many=True, help_text="The planned curve: baseline, interim points, deadline.")
    measurements = HistoryMeasurementSerializer(many=True)
    snapshots = TargetSnapshotSerializer(many=True)


class MilestoneSnapshotSerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField(help_text="The report date.")
    status = serializers.CharField()
    forecast_due_date = serializers.DateField(allow_null=True, help_text="What editors forecast on that date.")
    expected_date = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True)


class MilestoneHistorySerializer(serializers.Serializer[Any]):
    """The milestone trend analysis: forecast date against report date."""

    milestone = serializers.IntegerField()
    code = serializers.CharField()
    baseline_due_date = serializers.DateField()
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


__all__ = ["OpenApiTypes"]
