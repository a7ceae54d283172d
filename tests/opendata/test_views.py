"""`/data/` and `/data/datapackage.zip`: files as built, a 202 while one is being built, never a build per request."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.test import Client

from opendata import catalogue, services, tasks
from opendata.models import DataPackage

from .conftest import AS_OF, make_data

pytestmark = pytest.mark.django_db

LICENCE_LINK = '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'


def test_the_zip_is_served_as_built_with_its_licence_validators_and_cors(data: None, client: Client) -> None:
    row = services.package_build(as_of=AS_OF)
    assert row is not None
    response = client.get("/data/datapackage.zip", {"as_of": AS_OF.isoformat()}, HTTP_ORIGIN="https://desk.example")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert LICENCE_LINK in response["Link"]
    assert response["X-Data-As-Of"] == AS_OF.isoformat()
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == (services.package_directory() / row.file).read_bytes()
    assert "datapackage.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    again = client.get("/data/datapackage.zip", {"as_of": AS_OF.isoformat()}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_without_a_date_the_latest_package_built_is_served(data: None, client: Client) -> None:
    services.package_build(as_of=AS_OF)
    response = client.get("/data/datapackage.zip")
    assert response.status_code == 200
    assert response["X-Data-As-Of"] == AS_OF.isoformat()


def test_a_computed_date_without_a_package_is_queued_once_and_answered_202(
    data: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []
    monkeypatch.setattr(tasks.build_package, "apply_async", lambda **kwargs: sent.append(kwargs))
    for _attempt in range(3):
        response = client.get("/data/datapackage.zip", {"as_of": AS_OF.isoformat()})
        assert response.status_code == 202
        assert response["Retry-After"] == "60"
        assert response.json()["as_of"] == AS_OF.isoformat()
    assert sent == [{"args": [AS_OF.isoformat()], "countdown": 30}]  # one build, however often it is asked
    assert not DataPackage.objects.exists()  # nothing was built inside the request


def test_a_date_never_computed_is_a_404_and_builds_nothing(
    data: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []
    monkeypatch.setattr(tasks.build_package, "apply_async", lambda **kwargs: sent.append(kwargs))
    response = client.get("/data/datapackage.zip", {"as_of": "2025-01-01"})
    assert response.status_code == 404
    assert "never computed" in response.json()["detail"]
    assert sent == []


@pytest.mark.parametrize("query", [{"as_of": "yesterday"}, {"as_of": ""}, {"as_of": "2200-01-01"}])
def test_a_bad_date_is_a_400_naming_it(data: None, client: Client, query: dict[str, str]) -> None:
    response = client.get("/data/datapackage.zip", query)
    assert response.status_code == 400
    assert response.json()["field"] == "as_of"


def test_a_date_given_twice_is_a_400(data: None, client: Client) -> None:
    response = client.get("/data/datapackage.zip?as_of=2026-03-01&as_of=2026-03-02")
    assert response.status_code == 400


@pytest.mark.parametrize("prefix", ["", "/ur"])
def test_the_data_page_states_the_licence_the_downloads_and_every_column(
    data: None, client: Client, prefix: str
) -> None:
    services.package_build(as_of=AS_OF)
    response = client.get(f"{prefix}/data/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page
    assert 'href="/data/datapackage.zip"' in page
    assert "?format=xlsx" in page and "?format=csv" in page
    for _resource, table in catalogue.all_tables():
        assert f"data/{table.name}.csv" in page
        for column in (*table.keys, *table.columns):
            assert f">{column.name}</code>" in page
    assert LICENCE_LINK in response["Link"]
    again = client.get(f"{prefix}/data/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_new_package_changes_the_data_page(data: None, client: Client) -> None:
    first = client.get("/data/")
    services.package_build(as_of=AS_OF)
    second = client.get("/data/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert "Download the data package" in second.content.decode()


def test_the_data_page_reads_the_same_queries_for_more_data(
    data: None, client: Client, django_assert_num_queries: Any
) -> None:
    services.package_build(as_of=AS_OF)
    client.get("/data/")
    with django_assert_num_queries(3) as small:  # the data version, the latest package (ETag, page)
        client.get("/data/")
    make_data(count=10)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/data/")


def test_the_api_answers_carry_the_licence(data: None, api: Any) -> None:
    for path in ["/api/v1/targets/", "/api/v1/targets/?format=csv", "/api/v1/dashboard/summary/"]:
        assert LICENCE_LINK in api.get(path)["Link"]


def test_the_queue_mark_is_forgotten_when_the_broker_is_down(
    data: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.build_package, "apply_async", refuse)
    assert tasks.package_outdated(dt.date(2026, 3, 1)) is False
    sent: list[Any] = []
    monkeypatch.setattr(tasks.build_package, "apply_async", lambda **kwargs: sent.append(kwargs))
    assert tasks.package_outdated(dt.date(2026, 3, 1)) is True
    assert len(sent) == 1
