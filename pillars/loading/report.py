"""What a load did: counts per model and outcome, and the error that stops a load."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Writer(Protocol):
    def write(self, s: str, /) -> Any: ...


class PolicyDataError(Exception):
    """The data file is malformed or a record fails validation; nothing was written."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"The policy data was not loaded (nothing was changed):\n{listing}")


# --- The report ---------------------------------------------------------------------


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"


@dataclass
class ModelCounts:
    """What the load did to the rows of one model."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept


#: The models the loader writes, in the order it writes them.
MODELS = (
    "Source",
    "Policy",
    "Pillar",
    "Hub",
    "Target",
    "Milestone",
    "MilestoneEvidence",
    "Incentive",
    "Risk",
    "Measurement",
)


@dataclass
class LoadReport:
    """Counts per model of what one load created, updated, left unchanged or kept because an editor changed it."""

    counts: dict[str, ModelCounts] = field(default_factory=lambda: {name: ModelCounts() for name in MODELS})
    #: "Model key" of every record kept because an editor changed it.
    kept: list[str] = field(default_factory=list)

    def record(self, model: str, outcome: Outcome, key: str) -> None:
        counts = self.counts.setdefault(model, ModelCounts())
        setattr(counts, outcome.value, getattr(counts, outcome.value) + 1)
        if outcome is Outcome.KEPT:
            self.kept.append(f"{model} {key}")

    @property
    def changed(self) -> bool:
        """Whether the load created or updated anything."""
        return any(c.created or c.updated for c in self.counts.values())

    def lines(self) -> list[str]:
        width = max(len(name) for name in self.counts)
        lines = [
            f"{name:<{width}}  {c.created:>4} created  {c.updated:>4} updated  "
            f"{c.unchanged:>4} unchanged  {c.kept:>4} kept (edited by an editor)"
            for name, c in self.counts.items()
        ]
        if self.kept:
            lines.append("Kept because an editor changed them (load with --force to overwrite):")
            lines.extend(f"  {key}" for key in self.kept)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())
