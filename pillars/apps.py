from django.apps import AppConfig


class PillarsConfig(AppConfig):
    """The policy's structure and its commitments: pillars, targets, measurements, milestones, re-baselines."""

    name = "pillars"
    verbose_name = "Pillars, targets and milestones"

    def ready(self) -> None:
        from core.signals import watch

        from . import models

        watch(
            models.Policy,
            models.Pillar,
            models.Risk,
            models.Target,
            models.TrajectoryPoint,
            models.Measurement,
            models.Milestone,
            models.MilestoneEvidence,
            models.Rebaseline,
        )
