"""Writes of the indicators: the recompute, which stores the snapshots and roll-ups of a date.

The Celery tasks, the management command, the admin actions and the tests
all call `indicators_recompute` (or its per-edit and roll-up variants). It
reads through `indicators.selectors`, computes with the pure module and
writes in bulk in one transaction, idempotently: recomputing a date replaces
its rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import operator
import time
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import compute, selectors
from .models import MilestoneSnapshot, PendingRecompute, RecomputeRun, RollupSnapshot, TargetSnapshot

logger = logging.getLogger(__name__)

# The snapshot columns: the item, the pure module's indicators (in its order), then what only the table adds.
_TARGET_SNAPSHOT_COLUMNS = ("target_id", *compute.TARGET_INDICATOR_FIELDS, "computed_at")
_MILESTONE_SNAPSHOT_COLUMNS = ("milestone_id", *compute.MILESTONE_INDICATOR_FIELDS, "forecast_due_date", "computed_at")
_target_values = operator.attrgetter(*compute.TARGET_INDICATOR_FIELDS)
_milestone_values = operator.attrgetter(*compute.MILESTONE_INDICATOR_FIELDS)
# Advisory-lock namespace of the recompute, so that it cannot collide with another lock user.
_LOCK_NAMESPACE = 0x51_1D


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    """What one recompute did, for the command's summary, the task's log and the tests."""

    as_of: dt.date
    targets: int
    milestones: int
    rollups: int
    invalid_targets: tuple[int, ...]
    target_statuses: dict[str, int]
    milestone_statuses: dict[str, int]
    seconds: float


def _lock_date(as_of: dt.date, *, shared: bool = False) -> None:
    """Hold a transaction-scoped PostgreSQL advisory lock on `as_of`: one run at a time per date.

    A chunk of a parallel full recompute holds it shared (chunks run side by
    side), everything else exclusive. Other databases serialise writers anyway.
    """
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_LOCK_NAMESPACE, as_of.toordinal()])


def _lock_chunk(as_of: dt.date, start: int) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # The 64-bit key form: a different key space from the two-integer date locks.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [(as_of.toordinal() << 32) + (start & 0xFFFFFFFF)])


def _copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows with PostgreSQL's COPY, the fastest bulk insert there is."""
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write("\t".join(_copy_value(value) for value in row))
        write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _copy_value(value: Any) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Per basis, keyed by primary key.
TargetResults = dict[compute.Basis, dict[int, compute.TargetIndicators]]
MilestoneResults = dict[compute.Basis, dict[int, compute.MilestoneIndicators]]


def _target_rows(results: TargetResults, computed_at: dt.datetime) -> Iterable[tuple[Any, ...]]:
    for by_pk in results.values():
        for pk, result in by_pk.items():
            yield (pk, *_target_values(result), computed_at)


def _milestone_rows(
    results: MilestoneResults,
    forecasts: dict[int, dt.date | None],
    computed_at: dt.datetime,
) -> Iterable[tuple[Any, ...]]:
    for by_pk in results.values():
        for pk, result in by_pk.items():
            yield (pk, *_milestone_values(result), forecasts.get(pk), computed_at)


def _write_snapshots(
    *,
    as_of: dt.date,
    targets: TargetResults,
    milestones: MilestoneResults,
    forecasts: dict[int, dt.date | None],
    target_ids: Collection[int] | None,
    milestone_ids: Collection[int] | None,
    id_range: tuple[int, int] | None,
    computed_at: dt.datetime,
) -> None:
    """Replace the snapshots of `as_of` for the items recomputed: one DELETE and one bulk insert per table."""
    old_targets = TargetSnapshot.objects.filter(as_of=as_of)
    old_milestones = MilestoneSnapshot.objects.filter(as_of=as_of)
    if target_ids is not None:
        old_targets = old_targets.filter(target_id__in=list(target_ids))
    if milestone_ids is not None:
        old_milestones = old_milestones.filter(milestone_id__in=list(milestone_ids))
    if id_range is not None:
        old_targets = old_targets.filter(target_id__gte=id_range[0], target_id__lt=id_range[1])
        old_milestones = old_milestones.filter(milestone_id__gte=id_range[0], milestone_id__lt=id_range[1])
    # No signal nor cascade hangs off a snapshot, so each `delete()` is one DELETE statement.
    if target_ids is None or target_ids:
        old_targets.delete()
    if milestone_ids is None or milestone_ids:
        old_milestones.delete()

    target_rows = _target_rows(targets, computed_at)
    milestone_rows = _milestone_rows(milestones, forecasts, computed_at)
    if connection.vendor == "postgresql":
        if any(targets.values()):
            _copy_rows(TargetSnapshot._meta.db_table, _TARGET_SNAPSHOT_COLUMNS, target_rows)
        if any(milestones.values()):
            _copy_rows(MilestoneSnapshot._meta.db_table, _MILESTONE_SNAPSHOT_COLUMNS, milestone_rows)
    else:
        TargetSnapshot.objects.bulk_create(
            (TargetSnapshot(**dict(zip(_TARGET_SNAPSHOT_COLUMNS, row, strict=True))) for row in target_rows),
            batch_size=2_000,
        )
        MilestoneSnapshot.objects.bulk_create(
            (MilestoneSnapshot(**dict(zip(_MILESTONE_SNAPSHOT_COLUMNS, row, strict=True))) for row in milestone_rows),
            batch_size=2_000,
        )


def _compute(
    inputs: selectors.RecomputeInputs, as_of: dt.date, bases: tuple[compute.Basis, ...]
) -> tuple[TargetResults, MilestoneResults, list[int]]:
    """The indicators of every loaded item on each of `bases`; the targets whose definition is broken.

    On the illustrative basis only the targets whose latest figure is illustrative are computed again;
    the others (and every milestone) have the reported numbers, under the other basis.
    """
    reported = selectors.compute_indicators(inputs, as_of=as_of, basis=compute.Basis.REPORTED)
    targets: TargetResults = {compute.Basis.REPORTED: reported.targets}
    milestones: MilestoneResults = {compute.Basis.REPORTED: reported.milestones}
    if compute.Basis.ILLUSTRATIVE in bases:
        illustrative = compute.Basis.ILLUSTRATIVE
        differing = selectors.RecomputeInputs(
            targets={pk: t for pk, t in inputs.targets.items() if any(m.illustrative for m in t.measurements)}
        )
        recomputed = selectors.compute_indicators(differing, as_of=as_of, basis=illustrative).targets
        targets[illustrative] = {
            pk: recomputed.get(pk) or dataclasses.replace(result, basis=illustrative)
            for pk, result in reported.targets.items()
        }
        milestones[illustrative] = {
            pk: dataclasses.replace(result, basis=illustrative) for pk, result in reported.milestones.items()
        }
    for pk in reported.invalid:
        # Data that slipped past validation (edited in the database directly)
        # must not stop the other targets from being recomputed.
        logger.error("Target %s has an invalid definition; no indicators for %s.", pk, as_of)
    return targets, milestones, reported.invalid


def indicators_recompute(
    *,
    as_of: dt.date,
    target_ids: Collection[int] | None = None,
    milestone_ids: Collection[int] | None = None,
    id_range: tuple[int, int] | None = None,
    rollups: bool = True,
) -> RecomputeResult:
    """Recompute and store the indicators of `as_of`, in one transaction.

    With no ids, every target and milestone (a full run, recorded as such);
    with `target_ids`/`milestone_ids`, only those (after an edit); with
    `id_range` (start inclusive, end exclusive), one chunk of a parallel full
    run, which leaves the roll-ups to `indicators_rollup` once every chunk is
    done. Re-running a date replaces its snapshots, never duplicates them.
    """
    started = time.perf_counter()
    computed_at = timezone.now()
    full = target_ids is None and milestone_ids is None and id_range is None
    with transaction.atomic():
        if id_range is None:
            _lock_date(as_of)
        else:
            _lock_date(as_of, shared=True)
            _lock_chunk(as_of, id_range[0])
        inputs = selectors.recompute_inputs(
            as_of=as_of, target_ids=target_ids, milestone_ids=milestone_ids, id_range=id_range
        )
        bases = selectors.stored_bases(as_of)
        targets, milestones, invalid = _compute(inputs, as_of, bases)
        _write_snapshots(
            as_of=as_of,
            targets=targets,
            milestones=milestones,
            forecasts=inputs.forecasts,
            target_ids=target_ids,
            milestone_ids=milestone_ids,
            id_range=id_range,
            computed_at=computed_at,
        )
        rollup_count = 0
        if rollups and id_range is None:
            # A full run already holds every item's indicators; a partial run reads the others back.
            rollup_count = indicators_rollup(
                as_of=as_of, targets=targets if full else None, milestones=milestones if full else None, bases=bases
            )
        if id_range is None:
            RecomputeRun.objects.create(
                as_of=as_of,
                scope=RecomputeRun.Scope.FULL if full else RecomputeRun.Scope.ITEMS,
                target_count=len(targets[compute.Basis.REPORTED]),
                milestone_count=len(milestones[compute.Basis.REPORTED]),
                illustrative=compute.Basis.ILLUSTRATIVE in bases,
                started_at=computed_at,
                finished_at=timezone.now(),
            )
    reported_targets, reported_milestones = targets[compute.Basis.REPORTED], milestones[compute.Basis.REPORTED]
    return RecomputeResult(
        as_of=as_of,
        targets=len(reported_targets),
        milestones=len(reported_milestones),
        rollups=rollup_count,
        invalid_targets=tuple(invalid),
        target_statuses=dict(Counter(r.status.value for r in reported_targets.values())),
        milestone_statuses=dict(Counter(r.status.value for r in reported_milestones.values())),
        seconds=time.perf_counter() - started,
    )


def indicators_recompute_items(
    *, as_of: dt.date, target_ids: Collection[int] = (), milestone_ids: Collection[int] = ()
) -> RecomputeResult:
    """Recompute what one edit touched.

    The roll-ups need every item's indicators for the date, so when no full run
    exists for it yet (the first edit of the day, before the nightly run), this
    does the full run instead.
    """
    full = RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL, as_of=as_of).order_by("-finished_at").first()
    if full is None or full.illustrative != selectors.illustrative_stood_on(as_of):
        # No full run yet, or the edit made the illustrative basis differ (or stop differing) from the reported
        # one: every item's rows must follow, not only the edited ones'.
        return indicators_recompute(as_of=as_of)
    return indicators_recompute(as_of=as_of, target_ids=list(target_ids), milestone_ids=list(milestone_ids))


def indicators_rollup(
    *,
    as_of: dt.date,
    targets: TargetResults | None = None,
    milestones: MilestoneResults | None = None,
    record_full_run: bool = False,
    bases: tuple[compute.Basis, ...] | None = None,
) -> int:
    """Compute and store the roll-ups of `as_of` for the policy, each pillar and each hub, per window and basis.

    Reads the stored snapshots of `as_of` for whatever is not passed in. With
    `record_full_run` (the last step of a parallel full run), records the run.
    """
    started = timezone.now()
    with transaction.atomic():
        _lock_date(as_of)
        rows = []
        bases = bases if bases is not None else selectors.stored_bases(as_of)
        for basis in bases:
            by_target = (
                targets[basis]
                if targets is not None
                else selectors.target_indicators_on(as_of=as_of, basis=basis, rows_basis=basis)
            )
            by_milestone = (
                milestones[basis]
                if milestones is not None
                else selectors.milestone_indicators_on(as_of=as_of, basis=basis, rows_basis=basis)
            )
            rollups = selectors.compute_rollups(as_of=as_of, targets=by_target, milestones=by_milestone, basis=basis)
            rows += [
                RollupSnapshot(
                    scope=scope_name,
                    scope_key=scope_key,
                    window=key,
                    computed_at=started,
                    **{name: getattr(rollup, name) for name in compute.ROLLUP_FIELDS},
                )
                for (scope_name, scope_key, key), rollup in rollups.items()
            ]
        RollupSnapshot.objects.filter(as_of=as_of).delete()  # one DELETE: nothing hangs off a roll-up
        RollupSnapshot.objects.bulk_create(rows, batch_size=1_000)
        if record_full_run:
            RecomputeRun.objects.create(
                as_of=as_of,
                scope=RecomputeRun.Scope.FULL,
                target_count=len(by_target),
                milestone_count=len(by_milestone),
                illustrative=compute.Basis.ILLUSTRATIVE in bases,
                started_at=started,
                finished_at=timezone.now(),
            )
    return len(rows)


@dataclass(frozen=True, slots=True)
class DrainResult:
    """What one pass over the outbox did: the rows it took and the dates it recomputed."""

    rows: int
    dates: tuple[dt.date, ...]
    caught_up: bool = False


def indicators_recompute_pending(
    *,
    pending_ids: Collection[int] | None = None,
    older_than: dt.timedelta = dt.timedelta(0),
    today: dt.date | None = None,
    limit: int = 10_000,
) -> DrainResult:
    """Do the recomputes waiting in the outbox, and delete their rows, in one transaction.

    With `pending_ids`, those rows only (the task an edit sent after commit);
    otherwise every row older than `older_than` (the periodic drain leaves the
    newest to the task already on its way), `limit` at a time. Each row's
    items are recomputed for the day of the edit and, when that day has
    passed, for today as well. Rows another drain holds are skipped
    (`SKIP LOCKED`); a worker that dies mid-way rolls back, and the rows wait
    for the next pass.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        rows = PendingRecompute.objects.select_for_update(skip_locked=True).order_by("pk")
        if pending_ids is not None:
            rows = rows.filter(pk__in=list(pending_ids))
        else:
            rows = rows.filter(created_at__lte=timezone.now() - older_than)
        taken = list(rows.values_list("pk", "kind", "item_id", "as_of")[:limit])
        if not taken:
            return DrainResult(rows=0, dates=())
        work: dict[dt.date, tuple[set[int], set[int]]] = {}
        for _pk, kind, item_id, day in taken:
            if item_id is None:
                continue
            for date in {day, max(day, today)}:
                targets, milestones = work.setdefault(date, (set(), set()))
                (targets if kind == PendingRecompute.Kind.TARGET else milestones).add(item_id)
        for date, (targets, milestones) in sorted(work.items()):
            indicators_recompute_items(as_of=date, target_ids=sorted(targets), milestone_ids=sorted(milestones))
        PendingRecompute.objects.filter(pk__in=[row[0] for row in taken]).delete()
    return DrainResult(rows=len(taken), dates=tuple(sorted(work)))


def indicators_catch_up(*, today: dt.date | None = None) -> bool:
    """Run today's full recompute if it has not run yet (the nightly run was missed: say, the broker was down)."""
    today = today or timezone.localdate()
    if RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL, as_of=today).exists():
        return False
    indicators_recompute(as_of=today)
    return True
