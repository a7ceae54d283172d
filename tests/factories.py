"""factory_boy factories for every model; tests build their data with these."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet

from hubs.models import Hub
from incentives.choices import IncentiveKind
from incentives.models import Incentive
from pillars.models import Measurement, Milestone, MilestoneEvidence, Pillar, Policy, Risk, Target, TrajectoryPoint
from sources.models import Source

_Snapshot = TypeVar("_Snapshot", bound=Model)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class EditorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def editors_group(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            self.groups.add(Group.objects.get(name=settings.EDITORS_GROUP_NAME))


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("url",)

    url = factory.Sequence(lambda n: f"https://news.example.org/story/{n}")
    title = factory.Sequence(lambda n: f"Report {n}")
    outlet = "Example News"
    confidence = "A"


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy
        django_get_or_create = ("slug",)

    slug = "national-ai-policy-2025"
    name = "National Artificial Intelligence Policy 2025"
    country = "Pakistan"
    approved_on = dt.date(2025, 7, 30)


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar

    policy = factory.SubFactory(PolicyFactory)
    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"pillar-{n + 1}")
    name = factory.Sequence(lambda n: f"Pillar {n + 1}")
    summary = "What this pillar is for."


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    slug = factory.Sequence(lambda n: f"hub-{n}")
    name = factory.Sequence(lambda n: f"City {n}")
    province = "Punjab"
    latitude = 31.52
    longitude = 74.36


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    policy = factory.SubFactory(PolicyFactory)
    slug = factory.Sequence(lambda n: f"risk-{n}")
    title = factory.Sequence(lambda n: f"Risk {n}")


class TargetFactory(factory.django.DjangoModelFactory):
    """The worked example of indicators.md: 0 on 2025-01-01 to 200,000 on 2025-12-31."""

    class Meta:
        model = Target

    policy = factory.SubFactory(PolicyFactory)
    pillar = factory.SubFactory(PillarFactory, policy=factory.SelfAttribute("..policy"))
    code = factory.Sequence(lambda n: f"target-{n}")
    title = factory.Sequence(lambda n: f"Target {n}")
    unit = "people"
    baseline_value = 0.0
    baseline_date = dt.date(2025, 1, 1)
    target_value = 200_000.0
    target_date = dt.date(2025, 12, 31)


class TrajectoryPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrajectoryPoint

    target = factory.SubFactory(TargetFactory)
    date = dt.date(2025, 7, 1)
    value = 100_000.0


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    target = factory.SubFactory(TargetFactory)
    date = dt.date(2025, 7, 1)
    value = 50_000.0
    source_url = "https://news.example.org/figures"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    policy = factory.SubFactory(PolicyFactory)
    pillar = factory.SubFactory(PillarFactory, policy=factory.SelfAttribute("..policy"))
    code = factory.Sequence(lambda n: f"milestone-{n}")
    title = factory.Sequence(lambda n: f"Milestone {n}")
    announced_on = dt.date(2025, 7, 30)
    baseline_due_date = dt.date(2026, 1, 31)


class MilestoneEvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneEvidence

    milestone = factory.SubFactory(MilestoneFactory)
    date = dt.date(2025, 12, 6)
    summary = "An audit found it had not started."
    source = factory.SubFactory(SourceFactory)


class IncentiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incentive

    slug = factory.Sequence(lambda n: f"incentive-{n}")
    name = factory.Sequence(lambda n: f"Incentive {n}")
    kind = IncentiveKind.GRANT
    administered_by = "Ignite"
    eligibility = "Startups registered in Pakistan."


def reported(model: type[_Snapshot]) -> QuerySet[_Snapshot]:
    """The stored rows of a snapshot model on the reported basis (the default everywhere; each date has both)."""
    return model._default_manager.filter(basis="reported")
