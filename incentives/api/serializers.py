from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.rows import FastRepresentationMixin
from hubs.models import Hub
from pillars.models import Pillar
from sources.serializers import SourceSerializer

from ..choices import Applicant, ApplicationStatus, Province
from ..models import Incentive


class IncentiveSerializer(FastRepresentationMixin, serializers.ModelSerializer[Incentive]):
    """What a founder needs to know: what it offers, who runs it, who can apply, where, how, when, its sources."""

    pillar = serializers.SlugRelatedField[Pillar](slug_field="slug", read_only=True, allow_null=True)
    hubs = serializers.SlugRelatedField[Hub](slug_field="slug", many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)
    budget_amount = serializers.FloatField(read_only=True, allow_null=True)
    provinces = serializers.ListField(
        child=serializers.ChoiceField(choices=Province.choices),
        read_only=True,
        help_text="A regional incentive applies in these provinces (every hub there) and in its hubs.",
    )
    applicants = serializers.ListField(
        child=serializers.ChoiceField(choices=Applicant.choices),
        read_only=True,
        help_text="The organisation types that may apply; empty when who may apply is not published.",
    )
    application_status = serializers.SerializerMethodField(
        help_text="Derived from opens_on and closes_on on `as_of` (default today); `unknown` when not published."
    )

    class Meta:
        model = Incentive
        fields = [
            "slug",
            "name",
            "kind",
            "pillar",
            "status",
            "summary",
            "administered_by",
            "eligibility",
            "planned_launch_on",
            "planned_launch_basis",
            "launched_on",
            "budget_amount",
            "budget_currency",
            "budget_note",
            "confidence",
            "disputed",
            "dispute_note",
            "hubs",
            "sources",
            "scope",
            "provinces",
            "applicants",
            "apply_to",
            "apply_url",
            "apply_address",
            "announced_on",
            "opens_on",
            "closes_on",
            "application_status",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=ApplicationStatus.choices))
    def get_application_status(self, obj: Incentive) -> str:
        as_of: Any = self.context.get("as_of")
        day = as_of if isinstance(as_of, dt.date) else timezone.localdate()
        return obj.application_on(day).value
