"""The words of the OpenAPI schema that no serializer or FilterSet carries: summaries, field and parameter texts.

Read by the post-processing hook `core.api.schema.describe` (docs/api.md is the prose they summarise). A
field or parameter that already has a description (a model's or serializer's `help_text`) keeps it; these
fill the rest. tests/core/test_api.py checks that every operation, field and parameter ends up described.
"""

from __future__ import annotations

# operationId: (summary, description).
OPERATIONS: dict[str, tuple[str, str]] = {
    "pillars_list": (
        "List the pillars",
        "The policy's six pillars in order, each with its `rollup` (counts per status, slip, reporting) as of `as_of`.",
    ),
    "pillars_retrieve": ("Get one pillar", "One pillar by its slug, with its `rollup` as of `as_of`."),
    "targets_list": (
        "List the targets",
        "Numeric targets with their planned curve (`trajectory`) and `indicators` as of `as_of`. Filters combine "
        "with AND; a repeated filter means any of its values. `status` and `stale` are judged as of `as_of`.",
    ),
    "targets_create": (
        "Create a target",
        "Editors only. The editorial rules of the admin apply; a bad field is a 400 naming it.",
    ),
    "targets_retrieve": (
        "Get one target",
        "One target with its `indicators` as of `as_of`: a figure reported after that date is ignored.",
    ),
    "targets_partial_update": (
        "Change a target",
        "Editors only. Writes the fields sent onto the record as stored; send the ETag of your copy as "
        "`If-Match` to be refused (412) if someone changed it meanwhile.",
    ),
    "targets_history_retrieve": (
        "A target's history",
        "The measurements, the planned curve and the stored snapshots of the indicators in date order: what a "
        "chart needs.",
    ),
    "measurements_list": (
        "List the measurements",
        "Reported figures (cumulative), by target and date. Illustrative figures only with `basis=illustrative`.",
    ),
    "measurements_create": (
        "Add a measurement",
        "Editors only. A figure out of line with the others needs `confirm: true`.",
    ),
    "measurements_retrieve": ("Get one measurement", "One reported figure, withdrawn or not."),
    "measurements_partial_update": (
        "Change or withdraw a measurement",
        'Editors only. `{"withdraw": true, "withdrawal_reason": "..."}` withdraws the figure (it stays in public); '
        "changing `value` or `date` needs a `reason`. `If-Match` as for targets.",
    ),
    "milestones_list": (
        "List the milestones",
        "Dated deliverables with their `evidence` and `indicators` as of `as_of`.",
    ),
    "milestones_create": (
        "Create a milestone",
        "Editors only. A completion or a cancellation needs a reason and evidence.",
    ),
    "milestones_retrieve": ("Get one milestone", "One milestone with its `indicators` as of `as_of`."),
    "milestones_partial_update": (
        "Change a milestone",
        "Editors only. A forecast moved later, a completion or a cancellation needs `reason` and "
        "`evidence_url`. `If-Match` as for targets.",
    ),
    "milestones_history_retrieve": (
        "A milestone's history",
        "The stored snapshots: the expected date per report date (milestone trend analysis).",
    ),
    "incentives_list": (
        "List the incentives",
        "What the policy offers companies, researchers and students: who runs it, who can apply, its status.",
    ),
    "incentives_retrieve": ("Get one incentive", "One incentive by its slug, with its sources."),
    "hubs_list": ("List the hubs", "Regional hubs with coordinates, Urdu name and `rollup` as of `as_of`."),
    "hubs_retrieve": ("Get one hub", "One hub by its slug, with its `rollup` as of `as_of`."),
    "dashboard_summary_retrieve": (
        "The dashboard summary",
        "The policy-wide `rollup` and one per pillar as of `as_of`; `due_from` / `due_to` roll up only the items "
        "due in that window.",
    ),
    "changes_list": (
        "List the changes",
        "The public record of every change to published data, newest first: figures added, revised and withdrawn, "
        "forecasts moved, milestones completed or cancelled, definitions changed, re-baselines, incentive statuses.",
    ),
}

DATE_RULE = "YYYY-MM-DD, between 2000-01-01 and 2100-12-31"

# Query and path parameters, by name; (operationId, name) first when the name means different things.
PARAMETERS: dict[str, str] = {
    "id": "The record's id.",
    "slug": "The record's slug (its name in the address).",
    "pillar": "Pillar slug; repeat for any of.",
    "pillar_id": "Pillar id; repeat for any of.",
    "hub": "Hub slug; repeat for any of.",
    "q": "Free text, matched case-insensitively; may be empty (no filter).",
    "province": "Province or territory, matched exactly; may be empty (no filter).",
    "due_after": f"Deadline on or after this date ({DATE_RULE}).",
    "due_before": f"Deadline on or before this date ({DATE_RULE}).",
    "date_after": f"Figures dated on or after this date ({DATE_RULE}).",
    "date_before": f"Figures dated on or before this date ({DATE_RULE}).",
    "stale": "`true`: only the targets without a new figure for more than twice their reporting interval, as of "
    "`as_of`; `false`: the others.",
    "illustrative": "`true`: only demonstration figures; `false`: only reported ones.",
    "target": "Target id.",
    "target_code": "Target code (e.g. `p2-trained-per-year`); may be empty (no filter).",
    "milestones_list:due_after": f"Baseline due date on or after this date ({DATE_RULE}).",
    "milestones_list:due_before": f"Baseline due date on or before this date ({DATE_RULE}).",
}

# Schema properties, by name; "Component.name" first when the name means different things.
FIELDS: dict[str, str] = {
    # Lists
    "count": "How many rows the whole list has (every page).",
    "next": "The address of the next page, with the same parameters; null on the last page.",
    "previous": "The address of the previous page; null on the first page.",
    "results": "The rows of this page.",
    "detail": "What went wrong, in words.",
    # Common
    "id": "The record's id (stable).",
    "slug": "The record's slug: its name in addresses (stable).",
    "name": "Its name, in English.",
    "code": "A stable identifier, e.g. `p2-trained-per-year`.",
    "title": "What it is, in a line.",
    "description": "What it is, in full.",
    "summary": "In a few sentences.",
    "confidence": "How sure the portal is: `A+` several outlets agree, `A` one source read, `A1` a single or weak "
    "source, `B` general knowledge, unverified.",
    "sources": "Where the facts come from.",
    "hubs": "Slugs of the hubs it concerns.",
    "pillar": "Slug of its pillar; null when it belongs to none.",
    "disputed": "The sources disagree on it.",
    "responsible_body": "Who must deliver it.",
    "lead_body": "The body that leads the pillar.",
    "number": "The pillar's number in the policy (1 to 6).",
    "rollup": "Counts per status, slip and reporting, as of the date asked for.",
    "indicators": "The slip indicators as of the date asked for; null when they cannot be computed.",
    "rebaselines": "Re-baselines of the promise, oldest first: the one in force is the last.",
    "created_at": "When it was entered.",
    "recorded_at": "When it was recorded.",
    "reason": "Why (required for some changes, see the operation).",
    "note": "A remark.",
    "basis_note": "Why the baseline or deadline is assumed, in plain words.",
    # Targets
    "kind": "What kind of item it is.",
    "direction": "1 when the value must grow to reach the target, -1 when it must fall.",
    "baseline_value": "The value at the start (original promise).",
    "baseline_date": f"The date of the baseline value ({DATE_RULE}).",
    "baseline_basis": "Whether the baseline is stated by a source or assumed.",
    "target_value": "The value promised (original promise).",
    "target_date": f"The deadline of the original promise ({DATE_RULE}).",
    "deadline_basis": "Whether the deadline is stated by a source or assumed.",
    "trajectory": "The planned curve between baseline and target: dated values, in date order.",
    "current_baseline_date": "The baseline date in force (after any re-baseline).",
    "current_baseline_value": "The baseline value in force (after any re-baseline).",
    "current_target_date": "The deadline in force (after any re-baseline).",
    "current_target_value": "The target value in force (after any re-baseline).",
    "current_baseline_indicators": "The indicators against the promise in force; null when never re-baselined.",
    "unit": "What is counted, e.g. people, scholarships, %.",
    "planned": "The planned curve: baseline, trajectory points and target, in date order.",
    "measurements": "The reported figures in date order.",
    "snapshots": "The stored indicators per report date, in date order.",
    # Measurements
    "Measurement.target": "Id of the target measured.",
    "MeasurementRequest.target": "Id of the target measured.",
    "PatchedMeasurementRequest.target": "Id of the target measured.",
    "TargetHistory.target": "Id of the target.",
    "Milestone.target": "Id of the target the milestone serves; null when none.",
    "MilestoneWriteRequest.target": "Id of the target the milestone serves; null when none.",
    "PatchedMilestoneWriteRequest.target": "Id of the target the milestone serves; null when none.",
    "MilestoneHistory.milestone": "Id of the milestone.",
    "date": f"The date of the value ({DATE_RULE}).",
    "value": "The cumulative value on that date, in the target's unit.",
    "source_url": "The address of the report the figure comes from (a URI, RFC 3986).",
    "withdrawn_on": "When the figure was withdrawn; null while it counts.",
    "withdrawal_reason": "Why it was withdrawn.",
    # Milestones
    "baseline_due_date": "The due date of the original promise.",
    "current_baseline_due_date": "The due date in force (after any re-baseline).",
    "due_basis": "Whether the due date is stated by a source or assumed.",
    "forecast_due_date": "When the responsible body now expects it; null when it has said nothing.",
    "completed_on": "When it was completed; null while open.",
    "cancelled": "It was cancelled.",
    "cancelled_on": "When it was cancelled.",
    "evidence": "Documents and addresses that show its progress, completion or cancellation.",
    # Indicators and snapshots
    "as_of": "The date the numbers are as of.",
    "basis": "`reported`: reported figures only; `illustrative`: demonstration figures count too.",
    "status": "Its status as of the date asked for.",
    "progress": "Share of the way from baseline to target reached by the latest figure (0 to 1, may exceed).",
    "planned_progress": "Share of the way the plan expected by the evaluation date.",
    "actual_value": "The latest figure known on the as-of date; null without one.",
    "evaluation_date": "The date of that figure: what the indicators are evaluated at.",
    "earned_schedule": "The date by which the plan expected the value reached (earned schedule).",
    "slip_days": "Days behind plan (positive) or ahead (negative); for a milestone, expected date minus the "
    "baseline due date.",
    "spi": "Days of plan earned per day elapsed; 1 is on plan (on track from 0.95, at risk from 0.80).",
    "forecast_completion": "When the target will be met at the current pace; null if never.",
    "forecast_slip_days": "How late that forecast is against the deadline, in days.",
    "required_rate": "The pace needed from the as-of date on to meet the target, per day.",
    "required_rate_per_year": "The same pace, per year.",
    "staleness_days": "Days since the latest figure.",
    "stale": "No new figure for more than twice the target's reporting interval.",
    "last_reported_on": "When the latest reported figure came (whatever the basis).",
    "report_due_on": "When the next figure is (was) due.",
    "reporting_overdue_days": "How many days late the next figure is; 0 when not late.",
    "expected_date": "When the milestone is expected: completion date, forecast or baseline due date.",
    # Roll-ups
    "targets": "Count of targets per status.",
    "milestones": "Count of milestones per status.",
    "median_slip_days": "Median slip of the items with data, in days; null when none.",
    "max_slip_days": "Largest slip of the items with data, in days; null when none.",
    "on_schedule_share": "Share of the items with data that are on schedule; null when there are none.",
    "reporting_coverage": "Share of the targets with any reported figure.",
    "targets_reporting_overdue": "How many targets have their next figure overdue.",
    "median_reporting_overdue_days": "Median days overdue, over the overdue targets; null when none.",
    "max_reporting_overdue_days": "Largest days overdue, over the overdue targets; null when none.",
    "Summary.policy": "The policy's name.",
    "Summary.pillars": "One roll-up per pillar, in order.",
    "due_from": "Only items due on or after this date were rolled up; null for all.",
    "due_to": "Only items due on or before this date were rolled up; null for all.",
    # Re-baselines
    "old_baseline_date": "The baseline date before.",
    "old_baseline_value": "The baseline value before.",
    "old_target_date": "The deadline before.",
    "old_target_value": "The target value before.",
    "old_due_date": "The due date before.",
    "new_baseline_date": "The baseline date after.",
    "new_baseline_value": "The baseline value after.",
    "new_target_date": "The deadline after.",
    "new_target_value": "The target value after.",
    "new_due_date": "The due date after.",
    "source": "The address that states it.",
    # Evidence
    "Evidence.kind": "What kind of evidence: an address or a document.",
    "Evidence.document": "The address of the uploaded document; null for a link.",
    "Evidence.summary": "What it shows.",
    # Incentives
    "administered_by": "Who runs it.",
    "eligibility": "Who can apply.",
    "planned_launch_on": "The planned launch date; null when unknown.",
    "planned_launch_basis": "Whether the planned launch date is stated by a source or assumed.",
    "launched_on": "When it actually launched; null until then.",
    "budget_amount": "The budget, in `budget_currency`; null when unknown.",
    "budget_note": "What the budget covers, or why it is uncertain.",
    "dispute_note": "What the sources disagree on.",
    # Hubs
    "name_ur": "The city's name in Urdu.",
    "province": "Province or territory.",
    "tier": "The hub's tier in the policy.",
    "coordinates_confidence": "How sure the coordinates are (same scale as `confidence`).",
    # Sources
    "url": "The source's address (a URI, RFC 3986).",
    "outlet": "Who published it.",
    "published_on": "When it was published; null when unknown.",
    "confidence_mark": "The confidence as written on the pages, with `[!]` when disputed.",
    # Changes
    "Change.item": "The target, milestone or incentive whose page shows the change; null for none.",
    "ChangeItem.id": "Its id.",
    "ChangeItem.type": "`target`, `milestone` or `incentive`.",
    "ChangeItem.title": "Its title.",
    "ChangeObject.id": "The id of the record changed.",
    "ChangeObject.type": "The kind of record changed.",
    "Change.kind": "What happened.",
    "ChangeFigure.date": "The figure's date.",
    "ChangeFigure.value": "The figure's value.",
    "PillarRollup.name": "The pillar's name.",
    "PillarRollup.slug": "The pillar's slug.",
    "PillarRollup.number": "The pillar's number.",
    "PillarRollup.rollup": "The pillar's roll-up.",
    "Point.date": "The date of the planned value.",
    "Point.value": "The planned cumulative value on that date.",
    "PointRequest.date": "The date of the planned value.",
    "PointRequest.value": "The planned cumulative value on that date.",
}
