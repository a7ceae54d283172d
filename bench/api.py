#!/usr/bin/env python
"""Benchmark of the JSON API under gunicorn, against a floor served the same way.

    .venv/bin/python bench/api.py                      # 10,000 targets, 10 s per endpoint
    .venv/bin/python bench/api.py --reuse --duration 5 --json var/bench-api.json

What it does, in order:

1. Creates and migrates a dedicated PostgreSQL database (default
   ``portal_bench_api``) and fills it with ``bench/recompute.py``'s generator:
   N targets with M monthly measurements each, N milestones, six pillars and
   twelve hubs (COPY, not the ORM). Then one full ``indicators_recompute`` for
   today (what the nightly task stores, so the default as-of date is served
   from snapshots) and one for a past date (the ``as_of`` of the detail).
2. Starts three gunicorns on 127.0.0.1, side by side, with the same settings
   (``--workers 2``, sync workers, the repository's ``gunicorn.conf.py``):

   * ``portal``: ``policy_portal.wsgi:application`` with the production
     settings as deployed (dummy ``DJANGO_SECRET_KEY``,
     ``DJANGO_ALLOWED_HOSTS=127.0.0.1``, a throttle rate too high to matter,
     ``REDIS_URL`` pointing at a Redis database of its own for the cache,
     which keeps each rendered page under its ETag);
   * ``rendered``: the same with ``API_REPRESENTATION_CACHE_SECONDS=0``, so
     every request reads the database and renders the page;
   * ``floor``: ``bench.api:floor_app``, a minimal WSGI app that reads the same
     rows with one plain SQL query through psycopg2 and writes the same JSON
     document with orjson; for the conditional request it reads a token from
     the same Redis and answers 304.

   Before any load, a list page and a detail from the portal and the floor
   must be the same document (``same_document``), or the run stops.

3. Loads each endpoint for ``--duration`` seconds per side, with
   ``--connections`` concurrent connections (``wrk`` when installed, else a
   Python thread pool), loopback only, alternating the sides ``--rounds``
   times so that all see the same background load, and reports requests per
   second, p50 / p99 latency and the server processes' CPU time per request
   (read from /proc; PostgreSQL's share is not in it):

   * ``list``: ``/api/v1/targets/?page_size=100`` (today's stored indicators),
     and again with one connection (the service time, without queueing);
   * ``detail``: ``/api/v1/targets/{id}/?as_of=<the stored past date>``;
   * ``summary_304``: ``/api/v1/dashboard/summary/`` with the ``If-None-Match``
     ETag of a first response (the answer is a 304);
   * ``summary`` (a full 200, rendered), and ``list_on_the_fly`` (rendered,
     an as-of date with no stored recompute: computed per request).

4. Checks the goals, for the portal as deployed and for the rendered side:
   summary with a matching ETag >= 1,000 req/s; p99 of the target list
   < 50 ms; the list within 3x of the floor's throughput.
5. Prints a table; ``--json`` writes every figure. Drops the database unless
   ``--keep``. Exits 0 when the deployed portal meets the goals.

Needs PostgreSQL, Redis, gunicorn and orjson (all in requirements.txt);
``wrk`` (``apt-get install wrk``) gives steadier figures than the Python load
generator, which competes with the server for the same two cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from indicators.compute import ROLLUP_FIELDS, TARGET_INDICATOR_FIELDS  # noqa: E402  (pure: no Django needed)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_api"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
STORED_AS_OF = dt.date(2026, 9, 30)
UNSTORED_AS_OF = dt.date(2026, 8, 15)
GOALS = {"summary_304_rps": 1_000.0, "list_p99_ms": 50.0, "list_vs_floor": 3.0}


# --- The floor: a minimal WSGI app over plain SQL and orjson -------------------------------------------

# One query: every column the API shows, the hubs, sources and trajectory aggregated per row, the stored
# indicators joined. It writes the document the portal writes (checked before any load: see `same_document`).
_LIST_SQL = """
SELECT t.id, t.code, t.title, t.kind, p.slug, t.description, t.responsible_body, t.unit,
       t.baseline_value, t.baseline_date, t.baseline_basis, t.target_value, t.target_date, t.deadline_basis,
       t.basis_note, t.rate_per_year, t.reporting_interval_days, t.confidence, t.disputed, t.published_on,
       COALESCE((SELECT json_agg(json_build_object('date', tp.date, 'value', tp.value) ORDER BY tp.date)
                 FROM pillars_trajectorypoint tp WHERE tp.target_id = t.id), '[]'),
       COALESCE((SELECT array_agg(h.slug ORDER BY h.tier, h.name, h.id) FROM pillars_target_hubs th
                 JOIN hubs_hub h ON h.id = th.hub_id WHERE th.target_id = t.id), '{{}}'),
       COALESCE((SELECT json_agg(json_build_object(
                     'url', so.url, 'title', so.title, 'outlet', so.outlet, 'published_on', so.published_on,
                     'confidence', so.confidence, 'disputed', so.disputed) ORDER BY so.outlet, so.title, so.id)
                 FROM pillars_target_sources ts JOIN sources_source so ON so.id = ts.source_id
                 WHERE ts.target_id = t.id), '[]'),
       EXISTS (SELECT 1 FROM pillars_rebaseline r WHERE r.target_id = t.id),
       {indicators}
FROM pillars_target t
LEFT JOIN pillars_pillar p ON p.id = t.pillar_id
LEFT JOIN indicators_targetsnapshot s ON s.target_id = t.id AND s.as_of = %(as_of)s AND s.basis = 'reported'
{where}
ORDER BY t.code
LIMIT %(limit)s
"""
_COLUMNS = (
    "id",
    "code",
    "title",
    "kind",
    "pillar",
    "description",
    "responsible_body",
    "unit",
    "baseline_value",
    "baseline_date",
    "baseline_basis",
    "target_value",
    "target_date",
    "deadline_basis",
    "basis_note",
    "rate_per_year",
    "reporting_interval_days",
    "confidence",
    "disputed",
    "published_on",
    "trajectory",
    "hubs",
    "sources",
)
# The indicators as the pure module names them (all but the as-of date, which the floor adds itself).
_INDICATORS = TARGET_INDICATOR_FIELDS[1:]
_ROLLUP_SQL = """
SELECT scope, scope_key, {columns}
FROM indicators_rollupsnapshot WHERE as_of = %s AND basis = 'reported' AND "window" = 'all'
  AND scope IN ('policy', 'pillar')
ORDER BY scope, scope_key
"""
_floor_state: dict[str, Any] = {}


def _floor_connection() -> Any:
    conn = _floor_state.get("db")
    if conn is None or conn.closed:
        import psycopg2

        conn = _floor_state["db"] = psycopg2.connect(os.environ["DATABASE_URL"])
        conn.autocommit = True
    return conn


def _floor_target_rows(as_of: dt.date, *, limit: int, target_id: int | None = None) -> list[dict[str, Any]]:
    """The API's target rows for a page (or one target), as the portal writes them.

    A re-baselined target would need the pure module run against the plan in
    force; the generated data has none, and the floor refuses one rather than
    answer differently from the portal.
    """
    where = "WHERE t.id = %(id)s" if target_id is not None else ""
    with _floor_connection().cursor() as cursor:
        sql = _LIST_SQL.format(where=where, indicators=", ".join(f"s.{name}" for name in _INDICATORS))
        cursor.execute(sql, {"as_of": as_of, "limit": limit, "id": target_id})
        rows = cursor.fetchall()
    width = len(_COLUMNS)
    out = []
    for row in rows:
        record = dict(zip(_COLUMNS, row[:width], strict=True))
        if row[width]:
            raise NotImplementedError(f"target {record['id']} was re-baselined: the floor does not compute that")
        for source in record["sources"]:
            mark = f"[{source['confidence']}]"
            source["confidence_mark"] = f"{mark} [!]" if source["disputed"] else mark
        indicators = None
        if row[width + 1] is not None:
            indicators = {"as_of": as_of, **dict(zip(_INDICATORS, row[width + 1 :], strict=True))}
        record.update(
            direction=1 if record["target_value"] > record["baseline_value"] else -1,
            indicators=indicators,
            current_baseline_value=record["baseline_value"],
            current_baseline_date=record["baseline_date"],
            current_target_value=record["target_value"],
            current_target_date=record["target_date"],
            current_baseline_indicators=indicators,
            rebaselines=[],
        )
        out.append(record)
    return out


def floor_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The same rows as the API, read with one SQL query each and serialized with orjson: the floor."""
    import orjson

    path = environ.get("PATH_INFO", "")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    today = dt.date.fromisoformat(os.environ["BENCH_TODAY"])
    as_of = dt.date.fromisoformat(query["as_of"][0]) if "as_of" in query else today
    status, headers, body = "200 OK", [("Content-Type", "application/json")], b""
    if path == "/list":
        limit = int(query.get("page_size", ["50"])[0])
        with _floor_connection().cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pillars_target")
            count = cursor.fetchone()[0]
        results = _floor_target_rows(as_of, limit=limit)
        body = orjson.dumps({"count": count, "next": None, "previous": None, "results": results})
    elif path.startswith("/detail/"):
        rows = _floor_target_rows(as_of, limit=1, target_id=int(path.rsplit("/", 1)[1]))
        body = orjson.dumps(rows[0]) if rows else b""
    elif path == "/summary":
        token = _floor_redis().get("bench:floor-token") or b"x"
        etag = '"' + token.decode() + '"'
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            status, headers = "304 Not Modified", [("ETag", etag)]
        else:
            with _floor_connection().cursor() as cursor:
                columns = ", ".join(name for name in ROLLUP_FIELDS if name != "as_of")
                cursor.execute(_ROLLUP_SQL.format(columns=columns), [as_of])
                rollups = cursor.fetchall()
            body = orjson.dumps({"as_of": as_of, "rollups": rollups})
            headers.append(("ETag", etag))
    else:
        status = "404 Not Found"
    headers.append(("Content-Length", str(len(body))))
    start_response(status, headers)
    return [body]


def _floor_redis() -> Any:
    client = _floor_state.get("redis")
    if client is None:
        import redis

        client = _floor_state["redis"] = redis.Redis.from_url(os.environ["REDIS_URL"])
    return client


# --- Set-up ---------------------------------------------------------------------------------------------


def prepare(url: str, *, targets: int, measurements: int, seed: int, reuse: bool, today: dt.date) -> dict[str, Any]:
    """Create, migrate and fill the database; store today's and STORED_AS_OF's indicators."""
    sys.path.insert(0, str(ROOT / "bench"))
    import recompute  # bench/recompute.py: the shared data generator

    recompute.ensure_database(url)
    recompute.setup_django(url)
    from django.core.management import call_command

    from indicators import services
    from pillars.models import Target

    info: dict[str, Any] = {}
    if not reuse or not Target.objects.exists():
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        counts, _timings = recompute.generate(
            url, targets=targets, measurements=measurements, as_of=STORED_AS_OF, seed=seed
        )
        info["generate_seconds"] = round(time.perf_counter() - started, 1)
        info["rows"] = counts
        for day in (today, STORED_AS_OF):
            started = time.perf_counter()
            services.indicators_recompute(as_of=day)
            info[f"recompute_{day.isoformat()}_seconds"] = round(time.perf_counter() - started, 1)
        conn = recompute._connect(url, autocommit=True)
        with conn.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        conn.close()
    info["targets"] = Target.objects.count()
    return info


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn on 127.0.0.1 with the benchmark's settings; stopped (by its own pid) on exit."""

    def __init__(self, app: str, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = _free_port()
        self.log = log
        command = [
            sys.executable, "-m", "gunicorn", app,
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--worker-class", "sync",
            "--pythonpath", str(ROOT), "--chdir", str(ROOT), "--log-level", "warning", "--timeout", "60",
        ]  # fmt: skip
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {path} within {timeout} s:\n{self.log.read_text()[-3000:]}")

    def cpu_seconds(self) -> float:
        """User and system CPU time of the master and its workers so far (Linux /proc)."""
        pids = [self.process.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry))
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def settle(self, timeout: float = 30) -> None:
        """Wait until the workers are idle (requests left over from the previous run are finished)."""
        deadline = time.monotonic() + timeout
        before = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.cpu_seconds()
            if now - before < 0.02:
                return
            before = now

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- Load generation ---------------------------------------------------------------------------------


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(url: str, *, duration: float, connections: int, headers: dict[str, str]) -> dict[str, Any]:
    seconds = max(1, round(duration))  # wrk takes whole seconds
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        "bad_responses": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
        "tool": "wrk",
    }


def load_python(url: str, *, duration: float, connections: int, headers: dict[str, str]) -> dict[str, Any]:
    """`connections` threads, each requesting in a loop until the time is up (gunicorn's sync workers close)."""
    import http.client

    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    stop = time.monotonic() + duration
    latencies: list[list[float]] = [[] for _ in range(connections)]
    bad = [0] * connections

    def worker(index: int) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            latencies[index].append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                bad[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(x for per in latencies for x in per)
    return {
        "rps": len(every) / elapsed,
        "p50_ms": statistics.median(every),
        "p99_ms": every[min(len(every) - 1, int(len(every) * 0.99))],
        "requests": len(every),
        "bad_responses": sum(bad),
        "socket_errors": "",
        "tool": "python threads",
    }


def load(url: str, *, duration: float, connections: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    tool = load_wrk if _has_wrk() else load_python
    return tool(url, duration=duration, connections=connections, headers=headers or {})


def _has_wrk() -> bool:
    from shutil import which

    return which("wrk") is not None


# --- Main --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--targets", type=int, default=10_000, help="number of targets, and of milestones")
    parser.add_argument("--measurements", type=int, default=10, help="measurements per target")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="a Redis database of the benchmark's own")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating portal/floor runs per endpoint")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the data already there, if any")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON")
    args = parser.parse_args(argv)

    parts = urlsplit(args.database_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1") or urlsplit(args.redis_url).hostname not in (
        "127.0.0.1",
        "localhost",
        "::1",
    ):
        parser.error("the benchmark only talks to services on this machine (loopback)")

    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Asia/Karachi")).date()
    report: dict[str, Any] = {"settings": vars(args), "today": today.isoformat(), "stored_as_of": str(STORED_AS_OF)}
    try:
        report["setup"] = prepare(
            args.database_url,
            targets=args.targets,
            measurements=args.measurements,
            seed=args.seed,
            reuse=args.reuse,
            today=today,
        )

        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
            "DJANGO_SETTINGS_MODULE": "policy_portal.settings.production",
            "DJANGO_SECRET_KEY": "benchmark-only-not-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on the loopback, no TLS proxy: production's redirect to HTTPS would answer everything.
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "API_ANON_RATE": "100000000/second",
            "BENCH_TODAY": today.isoformat(),
        }
        logs = ROOT / "var"
        logs.mkdir(exist_ok=True)
        from pillars.models import Target

        detail_id = Target.objects.order_by("code").values_list("pk", flat=True)[17]
        results: dict[str, dict[str, Any]] = {}

        # The servers run side by side (an idle one costs nothing) and their runs of an endpoint alternate,
        # `--rounds` times each: on a shared machine whose load drifts, all sides see the same. `portal` is the
        # production configuration, which keeps each rendered JSON body under its ETag; `rendered` is the same
        # code with that copy turned off, so that every request reads the database and renders the page.
        redis.Redis.from_url(args.redis_url).set("bench:floor-token", "floor-token")
        env.setdefault("API_REPRESENTATION_CACHE_SECONDS", "3600")
        portal = Server("policy_portal.wsgi:application", env, args.workers, logs / "bench-api-gunicorn.log")
        rendered = Server(
            "policy_portal.wsgi:application",
            {**env, "API_REPRESENTATION_CACHE_SECONDS": "0"},
            args.workers,
            logs / "bench-api-gunicorn-rendered.log",
        )
        floor = Server("bench.api:floor_app", env, args.workers, logs / "bench-api-floor.log")
        servers = {"portal": portal, "rendered": rendered, "floor": floor}
        try:
            portal.wait("/api/v1/")
            rendered.wait("/api/v1/")
            floor.wait("/list?page_size=1")
            base, rbase, fbase = portal.base, rendered.base, floor.base
            status, headers, _ = _get(base + "/api/v1/dashboard/summary/")
            assert status == 200, status
            etag = headers["ETag"]
            status, _, body = _get(base + "/api/v1/dashboard/summary/", {"If-None-Match": etag})
            assert status == 304 and body == b"", (status, body[:200])

            list_path, detail_path = (
                "/api/v1/targets/?page_size=100",
                f"/api/v1/targets/{detail_id}/?as_of={STORED_AS_OF}",
            )
            floor_list, floor_detail = f"{fbase}/list?page_size=100", f"{fbase}/detail/{detail_id}?as_of={STORED_AS_OF}"
            # The floor must write the portal's document, or the comparison means nothing.
            problems = []
            for ours, theirs in ((base + list_path, floor_list), (base + detail_path, floor_detail)):
                problems += same_document(json.loads(_get(ours)[2]), json.loads(_get(theirs)[2]))
            if problems:
                raise SystemExit("the floor does not write the portal's document:\n  " + "\n  ".join(problems[:20]))
            report["same_document"] = True
            report["list_bytes"] = len(_get(base + list_path)[2])
            report["floor_list_bytes"] = len(_get(floor_list)[2])
            print(f"the floor writes the portal's document ({report['list_bytes']:,} bytes per list page)", flush=True)

            # (name, {side: (url, headers)}, connections)
            endpoints: list[tuple[str, dict[str, tuple[str, dict[str, str]]], int]] = [
                (
                    "list",
                    {"portal": (base + list_path, {}), "rendered": (rbase + list_path, {}), "floor": (floor_list, {})},
                    args.connections,
                ),
                # One request at a time: the service time, without queueing behind the other connections.
                (
                    "list_one_connection",
                    {"portal": (base + list_path, {}), "rendered": (rbase + list_path, {}), "floor": (floor_list, {})},
                    1,
                ),
                (
                    "detail",
                    {
                        "portal": (base + detail_path, {}),
                        "rendered": (rbase + detail_path, {}),
                        "floor": (floor_detail, {}),
                    },
                    args.connections,
                ),
                (
                    "summary_304",
                    {
                        "portal": (base + "/api/v1/dashboard/summary/", {"If-None-Match": etag}),
                        "floor": (f"{fbase}/summary", {"If-None-Match": '"floor-token"'}),
                    },
                    args.connections,
                ),
                (
                    "summary",
                    {
                        "rendered": (rbase + "/api/v1/dashboard/summary/", {}),
                        "floor": (f"{fbase}/summary", {}),
                    },
                    args.connections,
                ),
            ]
            slice_ = args.duration / args.rounds
            for name, sides, connections in endpoints:
                runs: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
                for url, extra in sides.values():
                    _get(url, extra)  # warm every worker's caches a little
                for _round in range(args.rounds):
                    for side, (url, extra) in sides.items():
                        server = servers[side]
                        server.settle()
                        runs[side].append(
                            _measured(server, url, duration=slice_, connections=connections, headers=extra)
                        )
                for side in sides:
                    key = name if side == "portal" else f"{side}_{name}"
                    results[key] = _combined(runs[side])
                    print(f"{side:8} {name:20} {_line(results[key])}", flush=True)
            # Last: its requests take seconds, and the workers finish the queued ones after the load stops.
            rendered.settle()
            results["rendered_list_on_the_fly"] = _measured(
                rendered,
                f"{rbase}/api/v1/targets/?page_size=100&as_of={UNSTORED_AS_OF}",
                duration=min(args.duration, 5),
                connections=1,
                headers={},
            )
            print(f"{'rendered':8} {'list_on_the_fly':20} {_line(results['rendered_list_on_the_fly'])}", flush=True)
        finally:
            for server in servers.values():
                server.stop()

        report["results"] = results
        report["goals"] = goals = {}
        for side in ("portal", "rendered"):
            prefix = "" if side == "portal" else f"{side}_"
            listed = results[f"{prefix}list"]
            summary_304 = results["summary_304"]["rps"]
            goals[side] = {
                "summary_304_rps": {
                    "value": summary_304,
                    "goal": ">= 1000",
                    "met": summary_304 >= GOALS["summary_304_rps"],
                },
                "list_p99_ms": {
                    "value": listed["p99_ms"],
                    "goal": "< 50",
                    "met": listed["p99_ms"] < GOALS["list_p99_ms"],
                },
                "list_vs_floor": {
                    "value": results["floor_list"]["rps"] / listed["rps"],
                    "goal": "<= 3x",
                    "met": results["floor_list"]["rps"] / listed["rps"] <= GOALS["list_vs_floor"],
                },
            }
        report["list_vs_floor_cpu"] = {
            side: results[f"{prefix}list"]["server_cpu_ms_per_request"]
            / results["floor_list"]["server_cpu_ms_per_request"]
            for side, prefix in (("portal", ""), ("rendered", "rendered_"))
        }
        print()
        for side, side_goals in goals.items():
            print(f"{side}: list / floor, server CPU per request {report['list_vs_floor_cpu'][side]:.1f}x")
            for name, goal in side_goals.items():
                verdict = "met" if goal["met"] else "MISSED"
                print(f"  goal {name:18} {goal['value']:10.1f}  ({goal['goal']})  {verdict}")
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            import recompute

            recompute.drop_database(args.database_url)
    return 0 if all(goal["met"] for goal in report["goals"]["portal"].values()) else 1


def same_document(portal: Any, floor: Any) -> list[str]:
    """Where the floor's JSON differs from the portal's (nothing, or the run is meaningless).

    The pagination links are left out (the floor has none); numbers compare
    as numbers (PostgreSQL's JSON writes 30000 where the portal writes 30000.0).
    """
    if isinstance(portal, dict) and isinstance(floor, dict):
        problems = [f"{key}: only in the portal" for key in portal.keys() - floor.keys() - {"next", "previous"}]
        problems += [f"{key}: only in the floor" for key in floor.keys() - portal.keys()]
        for key in portal.keys() & floor.keys() - {"next", "previous"}:
            problems += [f"{key}.{problem}" for problem in same_document(portal[key], floor[key])]
        return problems
    if isinstance(portal, list) and isinstance(floor, list):
        if len(portal) != len(floor):
            return [f"[]: {len(portal)} items in the portal, {len(floor)} in the floor"]
        return [
            f"[{i}].{problem}"
            for i, (a, b) in enumerate(zip(portal, floor, strict=True))
            for problem in same_document(a, b)
        ]
    # True == 1 in Python, not in JSON.
    equal = portal is floor if isinstance(portal, bool) or isinstance(floor, bool) else portal == floor
    return [] if equal else [f"portal {portal!r}, floor {floor!r}"]


def _combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of one endpoint as one: throughput over the whole time, the median run's percentiles."""
    requests = sum(run["requests"] for run in runs)
    seconds = sum(run["requests"] / run["rps"] for run in runs if run["rps"])
    return {
        "rps": requests / seconds if seconds else 0.0,
        "p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "p99_ms": statistics.median(run["p99_ms"] for run in runs),
        "requests": requests,
        "bad_responses": sum(run["bad_responses"] for run in runs),
        "server_cpu_ms_per_request": sum(run["server_cpu_ms_per_request"] * run["requests"] for run in runs)
        / max(requests, 1),
        "tool": runs[0]["tool"],
        "runs": runs,
    }


def _measured(server: Server, url: str, **kwargs: Any) -> dict[str, Any]:
    """`load()`, plus the server's CPU time per request (steadier than req/s on a busy two-core machine)."""
    before = server.cpu_seconds()
    result = load(url, **kwargs)
    result["server_cpu_ms_per_request"] = (server.cpu_seconds() - before) * 1000 / max(result["requests"], 1)
    return result


def _line(result: dict[str, Any]) -> str:
    return (
        f"{result['rps']:9.1f} req/s  p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms"
        f"  CPU {result['server_cpu_ms_per_request']:6.2f} ms/req"
        f"  ({result['requests']} requests, {result['bad_responses']} errors)"
    )


if __name__ == "__main__":
    sys.exit(main())
