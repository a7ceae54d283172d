"""Web addresses as RFC 3986 writes them (the API schema's `format: uri`), refused wherever they come in.

Django's URLValidator let `"`, `<`, `>`, `{`, `}`, `|`, `\\`, `^` and a backtick
through: the API then served addresses its own schema calls invalid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from core.validators import validate_uri
from pillars import services
from pillars.imports.cells import CellProblem, read_url
from pillars.models import Measurement
from sources.models import Source
from tests.factories import EditorFactory, MilestoneFactory, TargetFactory

VALID = [
    "https://www.dawn.com/news/1",
    "https://example.com/a%20b?x=1&y=%C3%A9#part",
    "https://example.com/a'b(c)*!$,;=:@/~._-",
    "https://user:pw@example.com:8443/p?q=/a?b#f/g?h",
    "https://[2001:db8::1]/x",
    "http://xn--bcher-kva.de/",
]
INVALID = [
    ('https://example.com/a"b', '“"”', "https://example.com/a%22b"),
    ("https://example.com/<script>", "“<” “>”", "https://example.com/%3Cscript%3E"),
    ("https://example.com/a b", "U+0020", "https://example.com/a%20b"),
    ("https://example.com/{a}|b", "“{” “}” “|”", "https://example.com/%7Ba%7D%7Cb"),
    ("https://example.com/a\\b^c`d", "“\\” “^” “`”", "https://example.com/a%5Cb%5Ec%60d"),
    ("https://example.com/a%zz", "“%”", "https://example.com/a%25zz"),
    ("https://example.com/[x]", "“[” “]”", "https://example.com/%5Bx%5D"),
    ("https://example.com/a#b#c", "“#”", "https://example.com/a#b%23c"),
    ("https://example.com/پ", "“پ”", "https://example.com/%D9%BE"),
    ("https://bücher.de/", "“ü”", "https://xn--bcher-kva.de/"),
]


@pytest.mark.parametrize("url", VALID)
def test_addresses_rfc_3986_allows_pass(url: str) -> None:
    validate_uri(url)


@pytest.mark.parametrize(("url", "characters", "encoded"), INVALID)
def test_other_addresses_are_refused_naming_the_characters_and_giving_the_encoded_address(
    url: str, characters: str, encoded: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_uri(url)
    assert refused.value.messages == [f"An address cannot contain {characters}. Encoded, it is: {encoded}"]
    validate_uri(encoded)


def test_what_is_no_address_at_all_gets_djangos_words() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_uri("not an address")
    assert refused.value.messages == ["Enter a valid URL."]


def test_the_validator_agrees_with_the_schemas_format_checker() -> None:
    """The API's schema says `format: uri`: what schemathesis (jsonschema-rs) calls valid, and only that, passes."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    checker = jsonschema_rs.validator_for({"type": "string", "format": "uri"}, validate_formats=True)
    for url in [*VALID, *(url for url, _, _ in INVALID), *(encoded for _, _, encoded in INVALID)]:
        try:
            validate_uri(url)
            passes = True
        except ValidationError:
            passes = False
        assert passes is checker.is_valid(url), url


BAD = 'https://example.com/a"<>b'
MESSAGE = 'An address cannot contain “"” “<” “>”. Encoded, it is: https://example.com/a%22%3C%3Eb'


@pytest.mark.django_db
def test_the_model_fields_refuse_them() -> None:
    with pytest.raises(ValidationError) as refused:
        Source(url=BAD, title="t").full_clean()
    assert refused.value.message_dict["url"] == [MESSAGE]
    with pytest.raises(ValidationError) as refused:
        Measurement(target=TargetFactory(), date=dt.date(2025, 7, 1), value=1, source_url=BAD).full_clean()
    assert refused.value.message_dict["source_url"] == [MESSAGE]


@pytest.fixture
def editor_api(db: None) -> APIClient:
    cache.clear()
    client = APIClient()
    client.force_authenticate(EditorFactory())
    return client


def test_the_api_refuses_them_for_a_figure(editor_api: APIClient) -> None:
    target = TargetFactory()
    payload: dict[str, Any] = {"target": target.pk, "date": "2025-07-01", "value": 1, "source_url": BAD}
    response = editor_api.post("/api/v1/measurements/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"source_url": [MESSAGE]}
    assert not Measurement.objects.exists()


def test_the_api_refuses_them_as_evidence(editor_api: APIClient) -> None:
    milestone = MilestoneFactory()
    payload = {"completed_on": "2025-07-01", "reason": "Notified.", "evidence_url": BAD}
    response = editor_api.patch(f"/api/v1/milestones/{milestone.pk}/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["evidence_url"] == [MESSAGE]
    assert not Source.objects.filter(url=BAD).exists()


def test_the_services_refuse_them(db: None) -> None:
    with pytest.raises(ValidationError) as refused:
        services.measurement_save(
            measurement=Measurement(target=TargetFactory(), date=dt.date(2025, 7, 1), value=1, source_url=BAD)
        )
    assert refused.value.message_dict["source_url"] == [MESSAGE]
    assert services.evidence_problems(evidence_url=BAD) == {"evidence_url": [MESSAGE]}


def test_the_importers_refuse_them() -> None:
    with pytest.raises(CellProblem) as refused:
        read_url(BAD, "source_url")
    assert str(refused.value) == f"source_url: {MESSAGE}"
    assert read_url("https://example.com/a%22b", "source_url") == "https://example.com/a%22b"


@pytest.mark.django_db
def test_the_admin_refuses_them(client: Client) -> None:
    client.force_login(EditorFactory())
    response = client.post("/admin/sources/source/add/", {"url": BAD, "title": "A report", "confidence": "A"})
    assert response.status_code == 200  # the form again, with the message
    assert "An address cannot contain" in response.content.decode()
    assert not Source.objects.exists()
