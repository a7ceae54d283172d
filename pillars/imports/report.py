"""What an import is: the kinds of file, their columns, and the report of what it did (or would do)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.spreadsheets import SpreadsheetError

#: Shown in reports: beyond these, a summary count.
MAX_SHOWN_CHANGES = 200
MAX_SHOWN_PROBLEMS = 500


class ImportKind(StrEnum):
    MEASUREMENTS = "measurements"
    MILESTONES = "milestones"


#: The columns of each kind of file, in order: (name, required, what it holds).


COLUMNS: dict[ImportKind, tuple[tuple[str, bool, str], ...]] = {
    ImportKind.MEASUREMENTS: (
        ("target_code", True, "The target's code, e.g. p2-trained-per-year."),
        ("date", True, "The date the figure is for, as YYYY-MM-DD."),
        ("value", True, "The cumulative figure on that date (a number; 200000 or 200,000)."),
        ("source_url", False, "The address of the source (required for a new figure unless illustrative)."),
        ("note", False, "A note; required when you confirm a figure out of line."),
        ("illustrative", False, "yes for a made-up demonstration figure; otherwise leave empty."),
        ("confirm", False, "yes to confirm a figure out of line with the target's other figures."),
        ("reason", False, "Why a stored figure's value changes: required then (readers see the earlier value)."),
        ("withdraw", False, "yes to withdraw the stored figure of that date (give its value as it stands)."),
        ("withdrawal_reason", False, "Why it is withdrawn: required with withdraw; shown beside the figure."),
    ),
    ImportKind.MILESTONES: (
        ("milestone_code", True, "The milestone's code, e.g. naif-established."),
        ("title", False, "For your reference only: not imported."),
        ("forecast_due_date", False, "New forecast due date, YYYY-MM-DD (empty: unchanged)."),
        ("completed_on", False, "Completion date, YYYY-MM-DD, not in the future (empty: unchanged)."),
        ("cancelled", False, "yes to cancel the milestone (empty: unchanged)."),
        ("reason", False, "Why: required when a forecast moves later, on completion and on cancellation."),
        ("evidence_url", False, "The address of the evidence: required in the same cases."),
    ),
}


#: The file as a whole cannot be read (wrong type, encoding, columns, size): nothing was written.
FileProblem = SpreadsheetError


@dataclass(slots=True)
class RowProblem:
    line: int
    message: str


@dataclass(slots=True)
class RowChange:
    line: int
    item: str
    action: str  # "add", "change", "withdraw" or "unchanged"
    description: str


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: ImportKind
    file_name: str
    dry_run: bool
    rows: int = 0
    changes: list[RowChange] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    file_problem: str = ""
    written: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.file_problem and not self.problems

    @property
    def counts(self) -> dict[str, int]:
        counts = {"add": 0, "change": 0, "withdraw": 0, "unchanged": 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def shown_changes(self) -> list[RowChange]:
        return [c for c in self.changes if c.action != "unchanged"][:MAX_SHOWN_CHANGES]

    @property
    def shown_problems(self) -> list[RowProblem]:
        return self.problems[:MAX_SHOWN_PROBLEMS]

    @property
    def hidden_problems(self) -> int:
        return max(0, len(self.problems) - MAX_SHOWN_PROBLEMS)

    @property
    def hidden_changes(self) -> int:
        return max(0, len([c for c in self.changes if c.action != "unchanged"]) - MAX_SHOWN_CHANGES)
