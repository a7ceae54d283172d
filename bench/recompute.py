#!/usr/bin/env python
"""Benchmark of the full indicators recompute, against a floor that does the same work by hand.

    .venv/bin/python bench/recompute.py --targets 10000 --measurements 10
    .venv/bin/python bench/recompute.py --targets 100000 --measurements 10 --json var/bench-100k.json

What it does, in order:

1. Creates a dedicated PostgreSQL database (default ``portal_bench``) if it is
   missing, and migrates it with ``call_command("migrate")``.
2. Generates N targets with M monthly measurements each (some dated after the
   as-of date), about a third with 2-5 interim trajectory points, some
   decreasing, plus N milestones (mixed forecast / completed / cancelled),
   assigned to pillars and hubs so that the roll-ups have work. Rows are
   written with COPY from generated text, never through the ORM.
3. VACUUM ANALYZE.
4. Runs, alternately and ``--repeat`` times each, in a fresh subprocess per
   run (so every RSS peak is independent):

   * ``service``: ``indicators.services.indicators_recompute(as_of=...)``, the
     full recompute with its roll-ups, exactly as the nightly task runs it;
   * ``floor``: the same work written by hand: the same inputs read with one
     plain SQL query per table through a raw psycopg2 cursor, computed with the
     pure module ``indicators.compute``, and written with one COPY per snapshot
     table (targets, milestones, roll-ups).

   Before every run the snapshot tables are emptied and a CHECKPOINT is taken
   outside the timing, so each run starts from the same state. After every run
   the stored snapshots are checksummed: the floor must store exactly what the
   service stores, or the comparison would mean nothing.

   Each run reports the wall time of the recompute (the database connection is
   opened beforehand, outside the timing), the peak RSS of its process
   (``ru_maxrss``) and how much of it the recompute added, and the statements
   it sent. One more run of each, with ``tracemalloc`` on, gives the peak of
   Python allocations (tracemalloc slows allocation down, so its times are not
   used).
5. Prints a table of medians; ``--json`` writes every figure.
6. Drops the database unless ``--keep``.

Counting statements honestly: Django's ``CaptureQueriesContext`` sees every
``execute``, and with psycopg2 also ``copy_expert`` (Django's PostgreSQL debug
cursor logs it); a COPY sent any other way through a Django cursor is counted by
a wrapper the worker installs, and so are the ``FETCH FORWARD`` round trips of
server-side cursors (``.iterator()``), which no query log shows. ``BEGIN``,
``SAVEPOINT`` and ``COMMIT`` are counted as statements too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_AS_OF = dt.date(2026, 9, 30)

SNAPSHOT_TABLES = (
    "indicators_targetsnapshot",
    "indicators_milestonesnapshot",
    "indicators_rollupsnapshot",
    "indicators_recomputerun",
)


def _indicator_fields() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The indicator names (targets, milestones, roll-ups) as the pure module declares them, in its order."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from indicators import compute

    return compute.TARGET_INDICATOR_FIELDS, compute.MILESTONE_INDICATOR_FIELDS, compute.ROLLUP_FIELDS


# --- Small helpers -----------------------------------------------------------------


def _psycopg2() -> Any:
    import psycopg2

    return psycopg2


def _connect(url: str, *, autocommit: bool = False) -> Any:
    conn = _psycopg2().connect(url)
    conn.autocommit = autocommit
    return conn


def _rss_kb() -> int:
    """Current resident set size of this process, in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _maxrss_kb() -> int:
    """Peak resident set size of this process so far, in KiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _mb(kb: float) -> float:
    return kb / 1024


# --- Database set-up ------------------------------------------------------------------


def ensure_database(url: str) -> bool:
    """Create the database named in `url` if it is missing; return True when it was created."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    conn = _connect(admin_url, autocommit=True)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(f'CREATE DATABASE "{name}"')
            return True
    finally:
        conn.close()


def drop_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = _connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "policy_portal.settings.local"
    os.environ["DATABASE_URL"] = url
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Data generation ------------------------------------------------------------------

PILLARS = 6
HUBS = 12
_BASELINE_FIRST = dt.date(2024, 1, 1).toordinal()
_BASELINE_LAST = dt.date(2027, 12, 31).toordinal()
_LAST_DEADLINE = dt.date(2030, 12, 31).toordinal()


class _Dates:
    """ISO text of a date ordinal, cached: the generator formats millions of dates from a few thousand."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, ordinal: int) -> str:
        text = self._cache.get(ordinal)
        if text is None:
            text = self._cache[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text


def _add_months(day: dt.date, months: int, day_of_month: int) -> int:
    month0 = day.month - 1 + months
    return dt.date(day.year + month0 // 12, month0 % 12 + 1, day_of_month).toordinal()


def _copy_file(cursor: Any, table: str, columns: str, file: TextIO) -> None:
    file.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", file, size=1 << 16)


def generate(
    url: str, *, targets: int, measurements: int, as_of: dt.date, seed: int
) -> tuple[dict[str, int], dict[str, float]]:
    """Fill the database with a synthetic policy of `targets` targets and as many milestones.

    One pass draws each target with its trajectory, measurements and hubs (and
    then each milestone with its hubs) and writes their COPY text to temporary
    files, so memory stays flat whatever N; then one COPY per table loads them.
    """
    rng = random.Random(seed)
    rand, randint, choice = rng.random, rng.randint, rng.choice
    iso = _Dates()
    now = dt.datetime.now(dt.UTC).isoformat()
    as_of_ordinal = as_of.toordinal()
    counts: dict[str, int] = defaultdict(int)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    conn = _connect(url)
    with conn, conn.cursor() as cursor:
        # The rows are consistent by construction: skip the foreign-key triggers, whose deferred checks
        # (one per row at COMMIT) would take longer than the COPY itself. Needs a superuser; else checked.
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        # Columns the rows below do not name get their model defaults: Django keeps defaults in Python, so
        # the bench database is given the ones a raw COPY needs (the save counter of `core.models.Revisioned`).
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'revision'"
            " AND table_schema = current_schema() AND column_default IS NULL"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN revision SET DEFAULT 1')
        cursor.execute(
            "TRUNCATE pillars_policy, pillars_pillar, hubs_hub, pillars_target, pillars_milestone,"
            " pillars_trajectorypoint, pillars_measurement, pillars_target_hubs, pillars_milestone_hubs,"
            f" {', '.join(SNAPSHOT_TABLES)} RESTART IDENTITY CASCADE"
        )
        cursor.execute(
            "INSERT INTO pillars_policy (id, slug, name, country, approved_on, approved_by, drafted_by, time_zone,"
            " summary, binding, primary_text_available) VALUES (1, 'bench', 'Benchmark policy', 'Pakistan',"
            " '2025-07-30', '', '', 'Asia/Karachi', '', false, false)"
        )
        for number in range(1, PILLARS + 1):
            cursor.execute(
                "INSERT INTO pillars_pillar (id, number, slug, name, aliases, summary, description, lead_body,"
                " confidence, policy_id) VALUES (%s, %s, %s, %s, '[]', '', '', '', 'A', 1)",
                [number, number, f"pillar-{number}", f"Pillar {number}"],
            )
        for number in range(1, HUBS + 1):
            cursor.execute(
                "INSERT INTO hubs_hub (id, slug, name, name_ur, province, latitude, longitude, tier, role, status,"
                " planned_launch_basis, confidence, coordinates_confidence)"
                " VALUES (%s, %s, %s, '', 'Punjab', 31.5, 74.3, 'auxiliary', '', 'planned', 'stated', 'A', 'A')",
                [number, f"hub-{number}", f"Hub {number}"],
            )

        def hub_ids() -> list[int]:
            draw = rand()
            if draw < 0.35:
                return []
            if draw < 0.85:
                return [randint(1, HUBS)]
            return rng.sample(range(1, HUBS + 1), 2)

        with (
            tempfile.TemporaryFile("w+") as target_file,
            tempfile.TemporaryFile("w+") as point_file,
            tempfile.TemporaryFile("w+") as measurement_file,
            tempfile.TemporaryFile("w+") as target_hub_file,
            tempfile.TemporaryFile("w+") as milestone_file,
            tempfile.TemporaryFile("w+") as milestone_hub_file,
        ):
            for pk in range(1, targets + 1):
                t0 = randint(_BASELINE_FIRST, _BASELINE_LAST)
                deadline = min(t0 + randint(365, 7 * 365), _LAST_DEADLINE)
                span = deadline - t0
                if rand() < 0.2:  # a target that must fall (a cost, a waiting time)
                    v0 = float(randint(1_000, 1_000_000))
                    goal = float(round(v0 * (0.1 + 0.7 * rand())))
                else:
                    v0 = float(randint(0, 1_000))
                    goal = v0 + randint(1_000, 1_000_000)
                change = goal - v0
                pillar = str(randint(1, PILLARS)) if rand() < 0.9 else r"\N"
                interval = choice((30, 90, 90, 90, 180, 365))
                target_file.write(
                    f"{pk}\tcommitment\tt-{pk}\tTarget {pk}\t\t\tpeople\tf\t{v0}\t{iso(t0)}\tassumed\t{goal}\t"
                    f"{iso(deadline)}\tstated\t\t\\N\t{interval}\tA\tf\t{now}\t{now}\t{pillar}\t1\n"
                )
                counts["targets"] += 1

                if rand() < 1 / 3:  # interim points on a slow-start curve
                    n = randint(2, 5)
                    for i in range(1, n + 1):
                        day = t0 + span * i // (n + 1)
                        value = round(v0 + change * (i / (n + 1)) ** 1.5, 2)
                        point_file.write(f"{iso(day)}\t{value}\t{pk}\n")
                        counts["trajectory_points"] += 1

                # Monthly figures ending around the as-of date (some after it, some long before: stale).
                baseline = dt.date.fromordinal(t0)
                day_of_month = randint(1, 28)
                end = dt.date.fromordinal(as_of_ordinal + randint(-150, 120))
                months_back = (end.year - baseline.year) * 12 + end.month - baseline.month - (measurements - 1)
                first = max(1, months_back)
                pace = 0.5 + 0.8 * rand()
                for k in range(measurements):
                    day = _add_months(baseline, first + k, day_of_month)
                    share = min(pace * (day - t0) / span * (0.95 + 0.1 * rand()), 1.1)
                    value = max(0.0, round(v0 + change * share, 2))
                    measurement_file.write(f"{iso(day)}\t{value}\t\t\tf\t\\N\t\t{now}\t\\N\t{pk}\n")
                counts["measurements"] += measurements

                for hub in hub_ids():
                    target_hub_file.write(f"{pk}\t{hub}\n")
                    counts["target_hubs"] += 1

            for pk in range(1, targets + 1):
                announced = randint(_BASELINE_FIRST, dt.date(2027, 6, 30).toordinal())
                due = min(announced + randint(60, 1_500), _LAST_DEADLINE)
                forecast = iso(due + randint(-90, 400)) if rand() < 0.6 else r"\N"
                completed, cancelled, cancelled_on = r"\N", "f", r"\N"
                draw = rand()
                if draw < 0.06:
                    cancelled, cancelled_on = "t", iso(announced + randint(30, 700))
                elif due < as_of_ordinal + 200 and draw < 0.55:
                    completed = iso(max(announced, due + randint(-60, 250)))
                pillar = str(randint(1, PILLARS)) if rand() < 0.9 else r"\N"
                target = str(randint(1, targets)) if rand() < 0.25 else r"\N"
                milestone_file.write(
                    f"{pk}\tm-{pk}\tMilestone {pk}\t\t\t{iso(announced)}\t{iso(due)}\tstated\t\t{forecast}\t"
                    f"{completed}\t{cancelled}\t{cancelled_on}\tA\t{now}\t{now}\t{pillar}\t1\t{target}\n"
                )
                counts["milestones"] += 1
                for hub in hub_ids():
                    milestone_hub_file.write(f"{pk}\t{hub}\n")
                    counts["milestone_hubs"] += 1

            timings["draw_seconds"] = time.perf_counter() - started
            _copy_file(
                cursor,
                "pillars_target",
                "id, kind, code, title, description, responsible_body, unit, value_can_be_negative,"
                " baseline_value, baseline_date, baseline_basis, target_value, target_date, deadline_basis,"
                " basis_note, rate_per_year, reporting_interval_days, confidence, disputed, created_at,"
                " updated_at, pillar_id, policy_id",
                target_file,
            )
            _copy_file(cursor, "pillars_trajectorypoint", "date, value, target_id", point_file)
            _copy_file(
                cursor,
                "pillars_measurement",
                "date, value, source_url, note, illustrative, withdrawn_on, withdrawal_reason, created_at,"
                " entered_by_id, target_id",
                measurement_file,
            )
            _copy_file(cursor, "pillars_target_hubs", "target_id, hub_id", target_hub_file)
            _copy_file(
                cursor,
                "pillars_milestone",
                "id, code, title, description, responsible_body, announced_on, baseline_due_date, due_basis,"
                " basis_note, forecast_due_date, completed_on, cancelled, cancelled_on, confidence, created_at,"
                " updated_at, pillar_id, policy_id, target_id",
                milestone_file,
            )
            _copy_file(cursor, "pillars_milestone_hubs", "milestone_id, hub_id", milestone_hub_file)
            timings["copy_seconds"] = time.perf_counter() - started - timings["draw_seconds"]

        for table in ("pillars_policy", "pillars_pillar", "hubs_hub", "pillars_target", "pillars_milestone"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        timings["setval_seconds"] = time.perf_counter() - started - timings["draw_seconds"] - timings["copy_seconds"]
    conn.close()
    timings["commit_seconds"] = time.perf_counter() - started - sum(timings.values())

    started = time.perf_counter()
    conn = _connect(url, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    conn.close()
    timings["vacuum_seconds"] = time.perf_counter() - started
    return dict(counts), {k: round(v, 1) for k, v in timings.items()}


def reset_snapshots(url: str) -> None:
    """Empty the tables a recompute writes, outside the timing, so that every run starts alike."""
    conn = _connect(url, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(SNAPSHOT_TABLES)} RESTART IDENTITY")
        cursor.execute("CHECKPOINT")
    conn.close()


def snapshot_checksums(url: str) -> dict[str, Any]:
    """What a run stored, without the `computed_at` stamps: the service and the floor must agree exactly."""
    target_fields, milestone_fields, rollup_fields = _indicator_fields()
    rollup_columns = ", ".join(name for name in rollup_fields if name != "as_of")
    queries = {
        "targets": f"SELECT count(*), md5(string_agg((target_id, {', '.join(target_fields)})::text, E'\\n'"
        " ORDER BY target_id)) FROM indicators_targetsnapshot",
        "milestones": f"SELECT count(*), md5(string_agg((milestone_id, {', '.join(milestone_fields)},"
        " forecast_due_date)::text, E'\\n' ORDER BY milestone_id)) FROM indicators_milestonesnapshot",
        "rollups": f'SELECT count(*), md5(string_agg((as_of, scope, scope_key, "window", {rollup_columns})::text,'
        " E'\\n' ORDER BY scope, scope_key, \"window\")) FROM indicators_rollupsnapshot",
        "runs": "SELECT count(*), md5(string_agg((as_of, scope, target_count, milestone_count)::text, ','))"
        " FROM indicators_recomputerun",
    }
    out: dict[str, Any] = {}
    conn = _connect(url)
    with conn, conn.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            out[name] = list(cursor.fetchone())
        cursor.execute("SELECT status, count(*) FROM indicators_targetsnapshot GROUP BY status ORDER BY status")
        out["target_statuses"] = dict(cursor.fetchall())
        cursor.execute("SELECT status, count(*) FROM indicators_milestonesnapshot GROUP BY status ORDER BY status")
        out["milestone_statuses"] = dict(cursor.fetchall())
    conn.close()
    return out


# --- The measured work (run in a fresh subprocess each) ---------------------------------------


class _Counter:
    """Counts what Django's query log misses: COPY statements and server-side cursor FETCH batches."""

    def __init__(self) -> None:
        self.copies: list[str] = []
        self.fetches = 0

    def install(self) -> None:
        from django.db.backends import utils

        counter = self

        def copy_expert(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
            counter.copies.append(sql)
            return self.cursor.copy_expert(sql, *args, **kwargs)

        def fetchmany(self: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(self.cursor, "name", None):  # a named (server-side) cursor: one FETCH round trip
                counter.fetches += 1
            return self.cursor.fetchmany(*args, **kwargs)

        def copy_from(self: Any, file: Any, table: str, *args: Any, **kwargs: Any) -> Any:
            counter.copies.append(f"COPY {table} FROM STDIN")
            return self.cursor.copy_from(file, table, *args, **kwargs)

        utils.CursorWrapper.copy_expert = copy_expert  # type: ignore[attr-defined]
        utils.CursorWrapper.copy_from = copy_from  # type: ignore[attr-defined]
        utils.CursorWrapper.fetchmany = fetchmany  # type: ignore[attr-defined]


def run_service(url: str, as_of: dt.date) -> dict[str, Any]:
    setup_django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators import services

    counter = _Counter()
    counter.install()
    connection.ensure_connection()

    def work() -> dict[str, Any]:
        with CaptureQueriesContext(connection) as captured:
            result = services.indicators_recompute(as_of=as_of)
        # Django's PostgreSQL debug cursor logs `copy_expert` itself (and then calls psycopg2
        # directly, so `counter` does not see it twice); `counter` catches any COPY that bypasses it.
        logged = [q["sql"] for q in captured.captured_queries]
        copies = [s for s in logged if s.lstrip().upper().startswith("COPY")] + counter.copies
        return {
            "statements": len(logged) + len(counter.copies),
            "executed": len(logged) + len(counter.copies) - len(copies),
            "copies": len(copies),
            "fetch_batches": counter.fetches,
            "sql": [s[:110] for s in logged] + [s[:110] for s in counter.copies],
            "targets": result.targets,
            "milestones": result.milestones,
            "rollups": result.rollups,
            "invalid_targets": len(result.invalid_targets),
        }

    return _measure(work)


def run_floor(url: str, as_of: dt.date, config: dict[str, Any]) -> dict[str, Any]:
    """The same recompute written by hand: one plain query per table, the pure module, one COPY per table."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from indicators import compute as indicators

    target_fields, milestone_fields, rollup_fields = _indicator_fields()
    rollup_values = [name for name in rollup_fields if name != "as_of"]
    conn = _connect(url)
    conn.cursor().execute("SELECT 1")
    conn.rollback()
    thresholds = indicators.Thresholds(on_track=config["on_track"], at_risk=config["at_risk"])
    windows = [
        (None, "all") if w is None else ((dt.date.fromisoformat(w[0]), dt.date.fromisoformat(w[1])), f"{w[0]}..{w[1]}")
        for w in config["windows"]
    ]

    def work() -> dict[str, Any]:
        # psycopg2 opens the transaction with an implicit BEGIN; counted like Django's.
        statements: list[str] = ["BEGIN"]
        cursor = conn.cursor()

        def execute(sql: str, params: Any = None) -> None:
            statements.append(sql)
            cursor.execute(sql, params)

        def copy(table: str, columns: Iterable[str], text: str) -> None:
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            statements.append(sql)
            cursor.copy_expert(sql, io.StringIO(text))

        Point, TargetInput, MilestoneInput = indicators.Point, indicators.TargetInput, indicators.MilestoneInput
        computed_at = dt.datetime.now(dt.UTC)
        stamp = computed_at.isoformat()
        day = as_of.isoformat()
        started = computed_at

        phases: dict[str, float] = {}
        mark = time.perf_counter()

        def phase(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            phases[name] = round(now - mark, 3)
            mark = now

        execute("DELETE FROM indicators_targetsnapshot WHERE as_of = %s", [as_of])
        execute("DELETE FROM indicators_milestonesnapshot WHERE as_of = %s", [as_of])

        points: dict[int, list[Any]] = defaultdict(list)
        execute("SELECT target_id, date, value FROM pillars_trajectorypoint")
        for target_id, date, value in cursor:
            points[target_id].append(Point(date, value))
        # The generated figures are all reported, so the reported basis is the only one stored (as the service
        # decides from the same probe); the floor does not implement the illustrative one.
        execute(
            "SELECT EXISTS (SELECT 1 FROM pillars_measurement WHERE illustrative AND date <= %s"
            " AND (withdrawn_on IS NULL OR withdrawn_on > %s))",
            [as_of, as_of],
        )
        if cursor.fetchone()[0]:
            raise SystemExit("the floor handles reported figures only; the generated data has illustrative ones")
        latest: dict[int, Any] = {}
        execute(
            "SELECT DISTINCT ON (target_id) target_id, date, value, illustrative FROM pillars_measurement"
            " WHERE date <= %s AND (withdrawn_on IS NULL OR withdrawn_on > %s) ORDER BY target_id, date DESC",
            [as_of, as_of],
        )
        for target_id, date, value, illustrative in cursor:
            latest[target_id] = (Point(date, value, illustrative),)

        target_results: dict[int, Any] = {}
        target_due: dict[int, tuple[int | None, dt.date]] = {}
        invalid = 0
        execute(
            "SELECT id, kind, baseline_date, baseline_value, target_date, target_value, reporting_interval_days,"
            " pillar_id FROM pillars_target"
        )
        compute_target = indicators.compute_target
        for pk, kind, t0, v0, deadline, goal, interval, pillar in cursor:
            if kind == "projection":
                continue  # an expert's projection has no indicators
            target_due[pk] = (pillar, deadline)
            try:
                target = TargetInput(
                    baseline_date=t0,
                    baseline_value=v0,
                    target_date=deadline,
                    target_value=goal,
                    trajectory=tuple(points.get(pk, ())),
                    measurements=latest.get(pk, ()),
                    reporting_interval_days=interval,
                )
                target_results[pk] = compute_target(target, as_of, thresholds)
            except indicators.InvalidTarget:
                invalid += 1

        milestone_results: dict[int, Any] = {}
        milestone_due: dict[int, tuple[int | None, dt.date]] = {}
        forecasts: dict[int, dt.date | None] = {}
        execute(
            "SELECT id, baseline_due_date, forecast_due_date, completed_on, cancelled, cancelled_on, pillar_id"
            " FROM pillars_milestone"
        )
        compute_milestone = indicators.compute_milestone
        for pk, due, forecast, completed, cancelled, cancelled_on, pillar in cursor:
            milestone_due[pk] = (pillar, due)
            forecasts[pk] = forecast
            milestone = MilestoneInput(
                baseline_due_date=due,
                forecast_due_date=forecast,
                completed_on=completed,
                cancelled=cancelled and (cancelled_on is None or cancelled_on <= as_of),
            )
            milestone_results[pk] = compute_milestone(milestone, as_of)

        phase("read_and_compute")

        def text(value: Any) -> str:
            if value is None:
                return r"\N"
            if value is True:
                return "t"
            if value is False:
                return "f"
            if isinstance(value, dt.date):
                return value.isoformat()
            return repr(value) if isinstance(value, float) else str(value)

        lines = []
        for pk, r in target_results.items():
            values = "\t".join(text(getattr(r, name)) for name in target_fields)
            lines.append(f"{pk}\t{values}\t{stamp}\n")
        copy("indicators_targetsnapshot", ("target_id", *target_fields, "computed_at"), "".join(lines))
        lines = []
        for pk, r in milestone_results.items():
            values = "\t".join(text(getattr(r, name)) for name in milestone_fields)
            lines.append(f"{pk}\t{values}\t{text(forecasts[pk])}\t{stamp}\n")
        copy(
            "indicators_milestonesnapshot",
            ("milestone_id", *milestone_fields, "forecast_due_date", "computed_at"),
            "".join(lines),
        )
        del lines

        phase("write_snapshots")
        # Roll-ups: the policy, each pillar and each hub, for every item and for each window.
        pillar_slugs: dict[int, str] = {}
        execute("SELECT id, slug FROM pillars_pillar")
        pillar_slugs.update(cursor)
        hub_slugs: dict[int, str] = {}
        execute("SELECT id, slug FROM hubs_hub")
        hub_slugs.update(cursor)
        target_hubs: dict[int, list[str]] = defaultdict(list)
        execute("SELECT target_id, hub_id FROM pillars_target_hubs")
        for pk, hub in cursor:
            target_hubs[pk].append(hub_slugs[hub])
        milestone_hubs: dict[int, list[str]] = defaultdict(list)
        execute("SELECT milestone_id, hub_id FROM pillars_milestone_hubs")
        for pk, hub in cursor:
            milestone_hubs[pk].append(hub_slugs[hub])

        groups: dict[tuple[str, str, str], tuple[list[Any], list[Any]]] = {}
        for slug in pillar_slugs.values():
            for _window, key in windows:
                groups[("pillar", slug, key)] = ([], [])
        for slug in hub_slugs.values():
            for _window, key in windows:
                groups[("hub", slug, key)] = ([], [])
        for _window, key in windows:
            groups[("policy", "", key)] = ([], [])

        for index, results, dues, hubs in (
            (0, target_results, target_due, target_hubs),
            (1, milestone_results, milestone_due, milestone_hubs),
        ):
            for pk, result in results.items():
                pillar, due = dues[pk]
                places = [("policy", "")]
                if pillar is not None:
                    places.append(("pillar", pillar_slugs[pillar]))
                places.extend(("hub", slug) for slug in hubs.get(pk, ()))
                for window, key in windows:
                    if window is not None and not window[0] <= due <= window[1]:
                        continue
                    for name, place in places:
                        groups[(name, place, key)][index].append(result)

        rows = []
        for (name, place, key), (target_list, milestone_list) in groups.items():
            rollup = indicators.compute_rollup(target_list, milestone_list, as_of)
            values = "\t".join(
                json.dumps(v) if isinstance(v := getattr(rollup, column), dict) else text(v) for column in rollup_values
            )
            rows.append(f"{day}\t{name}\t{place}\t{key}\t{values}\t{stamp}\n")
        execute("DELETE FROM indicators_rollupsnapshot WHERE as_of = %s", [as_of])
        copy(
            "indicators_rollupsnapshot",
            ("as_of", "scope", "scope_key", '"window"', *rollup_values, "computed_at"),
            "".join(rows),
        )
        execute(
            "INSERT INTO indicators_recomputerun (as_of, scope, target_count, milestone_count, illustrative,"
            " started_at, finished_at) VALUES (%s, 'full', %s, %s, false, %s, %s)",
            [as_of, len(target_results), len(milestone_results), started, dt.datetime.now(dt.UTC)],
        )
        phase("rollups")
        conn.commit()
        phase("commit")
        statements.append("COMMIT")
        copies = [s for s in statements if s.startswith("COPY")]
        return {
            "statements": len(statements),
            "executed": len(statements) - len(copies),
            "copies": len(copies),
            "fetch_batches": 0,
            "sql": [s[:110] for s in statements],
            "targets": len(target_results),
            "milestones": len(milestone_results),
            "rollups": len(rows),
            "invalid_targets": invalid,
            "phases": phases,
        }

    try:
        return _measure(work)
    finally:
        conn.close()


def _measure(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    import gc
    import tracemalloc

    trace = os.environ.get("BENCH_TRACEMALLOC") == "1"
    gc.collect()
    rss_before = _rss_kb()
    maxrss_before = _maxrss_kb()
    if trace:
        tracemalloc.start()
    cpu_started = time.process_time()
    started = time.perf_counter()
    out = work()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    if trace:
        out["tracemalloc_peak_kb"] = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    out.update(
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        load_average=os.getloadavg()[0],
        rss_before_kb=rss_before,
        maxrss_before_kb=maxrss_before,
        maxrss_kb=_maxrss_kb(),
        rss_added_kb=_maxrss_kb() - rss_before,
    )
    return out


# --- The driver -------------------------------------------------------------------------


def _spawn(kind: str, url: str, as_of: dt.date, config: dict[str, Any], *, trace: bool) -> dict[str, Any]:
    env = dict(os.environ, BENCH_TRACEMALLOC="1" if trace else "0", PYTHONHASHSEED="0")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        kind,
        "--database-url",
        url,
        "--as-of",
        as_of.isoformat(),
        "--floor-config",
        json.dumps(config),
    ]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"The {kind} run failed (exit {done.returncode}).")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _summary(runs: list[dict[str, Any]], traced: dict[str, Any]) -> dict[str, Any]:
    return {
        "seconds_median": statistics.median(r["seconds"] for r in runs),
        "seconds_all": [round(r["seconds"], 3) for r in runs],
        "cpu_seconds_median": statistics.median(r["cpu_seconds"] for r in runs),
        "peak_rss_mb_max": _mb(max(r["maxrss_kb"] for r in runs)),
        "rss_before_mb": _mb(statistics.median(r["rss_before_kb"] for r in runs)),
        "rss_added_mb_max": _mb(max(r["rss_added_kb"] for r in runs)),
        "tracemalloc_peak_mb": _mb(traced["tracemalloc_peak_kb"]),
        "tracemalloc_run_seconds": traced["seconds"],
        "statements": runs[0]["statements"],
        "executed": runs[0]["executed"],
        "copies": runs[0]["copies"],
        "fetch_batches": runs[0]["fetch_batches"],
        "sql": runs[0]["sql"],
        "targets": runs[0]["targets"],
        "milestones": runs[0]["milestones"],
        "rollups": runs[0]["rollups"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--targets", type=int, default=10_000, help="number of targets, and of milestones")
    parser.add_argument("--measurements", type=int, default=10, help="measurements per target")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (the median is reported)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="do not regenerate: use the data already there")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON ('-' for stdout)")
    parser.add_argument("--verbose", action="store_true", help="list the statements each side sent")
    parser.add_argument("--worker", choices=("service", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--floor-config", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        if args.worker == "service":
            out = run_service(args.database_url, args.as_of)
        else:
            out = run_floor(args.database_url, args.as_of, json.loads(args.floor_config))
        print(json.dumps(out))
        return 0

    url = args.database_url
    created = ensure_database(url)
    setup_django(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    config = {
        "on_track": settings.INDICATORS_ON_TRACK_SPI,
        "at_risk": settings.INDICATORS_AT_RISK_SPI,
        "windows": [None, *([start, end] for start, end in settings.INDICATORS_ROLLUP_WINDOWS)],
    }
    connections.close_all()
    print(f"database {urlsplit(url).path.lstrip('/')} ({'created' if created else 'existing'}), as of {args.as_of}")

    generated: dict[str, Any] = {}
    try:
        if not args.reuse:
            started = time.perf_counter()
            counts, timings = generate(
                url, targets=args.targets, measurements=args.measurements, as_of=args.as_of, seed=args.seed
            )
            print(
                f"generated {counts} in {time.perf_counter() - started:.1f} s {timings} "
                f"(generator peak RSS {_mb(_maxrss_kb()):.0f} MB)"
            )
            generated = {"rows": counts, "seconds": round(time.perf_counter() - started, 1), "phases": timings}

        runs: dict[str, list[dict[str, Any]]] = {"service": [], "floor": []}
        checksums: dict[str, list[dict[str, Any]]] = {"service": [], "floor": []}
        for i in range(args.repeat):
            for kind in ("service", "floor"):
                reset_snapshots(url)
                run = _spawn(kind, url, args.as_of, config, trace=False)
                runs[kind].append(run)
                checksums[kind].append(snapshot_checksums(url))
                print(
                    f"  run {i + 1}/{args.repeat} {kind:8} {run['seconds']:7.2f} s  "
                    f"peak RSS {_mb(run['maxrss_kb']):6.0f} MB  statements {run['statements']}  "
                    f"(load average {run['load_average']:.1f})"
                )
        traced = {}
        for kind in ("service", "floor"):
            reset_snapshots(url)
            traced[kind] = _spawn(kind, url, args.as_of, config, trace=True)
            print(f"  tracemalloc {kind:8} peak {_mb(traced[kind]['tracemalloc_peak_kb']):6.0f} MB")

        reference = checksums["service"][0]
        same = all(
            {k: c[k] for k in ("targets", "milestones", "rollups", "runs")}
            == {k: reference[k] for k in ("targets", "milestones", "rollups", "runs")}
            for c in checksums["service"] + checksums["floor"]
        )
        summary = {kind: _summary(runs[kind], traced[kind]) for kind in ("service", "floor")}
        report = {
            "targets": args.targets,
            "measurements_per_target": args.measurements,
            "as_of": args.as_of.isoformat(),
            "repeat": args.repeat,
            "machine": _machine(),
            "identical_snapshots": same,
            "stored": reference,
            "service": summary["service"],
            "floor": summary["floor"],
            "ratio": summary["service"]["seconds_median"] / summary["floor"]["seconds_median"],
            "generated": generated,
            "runs": {kind: [{k: v for k, v in r.items() if k != "sql"} for r in runs[kind]] for kind in runs},
        }
        _print_table(report, verbose=args.verbose)
        if args.json:
            text = json.dumps(report, indent=2, default=str)
            if args.json == "-":
                print(text)
            else:
                Path(args.json).write_text(text + "\n")
        if not same:
            print("ERROR: the service and the floor stored different snapshots.", file=sys.stderr)
            return 1
        return 0
    finally:
        if not args.keep:
            drop_database(url)


def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
        with open("/proc/meminfo") as meminfo:
            info["memory_mb"] = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))) // 1024
    except (OSError, StopIteration):
        pass
    return info


def _print_table(report: dict[str, Any], *, verbose: bool) -> None:
    s, f = report["service"], report["floor"]
    print()
    print(
        f"{report['targets']:,} targets x {report['measurements_per_target']} measurements, "
        f"{report['stored']['milestones'][0]:,} milestones, as of {report['as_of']} "
        f"(median of {report['repeat']} runs, each in a fresh process)"
    )
    rows = [
        ("wall time (s)", f"{s['seconds_median']:.2f}", f"{f['seconds_median']:.2f}"),
        (
            "  all runs (s)",
            " ".join(f"{x:.2f}" for x in s["seconds_all"]),
            " ".join(f"{x:.2f}" for x in f["seconds_all"]),
        ),
        ("  CPU of this process (s)", f"{s['cpu_seconds_median']:.2f}", f"{f['cpu_seconds_median']:.2f}"),
        ("peak RSS of the process (MB)", f"{s['peak_rss_mb_max']:.0f}", f"{f['peak_rss_mb_max']:.0f}"),
        ("  RSS before the run (MB)", f"{s['rss_before_mb']:.0f}", f"{f['rss_before_mb']:.0f}"),
        ("  added by the run (MB)", f"{s['rss_added_mb_max']:.0f}", f"{f['rss_added_mb_max']:.0f}"),
        ("tracemalloc peak (MB)", f"{s['tracemalloc_peak_mb']:.0f}", f"{f['tracemalloc_peak_mb']:.0f}"),
        ("SQL statements", str(s["statements"]), str(f["statements"])),
        ("  executed / COPY", f"{s['executed']} / {s['copies']}", f"{f['executed']} / {f['copies']}"),
        ("  server-side FETCH batches", str(s["fetch_batches"]), str(f["fetch_batches"])),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'service':>22}  {'floor':>22}")
    for label, a, b in rows:
        print(f"{label:{width}}  {a:>22}  {b:>22}")
    print(f"service / floor: {report['ratio']:.2f}x; identical snapshots: {report['identical_snapshots']}")
    loads = [r["load_average"] for kind in ("service", "floor") for r in report["runs"][kind]]
    print(f"1-minute load average during the runs: {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} CPUs")
    print(f"target statuses: {report['stored']['target_statuses']}")
    print(f"milestone statuses: {report['stored']['milestone_statuses']}")
    if verbose:
        for kind in ("service", "floor"):
            print(f"\n{kind} statements:")
            for sql in report[kind]["sql"]:
                print(f"  {sql}")


if __name__ == "__main__":
    sys.exit(main())
