"""Signal wiring kept to one concern: telling the ETag machinery that data changed.

Business rules live in services, not here (HackSoft style); this only
invalidates conditional-request tokens, for every write path including the
admin's plain model saves.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from .versioning import bump_data_version

WATCHED = [
    "sources.Source",
    "hubs.Hub",
    "incentives.Incentive",
    "pillars.Policy",
    "pillars.Pillar",
    "pillars.Risk",
    "pillars.Target",
    "pillars.TrajectoryPoint",
    "pillars.Measurement",
    "pillars.Milestone",
    "pillars.MilestoneEvidence",
    "pillars.Rebaseline",
    "pillars.RecomputeRun",
]


def connect() -> None:
    for label in WATCHED:
        model = apps.get_model(label)
        uid = f"data-version:{label}"
        post_save.connect(bump_data_version, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(bump_data_version, sender=model, dispatch_uid=f"{uid}:delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                bump_data_version, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}"
            )
