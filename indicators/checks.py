"""System check: the snapshot tables have a column for every indicator the pure module computes."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db.models import Model

from . import compute
from .models import MilestoneSnapshot, RollupSnapshot, TargetSnapshot

EXPECTED: list[tuple[type[Model], tuple[str, ...]]] = [
    (TargetSnapshot, compute.TARGET_INDICATOR_FIELDS),
    (MilestoneSnapshot, compute.MILESTONE_INDICATOR_FIELDS),
    (RollupSnapshot, compute.ROLLUP_FIELDS),
]


@checks.register(checks.Tags.models)
def snapshot_columns(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """An indicator added to `compute` without its column would be computed and silently never stored."""
    problems: list[checks.CheckMessage] = []
    for model, names in EXPECTED:
        columns = {f.name for f in model._meta.concrete_fields}
        missing = [name for name in names if name not in columns]
        if missing:
            problems.append(
                checks.Error(
                    f"{model._meta.label} has no column for {', '.join(missing)}.",
                    hint="Add the field to the model and run makemigrations (see docs/architecture.md).",
                    obj=model,
                    id="indicators.E001",
                )
            )
    return problems
