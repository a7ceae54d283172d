"""Fixtures of the task tests: the Celery app pointed at a real broker, and real Celery worker processes.

The Celery app reads its configuration from the Django settings once, at
import, so overriding `settings.CELERY_*` in a test changes nothing: a test
that needs a broker reconfigures `app.conf` with `celery_configured()`, which
also drops the cached connection pools and result backend so that the next
publish really connects to the new URL, and restores everything afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.db import connection

from policy_portal.celery import app as celery_app

T = TypeVar("T")

BASE_DIR = Path(__file__).resolve().parents[2]
WORKER_READY_SECONDS = 30
WORKER_STOP_SECONDS = 10
WAIT_SECONDS = 60


def _reset_celery_connections() -> None:
    """Forget the broker connection pools and the result backend, so that they are rebuilt from `app.conf`."""
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@contextlib.contextmanager
def celery_configured(**changes: Any) -> Iterator[Any]:
    """Reconfigure the project's Celery app for the duration of the block (keys of `app.conf`)."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in changes}
    conf.update(changes)
    _reset_celery_connections()
    try:
        yield celery_app
    finally:
        conf.update(saved)
        _reset_celery_connections()


# The Redis databases the worker tests may claim (CI's REDIS_URL uses /15). Several test sessions can
# run at once on one machine (or under pytest-xdist): each claims a database of its own, so that no
# session's workers take another's tasks, and flushing it touches nothing else.
BROKER_DBS = range(14, 9, -1)
CLAIM_KEY = "policy-portal:task-tests:claimed-by"
CLAIM_SECONDS = 600


def _clear(client: Any) -> None:
    """Delete everything in the claimed database but the claim (queues, bindings, results)."""
    claim = CLAIM_KEY.encode()
    for key in list(client.scan_iter(count=1000)):
        if key != claim:
            client.delete(key)


@contextlib.contextmanager
def _claimed_redis_db() -> Iterator[str]:
    """Claim one of BROKER_DBS for this session (until released, or for CLAIM_SECONDS at most); yield its URL."""
    import redis

    base = urlsplit(os.environ["REDIS_URL"])
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4()}"
    for db in BROKER_DBS:
        url = urlunsplit(base._replace(path=f"/{db}"))
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        if not client.set(CLAIM_KEY, token, nx=True, ex=CLAIM_SECONDS):
            client.close()
            continue
        try:
            _clear(client)  # what a killed session left behind
            yield url
        finally:
            _clear(client)
            if client.get(CLAIM_KEY) == token.encode():
                client.delete(CLAIM_KEY)
            client.close()
        return
    pytest.fail(f"Redis databases {list(BROKER_DBS)} are all claimed by other test sessions ({CLAIM_KEY}).")


def _database_url() -> str:
    """The URL of the database pytest-django created (test_<name>), for the worker processes."""
    db = connection.settings_dict
    assert "postgresql" in db["ENGINE"], "worker processes cannot share an in-memory SQLite database"
    auth = ""
    if db.get("USER"):
        auth = quote(db["USER"], safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"], safe="")
        auth += "@"
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Have Linux stop the worker if pytest itself is killed, so that no worker outlives the run."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Worker:
    """One `celery worker` process, started as docker-compose starts it, logging to a file."""

    def __init__(self, name: str, log: Path, env: dict[str, str], *, beat: bool = False) -> None:
        self.name = name
        self.log = log
        command = [
            sys.executable, "-m", "celery", "-A", "policy_portal", "worker",
            "-l", "info", "--concurrency", "1", "-P", "solo", "-n", f"{name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if beat:  # the beat scheduler inside the worker, with its schedule file beside the log
            command += ["-B", "--schedule", str(log.with_suffix(".beat"))]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process.poll() is None

    def terminate(self) -> None:
        if self.alive():
            self.process.terminate()  # warm shutdown: finish the task at hand, then exit

    def wait(self) -> None:
        try:
            self.process.wait(WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(WORKER_STOP_SECONDS)


class CeleryWorkers:
    """The running workers, the broker they consume from, and a bounded wait on what they do."""

    def __init__(self, broker_url: str, workers: list[Worker]) -> None:
        self.broker_url = broker_url
        self.workers = workers

    def __iter__(self) -> Iterator[Worker]:
        return iter(self.workers)

    def logs(self) -> str:
        return "\n\n".join(f"--- worker {w.name} (exit code {w.process.poll()}):\n{w.tail()}" for w in self.workers)

    def wait_for(self, condition: Callable[[], T], what: str, timeout: float = WAIT_SECONDS) -> T:
        """Poll `condition` until it returns something truthy; fail with the workers' logs after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            dead = [w.name for w in self.workers if not w.alive()]
            if dead:
                pytest.fail(f"Celery worker(s) {dead} exited while waiting for {what}.\n{self.logs()}")
            if time.monotonic() > deadline:
                pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.\n{self.logs()}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def celery_workers(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryWorkers]:
    """Two real Celery workers (concurrency 1 each) on a Redis database of their own and the test database.

    Only tests marked `postgres` and `redis` may use this: the workers are
    separate processes, so they need a database server and a real broker.
    """
    with _claimed_redis_db() as broker:
        yield from _run_workers(broker, tmp_path_factory)


def worker_env(broker: str, **overrides: str) -> dict[str, str]:
    """The environment of a worker process on `broker` and the test database, as compose gives it one."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "policy_portal.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }
    # Celery reads these straight from the environment, ahead of the settings.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    return env


def _run_workers(broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryWorkers]:
    env = worker_env(broker)
    logs = tmp_path_factory.mktemp("celery-workers")
    workers: list[Worker] = []
    try:
        for number in (1, 2):
            name = f"tasks-test-{number}-{os.getpid()}"
            workers.append(Worker(name, logs / f"{name}.log", env))
        running = CeleryWorkers(broker, workers)
        running.wait_for(
            lambda: all(" ready." in w.output() for w in workers), "the workers to be ready", WORKER_READY_SECONDS
        )
        yield running
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait()


@pytest.fixture
def live_broker(celery_workers: CeleryWorkers) -> Iterator[CeleryWorkers]:
    """This process publishes to the workers' broker for real (not eagerly) and reads their results."""
    with celery_configured(
        broker_url=celery_workers.broker_url,
        result_backend=celery_workers.broker_url,
        task_always_eager=False,
    ):
        try:
            yield celery_workers
        finally:
            # Whatever a failed test left queued must not reach the next one.
            celery_app.control.purge()
