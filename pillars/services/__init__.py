"""Every write to the policy's commitments goes through here.

The admin, the API, the importers and the loader all call these functions, so
bad input gets the same clear message everywhere, each write is recorded in
the history with who and why, and each change schedules the recompute of the
indicators it touches once the transaction commits
(`indicators.scheduling.recompute_after_commit`).

One module per kind of record; this package's namespace is their public face.
The policy, its pillars and its risks have no rules beyond their models'
validation: they are written by `core.records.record_save`.
"""

from .common import User
from .evidence import document_head, evidence_delete, evidence_problems, evidence_save, source_for_url
from .measurements import (
    MeasurementWrite,
    measurement_create,
    measurement_delete,
    measurement_save,
    measurement_warnings,
    measurement_withdraw,
    measurements_bulk_save,
    withdrawal_errors,
)
from .milestones import KEEP, milestone_save, milestone_update
from .rebaselines import items_publish, milestone_rebaseline, target_rebaseline
from .targets import target_save, trajectory_replace

__all__ = [
    "KEEP",
    "MeasurementWrite",
    "User",
    "document_head",
    "evidence_delete",
    "evidence_problems",
    "evidence_save",
    "items_publish",
    "measurement_create",
    "measurement_delete",
    "measurement_save",
    "measurement_warnings",
    "measurement_withdraw",
    "measurements_bulk_save",
    "milestone_rebaseline",
    "milestone_save",
    "milestone_update",
    "source_for_url",
    "target_rebaseline",
    "target_save",
    "trajectory_replace",
    "withdrawal_errors",
]
