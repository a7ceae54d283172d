"""The API's parsers: a JSON body nested too deeply is a 400 on every write, never a RecursionError (a 500)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.utils.http import urlencode
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from core.api.parsers import MAX_JSON_DEPTH, JSONParser, nesting_depth_exceeds
from tests.factories import EditorFactory, MeasurementFactory, MilestoneFactory, TargetFactory

MESSAGE = f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels of arrays and objects."


def nested(depth: int) -> bytes:
    """A body whose `title` holds arrays nested so that the whole body has `depth` levels."""
    return b'{"title": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize(
    ("data", "limit", "exceeds"),
    [
        (1, 0, False),
        ({}, 1, False),
        ({}, 0, True),
        ({"trajectory": [{"date": "2025-01-01", "value": 1}]}, 3, False),
        ({"trajectory": [{"date": "2025-01-01", "value": [1]}]}, 3, True),
        ([[], [[]]], 3, False),
        ([[], [[[]]]], 3, True),
    ],
)
def test_nesting_depth_counts_arrays_and_objects(data: Any, limit: int, exceeds: bool) -> None:
    assert nesting_depth_exceeds(data, limit) is exceeds


def test_the_depth_is_measured_without_recursion() -> None:
    data: list[Any] = []
    for _ in range(100_000):
        data = [data]
    assert nesting_depth_exceeds(data, MAX_JSON_DEPTH)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000])
def test_the_parser_refuses_a_body_nested_too_deeply(depth: int) -> None:
    with pytest.raises(ParseError) as refused:
        JSONParser().parse(io.BytesIO(nested(depth)))
    assert str(refused.value.detail) == MESSAGE


def test_the_parser_reads_a_body_at_the_limit() -> None:
    data = JSONParser().parse(io.BytesIO(nested(MAX_JSON_DEPTH)))
    assert not nesting_depth_exceeds(data, MAX_JSON_DEPTH)


@pytest.fixture
def editor_client(db: None) -> APIClient:
    cache.clear()
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(EditorFactory())
    return client


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000])
def test_every_write_answers_a_body_nested_too_deeply_with_a_400(editor_client: APIClient, depth: int) -> None:
    target, milestone = TargetFactory(), MilestoneFactory()
    measurement = MeasurementFactory(target=target)
    writes = [
        ("post", "/api/v1/targets/"),
        ("patch", f"/api/v1/targets/{target.pk}/"),
        ("post", "/api/v1/measurements/"),
        ("patch", f"/api/v1/measurements/{measurement.pk}/"),
        ("post", "/api/v1/milestones/"),
        ("patch", f"/api/v1/milestones/{milestone.pk}/"),
    ]
    for method, path in writes:
        response = getattr(editor_client, method)(path, nested(depth), content_type="application/json")
        assert response.status_code == 400, (method, path, response.status_code, response.content[:200])
        assert response.json() == {"detail": MESSAGE}, (method, path)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_form_bodies_with_deeply_bracketed_names_are_refused_as_a_400(
    editor_client: APIClient, content_type: str
) -> None:
    """Form bodies are flat: a name like `trajectory[0][0]...[0]` is just a name the serializer does not know."""
    target = TargetFactory()
    name = "trajectory" + "[0]" * 1_000
    data = {name: "1", "title" + "[title]" * 1_000: "x"}
    for method, path in (("post", "/api/v1/targets/"), ("patch", f"/api/v1/targets/{target.pk}/")):
        if content_type == "multipart/form-data":
            response = getattr(editor_client, method)(path, data, format="multipart")
        else:
            response = getattr(editor_client, method)(path, urlencode(data), content_type=content_type)
        assert response.status_code == 400, (method, content_type, response.status_code, response.content[:200])
        assert response["Content-Type"].startswith("application/json")
