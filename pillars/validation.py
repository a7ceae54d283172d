"""Validation rules with messages a person understands, shared by models, services, admin and API.

Each function returns the problems by field name (empty when all is well), so
that a form, a DRF serializer and an import report can each show them in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from indicators import compute

if TYPE_CHECKING:
    from .models import Target


REVISION_NEEDS_REASON = _lazy(
    "Say why this published figure changes: the earlier value stays in public with your reason."
)
WITHDRAWAL_NEEDS_REASON = _lazy("Say why this figure is withdrawn: readers see the reason beside it.")
WITHDRAWN_STAYS = _lazy("This figure was withdrawn on %(date)s and stays as it was; enter a new figure instead.")


def revision_errors(*, revised: bool, reason: str) -> dict[str, list[str]]:
    """A stored figure whose value or date changes needs the reason (its earlier value stays in public)."""
    return {"reason": [str(REVISION_NEEDS_REASON)]} if revised and not reason.strip() else {}


def withdrawn_errors(*, withdrawn_on: dt.date | None) -> dict[str, list[str]]:
    """A withdrawn figure is kept as it was."""
    if withdrawn_on is None:
        return {}
    return {"__all__": [str(WITHDRAWN_STAYS) % {"date": withdrawn_on.isoformat()}]}


def target_errors(
    *,
    baseline_value: float | None,
    baseline_date: dt.date | None,
    target_value: float | None,
    target_date: dt.date | None,
    trajectory: Sequence[tuple[dt.date, float]] = (),
    value_can_be_negative: bool = False,
) -> dict[str, list[str]]:
    """The problems with a target's values and planned curve, by field, in words an editor understands."""
    errors: dict[str, list[str]] = {}
    if None in (baseline_value, baseline_date, target_value, target_date):
        return errors  # the form already says which required field is missing
    assert baseline_value is not None and target_value is not None
    assert baseline_date is not None and target_date is not None
    if baseline_value == target_value:
        errors.setdefault("target_value", []).append(
            _(
                "The target value must differ from the baseline value (%(value)s): "
                "otherwise there is nothing to deliver."
            )
            % {"value": f"{baseline_value:g}"}
        )
    if target_date <= baseline_date:
        errors.setdefault("target_date", []).append(
            _("The deadline (%(deadline)s) must come after the baseline date (%(baseline)s).")
            % {"deadline": target_date.isoformat(), "baseline": baseline_date.isoformat()}
        )
    if not value_can_be_negative:
        for field, value in (("baseline_value", baseline_value), ("target_value", target_value)):
            if value < 0:
                errors.setdefault(field, []).append(_("This unit cannot be negative."))
    if errors:
        return errors
    try:
        compute.validate_target_input(
            compute.TargetInput(
                baseline_date=baseline_date,
                baseline_value=baseline_value,
                target_date=target_date,
                target_value=target_value,
                trajectory=tuple(compute.Point(d, v) for d, v in trajectory),
            )
        )
    except compute.InvalidTarget as exc:
        errors.setdefault("trajectory", []).extend(exc.messages)
    return errors


def measurement_errors(*, target: Target, date: dt.date | None, value: float | None) -> dict[str, list[str]]:
    """The problems with one reported figure for a target."""
    errors: dict[str, list[str]] = {}
    if date is not None and date < target.baseline_date:
        errors["date"] = [
            _("A figure cannot be dated before the target's baseline date (%(baseline)s).")
            % {"baseline": target.baseline_date.isoformat()}
        ]
    if value is not None and value < 0 and not target.value_can_be_negative:
        errors["value"] = [_("%(unit)s cannot be negative.") % {"unit": target.unit.capitalize() or _("This value")}]
    return errors


def milestone_errors(
    *,
    announced_on: dt.date | None,
    baseline_due_date: dt.date | None,
    completed_on: dt.date | None,
    cancelled: bool,
    cancelled_on: dt.date | None,
) -> dict[str, list[str]]:
    """The problems with a milestone's dates."""
    errors: dict[str, list[str]] = {}
    if announced_on and completed_on and completed_on < announced_on:
        errors["completed_on"] = [
            _("A milestone cannot be completed (%(completed)s) before it was announced (%(announced)s).")
            % {"completed": completed_on.isoformat(), "announced": announced_on.isoformat()}
        ]
    if cancelled and completed_on:
        errors.setdefault("cancelled", []).append(_("A completed milestone cannot also be cancelled."))
    if cancelled_on and not cancelled:
        errors.setdefault("cancelled_on", []).append(_("Tick 'cancelled' to give a cancellation date."))
    if announced_on and cancelled_on and cancelled_on < announced_on:
        errors.setdefault("cancelled_on", []).append(
            _("A milestone cannot be cancelled before it was announced (%(announced)s).")
            % {"announced": announced_on.isoformat()}
        )
    return errors


# --- Editing rules: reasons, evidence, locked baselines, figures out of line -----------------

#: What an editor uploads as evidence: documents and pictures, never anything a browser would run.
EVIDENCE_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "webp", "docx", "odt", "xlsx", "ods", "csv", "txt")


@dataclass(frozen=True, slots=True)
class MilestoneState:
    """The editable dates of a milestone, before or after an edit."""

    forecast_due_date: dt.date | None = None
    completed_on: dt.date | None = None
    cancelled: bool = False
    cancelled_on: dt.date | None = None


class MilestoneChange(StrEnum):
    """What an edit does to a milestone, as far as the rules on reasons and evidence go."""

    FORECAST_LATER = "forecast_later"
    FORECAST_BEFORE_BASELINE = "forecast_before_baseline"
    COMPLETED = "completed"
    COMPLETION_CHANGED = "completion_changed"
    REOPENED = "reopened"
    CANCELLED = "cancelled"
    UNCANCELLED = "uncancelled"


#: Changes that need a reason and evidence (a source address or a document).
NEEDS_EVIDENCE = frozenset(
    {
        MilestoneChange.FORECAST_LATER,
        MilestoneChange.COMPLETED,
        MilestoneChange.COMPLETION_CHANGED,
        MilestoneChange.CANCELLED,
    }
)
#: Changes that need a reason (evidence welcome).
NEEDS_REASON = NEEDS_EVIDENCE | {
    MilestoneChange.FORECAST_BEFORE_BASELINE,
    MilestoneChange.REOPENED,
    MilestoneChange.UNCANCELLED,
}


def milestone_changes(
    *, before: MilestoneState, after: MilestoneState, baseline_due_date: dt.date
) -> list[MilestoneChange]:
    """The changes of an edit that the rules care about (a new milestone is compared with an empty one)."""
    changes: list[MilestoneChange] = []
    old_forecast = before.forecast_due_date or baseline_due_date
    if after.forecast_due_date is not None and after.forecast_due_date != before.forecast_due_date:
        if after.forecast_due_date > old_forecast:
            changes.append(MilestoneChange.FORECAST_LATER)
        if after.forecast_due_date < baseline_due_date:
            changes.append(MilestoneChange.FORECAST_BEFORE_BASELINE)
    if after.completed_on is not None and before.completed_on is None:
        changes.append(MilestoneChange.COMPLETED)
    elif after.completed_on is not None and after.completed_on != before.completed_on:
        changes.append(MilestoneChange.COMPLETION_CHANGED)
    elif after.completed_on is None and before.completed_on is not None:
        changes.append(MilestoneChange.REOPENED)
    if after.cancelled and not before.cancelled:
        changes.append(MilestoneChange.CANCELLED)
    elif before.cancelled and not after.cancelled:
        changes.append(MilestoneChange.UNCANCELLED)
    return changes


def milestone_change_errors(
    *,
    before: MilestoneState,
    after: MilestoneState,
    baseline_due_date: dt.date,
    reason: str,
    has_evidence: bool,
    today: dt.date,
) -> dict[str, list[str]]:
    """The problems with an editor's change of a milestone's dates, by field ("reason" and "evidence" included)."""
    errors: dict[str, list[str]] = {}
    if after.completed_on is not None and after.completed_on > today and after.completed_on != before.completed_on:
        errors["completed_on"] = [
            _("A milestone cannot be completed in the future (today is %(today)s).") % {"today": today.isoformat()}
        ]
    if after.cancelled_on is not None and after.cancelled_on > today and after.cancelled_on != before.cancelled_on:
        errors["cancelled_on"] = [
            _("A milestone cannot be cancelled in the future (today is %(today)s).") % {"today": today.isoformat()}
        ]
    changes = milestone_changes(before=before, after=after, baseline_due_date=baseline_due_date)
    why = {
        MilestoneChange.FORECAST_LATER: _("the forecast moves later"),
        MilestoneChange.FORECAST_BEFORE_BASELINE: _("the forecast comes before the baseline due date (%(due)s)")
        % {"due": baseline_due_date.isoformat()},
        MilestoneChange.COMPLETED: _("the milestone is marked completed"),
        MilestoneChange.COMPLETION_CHANGED: _("the completion date changes"),
        MilestoneChange.REOPENED: _("the completion is withdrawn"),
        MilestoneChange.CANCELLED: _("the milestone is cancelled"),
        MilestoneChange.UNCANCELLED: _("the cancellation is withdrawn"),
    }
    reasons_needed = [why[c] for c in changes if c in NEEDS_REASON]
    evidence_needed = [why[c] for c in changes if c in NEEDS_EVIDENCE]
    if reasons_needed and not reason.strip():
        errors["reason"] = [
            _("Give a reason: %(what)s, and readers are told why.") % {"what": "; ".join(reasons_needed)}
        ]
    if evidence_needed and not has_evidence:
        errors["evidence"] = [
            _("Cite the evidence (a source address or an uploaded document): %(what)s.")
            % {"what": "; ".join(evidence_needed)}
        ]
    return errors


def evidence_kind_for(changes: Sequence[MilestoneChange]) -> str:
    """The kind of the evidence row an edit records: the weightiest of its changes."""
    if MilestoneChange.CANCELLED in changes:
        return "cancellation"
    if MilestoneChange.COMPLETED in changes or MilestoneChange.COMPLETION_CHANGED in changes:
        return "completion"
    if MilestoneChange.FORECAST_LATER in changes or MilestoneChange.FORECAST_BEFORE_BASELINE in changes:
        return "forecast"
    return "report"


#: How each kind of evidence document begins (its "magic number"); text kinds hold no NUL byte instead.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "webp": (b"RIFF",),
    # The office formats are zip archives.
    "docx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
}
#: How many leading bytes `evidence_document_errors` needs to tell a document's kind.
EVIDENCE_HEAD_BYTES = 512


def _content_matches(extension: str, head: bytes) -> bool:
    if extension in ("csv", "txt"):
        return b"\x00" not in head
    if extension == "webp":
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    return head.startswith(_SIGNATURES.get(extension, (b"",)))


def evidence_document_errors(*, name: str, size: int, max_bytes: int, head: bytes | None = None) -> list[str]:
    """The problems with an uploaded evidence document.

    `head`, its first `EVIDENCE_HEAD_BYTES` bytes, must look like the kind its name says: a program
    renamed `payload.pdf` is refused as surely as `payload.exe`.
    """
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    problems = []
    if extension not in EVIDENCE_EXTENSIONS:
        problems.append(
            _("Upload a document of one of these kinds: %(kinds)s (this one is “%(name)s”).")
            % {"kinds": ", ".join(EVIDENCE_EXTENSIONS), "name": name}
        )
    elif head is not None and not _content_matches(extension, head):
        problems.append(
            _("“%(name)s” is not a %(kind)s document inside: upload the document itself, saved as %(kind)s.")
            % {"name": name, "kind": extension.upper()}
        )
    if size > max_bytes:
        problems.append(
            _("The document is %(size)s MB; the most is %(max)s MB.")
            % {"size": f"{size / 1_048_576:.1f}", "max": f"{max_bytes / 1_048_576:.0f}"}
        )
    return problems


#: The fields of a published target or milestone that only a re-baseline changes.
TARGET_LOCKED_FIELDS = ("baseline_value", "baseline_date", "target_value", "target_date")
MILESTONE_LOCKED_FIELDS = ("baseline_due_date",)


def locked_baseline_errors(*, changed: Sequence[str], published_on: dt.date) -> dict[str, list[str]]:
    """Refuse a change of the locked fields of a published item, naming the way to do it instead."""
    message = _(
        "Published on %(date)s: the baseline is the public promise and cannot be edited. "
        "A superuser can re-baseline it (with a reason), and both baselines stay public."
    ) % {"date": published_on.isoformat()}
    return {field: [message] for field in changed}


def rebaseline_reason_errors(reason: str) -> dict[str, list[str]]:
    if len(reason.strip()) < 10:
        return {"reason": [_("Say why the baseline moves, in a sentence readers will understand.")]}
    return {}


def measurement_warnings(
    *,
    direction: int,
    baseline_value: float,
    target_value: float,
    value: float,
    previous: tuple[dt.date, float] | None,
    following: tuple[dt.date, float] | None,
) -> list[str]:
    """Why a figure looks out of line with its neighbours (empty when it looks plausible).

    Figures are cumulative, so they should move towards the target: one that
    moves back, or jumps by more than the whole commitment, is more often a
    typing mistake than news. An editor may still record it, with a note.
    """
    span = abs(target_value - baseline_value)
    warnings: list[str] = []
    toward = _("rise") if direction > 0 else _("fall")
    if previous is not None and direction * (value - previous[1]) < 0:
        warnings.append(
            _(
                "%(value)s goes back from the previous figure (%(prev)s on %(date)s), "
                "though this cumulative target must %(toward)s."
            )
            % {"value": f"{value:,g}", "prev": f"{previous[1]:,g}", "date": previous[0].isoformat(), "toward": toward}
        )
    if following is not None and direction * (following[1] - value) < 0:
        warnings.append(
            _("%(value)s goes past the later figure (%(next)s on %(date)s), so that one would go back.")
            % {"value": f"{value:,g}", "next": f"{following[1]:,g}", "date": following[0].isoformat()}
        )
    reference = previous[1] if previous is not None else baseline_value
    if span > 0 and abs(value - reference) > span:
        warnings.append(
            _(
                "%(value)s moves by more than the whole commitment (%(span)s) from %(ref)s: "
                "check the unit and the number of zeros."
            )
            % {"value": f"{value:,g}", "span": f"{span:,g}", "ref": f"{reference:,g}"}
        )
    if previous is None and direction * (value - baseline_value) < 0:
        warnings.append(
            _("%(value)s is behind the baseline (%(base)s).") % {"value": f"{value:,g}", "base": f"{baseline_value:,g}"}
        )
    return warnings


CONFIRM_FIGURE = _lazy(
    "To record it anyway, confirm this figure (tick “I confirm this figure”, or send confirm=true) "
    "and explain it in the note."
)
EXPLAIN_FIGURE = _lazy("This figure is out of line with the others: explain it in the note.")


def figure_warnings(
    *,
    target: Target,
    value: float,
    previous: tuple[dt.date, float] | None,
    following: tuple[dt.date, float] | None,
) -> list[str]:
    """`measurement_warnings` for a figure of `target`, between its neighbouring figures (as (date, value))."""
    return measurement_warnings(
        direction=target.direction,
        baseline_value=target.baseline_value,
        target_value=target.target_value,
        value=value,
        previous=previous,
        following=following,
    )
