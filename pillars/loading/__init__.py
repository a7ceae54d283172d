"""Load the bundled policy data (``data/policy.yaml``) into the database.

The load is idempotent: every record is found by its natural key (a source by
its address, a target by its code, a measurement by target and date, ...), so
running it again creates nothing new and reports everything unchanged.

What editors change in the portal wins over the file: an object whose history
has a record written by a signed-in user is left alone (and counted as
*kept*) unless ``force=True``. The loader itself writes history with no user
and the change reason ``load_policy``, so its own writes never count as edits.

Targets, milestones and measurements are written through ``pillars.services``
so that they get exactly the validation (and the recompute scheduling) every
other write gets; the other models go through ``full_clean()`` and ``save()``.
Everything happens in one transaction: one bad record anywhere aborts the load
with a message naming that record, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import translation

from .loader import ILLUSTRATIVE_NOTE, LOAD_REASON, _Loader
from .report import LoadReport, ModelCounts, Outcome, PolicyDataError, Writer
from .schema import _check_policy_data, _read_yaml
from .urdu import urdu_merge

__all__ = ["ILLUSTRATIVE_NOTE", "LOAD_REASON", "LoadReport", "ModelCounts", "Outcome", "PolicyDataError", "policy_load"]


def policy_load(
    *,
    path: Path,
    illustrative_path: Path | None = None,
    urdu_path: Path | None = None,
    force: bool = False,
    stdout: Writer | None = None,
) -> LoadReport:
    """Load the policy data file (and, when given, the illustrative progress file) in one transaction.

    Raises PolicyDataError, listing every problem, when a file is malformed or
    a record fails validation; nothing is written then.

    The Urdu texts are read from `urdu_path`, by default the file beside `path` named ``<name>.ur.yaml`` when there
    is one (pillars/loading/urdu.py).
    """
    data = _read_yaml(path)
    illustrative = _read_yaml(illustrative_path) if illustrative_path is not None else None
    _check_policy_data(data, illustrative)
    if urdu_path is None and path.with_suffix(".ur.yaml").exists():
        urdu_path = path.with_suffix(".ur.yaml")
    illustrative_note_ur = urdu_merge(data, _read_yaml(urdu_path), illustrative) if urdu_path is not None else ""

    loader = _Loader(
        force=force, stdout=stdout, illustrative_note_ur=illustrative_note_ur, with_urdu=urdu_path is not None
    )
    # The English texts go to the English columns and the Urdu ones, named, to the Urdu columns, whatever the
    # language of the caller (django-modeltranslation writes `title` to the active language's column).
    with translation.override("en"), transaction.atomic():
        loader.load_sources(data["sources"])
        loader.load_policy(data["policy"])
        loader.load_pillars(data["pillars"])
        loader.load_hubs(data["hubs"])
        loader.load_targets(data["targets"])
        loader.load_milestones(data["milestones"])
        loader.load_incentives(data["incentives"])
        loader.load_risks(data["risks"])
        loader.load_reported(data["targets"])
        if illustrative is not None:
            loader.load_illustrative(illustrative["measurements"])
    return loader.report
