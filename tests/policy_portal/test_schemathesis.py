"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in-process).

Schemathesis reads /api/schema/ from the WSGI application and sends every
operation generated requests, valid and invalid. Whatever it sends, the API
must not fail with a 5xx, must answer with a status code the schema
documents, and its bodies must match the documented schemas. Writes are sent
anonymously: they must be refused with a documented 401.

The hand-written cases at the end are the inputs a fuzzer is unlikely to find:
bytes that are not UTF-8, dates out of range, absurd page sizes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.api.throttling import AnonymousThrottle
from hubs.models import Hub
from incentives.models import Incentive
from indicators import services as indicator_services
from pillars.models import Measurement, Milestone, Pillar, Target
from tests.factories import (
    HubFactory,
    IncentiveFactory,
    MeasurementFactory,
    MilestoneFactory,
    PillarFactory,
    PolicyFactory,
    TargetFactory,
    TrajectoryPointFactory,
)

AS_OF = dt.date(2025, 7, 15)
MAX_EXAMPLES = 30

# What exists, so that most generated ids and slugs hit a real object (filled by the `portal_data` fixture).
KNOWN: dict[str, list[Any]] = {}


@pytest.fixture
def portal_data(db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A small policy, stored indicators for today and AS_OF, and no throttling in the way."""
    cache.clear()
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "1000000/minute"})
    policy = PolicyFactory()
    pillars = [PillarFactory(policy=policy, number=n, slug=f"pillar-{n}") for n in (1, 2)]
    hubs = [HubFactory(name_ur="لاہور"), HubFactory()]
    for i in range(4):
        target = TargetFactory(policy=policy, pillar=pillars[i % 2])
        target.hubs.set(hubs[: i % 3])
        MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=40_000 * (i + 1))
        MeasurementFactory(target=target, date=dt.date(2025, 3, 1), value=10_000 * (i + 1))
        if i == 0:
            TrajectoryPointFactory(target=target)
        milestone = MilestoneFactory(policy=policy, pillar=pillars[i % 2], target=target if i else None)
        milestone.hubs.set(hubs[:1])
        IncentiveFactory(pillar=pillars[i % 2]).hubs.set(hubs)
    TargetFactory(policy=policy, pillar=None)  # no data yet
    indicator_services.indicators_recompute(as_of=AS_OF)
    indicator_services.indicators_recompute(as_of=timezone.localdate())
    KNOWN.update(
        targets=list(Target.objects.values_list("pk", flat=True)),
        milestones=list(Milestone.objects.values_list("pk", flat=True)),
        measurements=list(Measurement.objects.values_list("pk", flat=True)),
        pillars=list(Pillar.objects.values_list("slug", flat=True)),
        hubs=list(Hub.objects.values_list("slug", flat=True)),
        incentives=list(Incentive.objects.values_list("slug", flat=True)),
    )
    yield
    KNOWN.clear()


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The real WSGI application, minus what Django's test client also switches off.

    At the end of every request Django closes a connection that is not in
    autocommit mode; inside a test's transaction (PostgreSQL) that would close
    the test's own connection.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _point_at_known_objects(case: Any) -> None:
    """Replace three generated path ids in four by one that exists; the fourth probes unknown ones."""
    resource = case.operation.path.split("/")[3]
    known = KNOWN.get(resource)
    for name, value in list((case.path_parameters or {}).items()):
        if not known:
            continue
        digest = sum(str(value).encode())
        if digest % 4:
            case.path_parameters[name] = known[digest % len(known)]


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_api_conforms_to_its_schema(portal_data: None, wsgi_app: WSGIHandler) -> None:
    """Every operation, valid and invalid inputs, MAX_EXAMPLES each: no 5xx, documented statuses and bodies.

    Driven through Hypothesis directly rather than schemathesis' pytest plugin, whose lazy loader does not
    run under pytest 9; one test, with every failing operation reported together.
    """
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, [op.label for op in operations]
    failures: list[str] = []
    seen: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                _point_at_known_objects(case)
                response = case.call_and_validate(checks=CHECKS)
                seen[(case.method, response.status_code)] += 1

            try:
                run()
            except BaseException as exc:  # collect them all (FailureGroup is a BaseExceptionGroup)
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    # It did reach the code: answers, refusals of bad input, unknown objects, and anonymous writes refused.
    assert {("GET", 200), ("GET", 400), ("GET", 404), ("POST", 401), ("PATCH", 401)} <= set(seen), seen
    assert not {status for _, status in seen} - {200, 400, 401, 404}, seen


# --- Hand-written bad input: never a 500, always JSON -----------------------------------------------------

LIST_PATHS = [
    "/api/v1/pillars/",
    "/api/v1/targets/",
    "/api/v1/measurements/",
    "/api/v1/milestones/",
    "/api/v1/incentives/",
    "/api/v1/hubs/",
    "/api/v1/dashboard/summary/",
]

BAD_QUERIES = [
    "as_of=2025-13-01",
    "as_of=2025-02-30",
    "as_of=15/07/2025",
    "as_of=0001-01-01",
    "as_of=9999-12-31",
    "as_of=1999-12-31",
    "as_of=2101-01-01",
    "as_of=%00",
    "as_of=2025-07-15T00:00:00",
    "as_of=%ff%fe",
    "as_of=" + "9" * 5000,
    "due_before=not-a-date",
    "due_after=0000-00-00",
    "due_from=2025-01-01&due_to=2024-01-01",
    "due_from=%ff",
    "page_size=99999999999999999999999999",
    "page_size=-1",
    "page_size=%ff",
    "page=0",
    "page=%ff%fe",
    "page=1e9",
    "status=%ff",
    "status=on_track&status=nonsense",
    "stale=%ff",
    "ordering=%ff",
    "ordering=-",
    "ordering=id,code",
    "pillar=%ff%fe",
    "pillar=1",
    "hub[]=x",
    "q=%ff%fe%00",
    "q=" + "x" * 10_000,
    "kind=%ff",
    "target=abc",
    "target=99999999999999999999999",
    "date_after=yesterday",
    "illustrative=maybe",
    "format=xml",
    "%ff%fe=%ff",
]


@pytest.mark.parametrize("path", LIST_PATHS)
def test_bad_query_strings_never_make_a_500(portal_data: None, path: str) -> None:
    client = APIClient(raise_request_exception=False)
    for query in BAD_QUERIES:
        response = client.get(path, QUERY_STRING=query, HTTP_ACCEPT="application/json")
        assert response.status_code < 500, (query, response.content[:300])
        if response.status_code != 304:
            assert response["Content-Type"].startswith("application/json"), (query, response["Content-Type"])
            response.json()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("as_of=0001-01-01", 400),
        ("as_of=9999-12-31", 400),
        ("as_of=%ff%fe", 400),
        ("as_of=2025-07-15", 200),
        ("due_before=not-a-date", 400),
        ("page_size=99999999999999999999999999", 200),
        ("page=%ff%fe", 400),
        ("page=99999", 404),
        ("page_size=AAA", 400),
        ("as_of=", 400),
        ("stale=yes", 400),
    ],
)
def test_bad_query_strings_get_the_right_status(portal_data: None, query: str, status: int) -> None:
    response = APIClient().get("/api/v1/targets/", QUERY_STRING=query, HTTP_ACCEPT="application/json")
    assert response.status_code == status, response.content[:300]


@pytest.mark.parametrize("path", ["/api/v1/targets/{}/", "/api/v1/milestones/{}/", "/api/v1/targets/{}/history/"])
@pytest.mark.parametrize("ident", ["0", "-1", "abc", "99999999999999999999999", "%ff", "1.5"])
def test_bad_ids_are_404_json(portal_data: None, path: str, ident: str) -> None:
    response = APIClient(raise_request_exception=False).get(path.format(ident), HTTP_ACCEPT="application/json")
    assert response.status_code == 404, response.content[:300]
    assert response["Content-Type"].startswith("application/json")


TARGET_BODIES = [
    # (body, must be refused): out-of-range dates are odd but not invalid; nothing may be a 500.
    ({"target_value": "1e400"}, True),
    ({"target_value": "NaN"}, True),
    ({"target_value": "Infinity"}, True),
    ({"target_value": [1]}, True),
    ({"baseline_date": "0001-01-01"}, False),
    ({"target_date": "9999-12-31"}, False),
    ({"baseline_date": "2025-02-30"}, True),
    ({"reporting_interval_days": 10**30}, True),
    ({"reporting_interval_days": -1}, True),
    ({"reporting_interval_days": 0}, True),
    ({"trajectory": [{"date": "2025-06-01", "value": "NaN"}]}, True),
    ({"trajectory": [{"date": "2025-06-01"}]}, True),
    ({"trajectory": "not a list"}, True),
    ({"hubs": [None]}, True),
    ({"hubs": {"a": 1}}, True),
    ({"pillar": 12}, True),
    ({"pillar": ["pillar-1"]}, True),
    ({"title": "\x00"}, True),
    ({"code": "x" * 500}, True),
    ({"code": "not a slug!"}, True),
    ({"kind": "wish"}, True),
    ({"confidence": None}, True),
]


@pytest.mark.parametrize(("body", "refused"), TARGET_BODIES, ids=[str(b)[:40] for b, _ in TARGET_BODIES])
def test_bad_target_writes_by_an_editor_never_make_a_500(
    portal_data: None, body: dict[str, Any], refused: bool
) -> None:
    from tests.factories import EditorFactory

    client = APIClient(raise_request_exception=False)
    client.force_authenticate(EditorFactory())
    target = Target.objects.order_by("pk").first()
    assert target is not None
    new = {
        "code": "new",
        "title": "New",
        "pillar": "pillar-1",
        "unit": "people",
        "baseline_value": 0,
        "baseline_date": "2025-01-01",
        "target_value": 10,
        "target_date": "2026-01-01",
    }
    for method, path, payload in (
        ("post", "/api/v1/targets/", {**new, **body}),
        ("patch", f"/api/v1/targets/{target.pk}/", body),
    ):
        response = getattr(client, method)(path, payload, format="json")
        assert response.status_code < 500, (method, body, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        if refused:
            assert response.status_code == 400, (method, body, response.status_code, response.content[:300])
    # Whatever was accepted can be read back, listed and rolled up.
    for path in ("/api/v1/targets/", "/api/v1/dashboard/summary/", f"/api/v1/targets/{target.pk}/history/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "body",
    [
        {"value": "1e400"},
        {"value": "NaN"},
        {"date": "0001-01-01"},
        {"date": "9999-12-31"},
        {"target": None},
        {"target": "1; DROP TABLE"},
        {"note": "\x00"},
    ],
)
def test_bad_measurements_never_make_a_500(portal_data: None, body: dict[str, Any]) -> None:
    from tests.factories import EditorFactory

    client = APIClient(raise_request_exception=False)
    client.force_authenticate(EditorFactory())
    target = Target.objects.order_by("pk").first()
    assert target is not None
    payload = {"target": target.pk, "date": "2025-09-01", "value": 1, **body}
    response = client.post("/api/v1/measurements/", payload, format="json")
    assert response.status_code == 400, (body, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
